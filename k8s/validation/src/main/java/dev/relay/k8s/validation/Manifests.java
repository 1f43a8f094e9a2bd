package dev.relay.k8s.validation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Reads Kubernetes manifests (multi-document YAML) into fabric8's typed model objects, strictly: a document whose kind
 * and apiVersion fabric8 does not know, or that carries a field the Kubernetes API does not define (a typo such as
 * {@code readinesProbe}), is an error rather than silently kept aside.
 */
public final class Manifests {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Manifests() {
    }

    /** Every document of every file, in order. */
    public static List<HasMetadata> parseFiles(Collection<Path> files) {
        List<HasMetadata> all = new ArrayList<>();
        for (Path file : files) {
            all.addAll(parse(file.toString(), read(file)));
        }
        return all;
    }

    /** Every document of a YAML stream; {@code source} names it in error messages. */
    public static List<HasMetadata> parse(String source, String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        int index = 0;
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            index++;
            if (isBlank(document)) {
                continue;
            }
            String where = source + " (document " + index + ")";
            KubernetesResource parsed;
            try {
                parsed = SERIALIZATION.unmarshal(document);
            } catch (RuntimeException e) {
                throw new ManifestException(where + ": not a Kubernetes object: " + e.getMessage(), e);
            }
            if (parsed instanceof GenericKubernetesResource generic) {
                throw new ManifestException(where + ": unknown kind " + generic.getKind() + " in apiVersion "
                        + generic.getApiVersion() + " (no typed model for it)");
            }
            if (!(parsed instanceof HasMetadata object)) {
                throw new ManifestException(where + ": not a Kubernetes object with metadata: " + parsed);
            }
            if (object.getMetadata() == null || isBlank(object.getMetadata().getName())) {
                throw new ManifestException(where + ": " + object.getKind() + " without metadata.name");
            }
            List<String> unknown = new ArrayList<>();
            unknownFields(object, object.getKind(), unknown, new IdentityHashMap<>());
            if (!unknown.isEmpty()) {
                throw new ManifestException(where + ": " + object.getKind() + " " + object.getMetadata().getName()
                        + " has fields the Kubernetes API does not define: " + String.join(", ", unknown));
            }
            objects.add(object);
        }
        return objects;
    }

    /** A JSON 6902 patch file (a YAML list of operations), checked for well-formed operations. */
    public static List<Map<String, Object>> parseJsonPatch(Path file) {
        List<Map<String, Object>> operations;
        try {
            operations = YAML.readValue(read(file), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new ManifestException(file + ": not a YAML list of JSON patch operations: " + e.getMessage(), e);
        }
        if (operations == null || operations.isEmpty()) {
            throw new ManifestException(file + ": an empty JSON patch");
        }
        for (Map<String, Object> operation : operations) {
            Object op = operation.get("op");
            Object path = operation.get("path");
            if (!List.of("add", "remove", "replace", "move", "copy", "test").contains(op)) {
                throw new ManifestException(file + ": unknown JSON patch op " + op);
            }
            if (!(path instanceof String p) || !p.startsWith("/")) {
                throw new ManifestException(file + ": JSON patch path must start with '/': " + path);
            }
            if (!"remove".equals(op) && !operation.containsKey("value") && !operation.containsKey("from")) {
                throw new ManifestException(file + ": JSON patch op " + op + " " + path + " has no value");
            }
        }
        return operations;
    }

    /** A YAML document as plain maps and lists (kustomization files). */
    public static Map<String, Object> parseMap(Path file) {
        try {
            return YAML.readValue(read(file), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new ManifestException(file + ": not a YAML mapping: " + e.getMessage(), e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Walks a fabric8 model object: its generated classes keep every field they do not know in "additional properties"
     * instead of failing, which is where typos end up.
     */
    private static void unknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknownFields(value, path + "." + key, unknown, seen));
            return;
        }
        if (node instanceof Collection<?> collection) {
            int i = 0;
            for (Object element : collection) {
                unknownFields(element, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(key -> unknown.add(path + "." + key));
                }
                continue;
            }
            if (SKIPPED_GETTERS.contains(getter.getName())) {
                continue;
            }
            String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            unknownFields(value, path + "." + name, unknown, seen);
        }
    }

    /** Getters that derive values (not fields) and would only repeat or loop. */
    private static final Set<String> SKIPPED_GETTERS = Set.of("getMetadata_", "getPlural", "getSingular",
            "getFullResourceName", "getGroup", "getVersion", "getApiVersion", "getKind");

    private static boolean isBlank(String s) {
        return s == null || s.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"));
    }

    /** A manifest that cannot be read as what it claims to be. */
    public static final class ManifestException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ManifestException(String message) {
            super(message);
        }

        ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
