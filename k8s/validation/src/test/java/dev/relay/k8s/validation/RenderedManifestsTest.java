package dev.relay.k8s.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * The objects `kubectl apply -k` sends, for the base and the production overlay (k8s/rendered/, kept current by
 * k8s/render.sh), together with the Secret templates: complete, and every reference between them resolves.
 */
class RenderedManifestsTest {

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production"})
    void everyReferenceResolvesAndTheRulesHold(String kustomization) {
        List<String> problems = new ManifestChecker(K8sDir.renderedWithSecrets(kustomization)).problems();
        assertEquals(List.of(), problems, kustomization + ":\n" + String.join("\n", problems));
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production"})
    void everyPartIsThere(String kustomization) {
        List<HasMetadata> objects = K8sDir.rendered(kustomization);
        assertEquals(ManifestChecker.SERVICES, names(objects, Deployment.class), "Deployments");
        assertTrue(names(objects, Service.class).containsAll(ManifestChecker.SERVICES), "a Service per service");
        assertTrue(names(objects, Service.class).containsAll(Set.of("relay-postgres", "relay-redis")),
                "PostgreSQL and Redis as ExternalName Services");
        assertEquals(ManifestChecker.AUTOSCALED, names(objects, HorizontalPodAutoscaler.class), "autoscalers");
        assertEquals(ManifestChecker.SERVICES, names(objects, PodDisruptionBudget.class), "disruption budgets");
        assertEquals(Set.of("relay-api", "relay-websockets"), names(objects, Ingress.class), "Ingresses");
        assertTrue(names(objects, NetworkPolicy.class).contains("relay-default-deny"), "a default deny");
    }

    /** Where kubectl (or kustomize) is installed, the committed renderings must equal a fresh one. */
    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production"})
    void committedRenderingIsCurrent(String kustomization) {
        Optional<String> fresh = K8sDir.render(kustomization);
        Assumptions.assumeTrue(fresh.isPresent(),
                "neither kubectl nor kustomize is installed: the committed rendering is checked, not re-rendered");
        Map<String, HasMetadata> expected = byKey(Manifests.parse("kubectl kustomize " + kustomization, fresh.get()));
        Map<String, HasMetadata> committed = byKey(K8sDir.rendered(kustomization));
        Set<String> differing = new TreeSet<>();
        Stream.concat(expected.keySet().stream(), committed.keySet().stream())
                .filter(key -> !Objects.equals(expected.get(key), committed.get(key)))
                .forEach(differing::add);
        assertEquals(Set.of(), differing,
                K8sDir.renderedFile(kustomization) + " is stale (these objects differ): run k8s/render.sh");
    }

    private static Map<String, HasMetadata> byKey(List<HasMetadata> objects) {
        Map<String, HasMetadata> map = new TreeMap<>();
        objects.forEach(o -> map.put(o.getKind() + " " + o.getMetadata().getName(), o));
        return map;
    }

    private static Set<String> names(List<HasMetadata> objects, Class<? extends HasMetadata> type) {
        return objects.stream()
                .filter(type::isInstance)
                .map(o -> o.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
