package dev.relay.k8s.validation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The k8s/ folder under test, and what is in it. */
final class K8sDir {

    static final Path ROOT = Path.of(System.getProperty("relay.k8s.dir", "..")).toAbsolutePath().normalize();
    static final List<String> KUSTOMIZATIONS = List.of("base", "overlays/production");

    private K8sDir() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** Every YAML file under k8s/ except this module's own (its fixtures are broken on purpose). */
    static List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.startsWith(ROOT.resolve("validation")))
                    .filter(f -> !f.startsWith(ROOT.resolve("secrets/out")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The committed rendering of a kustomization (k8s/rendered/<name>.yaml), plus the Secret templates. */
    static List<HasMetadata> renderedWithSecrets(String kustomization) {
        List<HasMetadata> objects = new ArrayList<>(rendered(kustomization));
        objects.addAll(Manifests.parseFiles(List.of(path("secrets/templates.yaml"))));
        return objects;
    }

    static List<HasMetadata> rendered(String kustomization) {
        return Manifests.parseFiles(List.of(renderedFile(kustomization)));
    }

    static Path renderedFile(String kustomization) {
        return path("rendered/" + Path.of(kustomization).getFileName() + ".yaml");
    }

    /** `kubectl kustomize` (or `kustomize build`) of a kustomization, when either tool is installed. */
    static Optional<String> render(String kustomization) {
        for (List<String> command : List.of(List.of("kubectl", "kustomize"), List.of("kustomize", "build"))) {
            if (onPath(command.get(0))) {
                List<String> full = new ArrayList<>(command);
                full.add(path(kustomization).toString());
                return Optional.of(run(full));
            }
        }
        return Optional.empty();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    private static String run(List<String> command) {
        try {
            Path out = Files.createTempFile("k8s-render", ".yaml");
            Path err = Files.createTempFile("k8s-render", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue()
                            + ": " + Files.readString(err, StandardCharsets.UTF_8));
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
