package dev.relay.k8s.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;

/** The checker finds what is wrong: a broken fixture, and single mistakes put into the real base. */
class ManifestCheckerTest {

    @Test
    void reportsEveryMistakeOfTheBrokenFixture() throws IOException {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/broken/stack.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> problems = new ManifestChecker(Manifests.parse("broken/stack.yaml", yaml)).problems();
        List<String> expected = List.of(
                "ConfigMap relay-config: RELAY_AUTH_URL points at http://auth-service:8081, but Service auth-service has no port 8081",
                "ConfigMap relay-config: RELAY_REDIS_URL points at redis://redis-cache:6379, but there is no Service redis-cache",
                "Deployment auth-service: uses ServiceAccount relay-missing, which does not exist",
                "Deployment auth-service: container auth-service readinessProbe uses port 9999, which the container does not declare",
                "Deployment auth-service: container auth-service livenessProbe checks /health, not /q/health/live",
                "Deployment auth-service: container auth-service livenessProbe uses port 8081, not the management port 9081",
                "Deployment auth-service: container auth-service takes its environment from Secret relay-auth-servce, which does not exist",
                "Deployment auth-service: container auth-service env RELAY_AUTH_JWT_PRIVATE_KEY_FILE names file /etc/relay/jwt/private-key.pem, but Secret relay-jwt mounted at /etc/relay/jwt has no key private-key.pem",
                "Deployment auth-service: container auth-service has no cpu limits",
                "Deployment auth-service: container auth-service has no memory limits",
                "Deployment auth-service: container auth-service has a writable root filesystem (readOnlyRootFilesystem)",
                "Deployment auth-service: container auth-service allows privilege escalation",
                "Deployment auth-service: container auth-service does not drop ALL capabilities",
                "Deployment auth-service: container auth-service has no emptyDir mounted at /tmp (its root filesystem is read-only)",
                "Service auth-service: selector {app.kubernetes.io/name=auth} selects no Deployment's pods",
                "Service observer-gateway: port http targets public, which Deployment auth-service does not declare",
                "Ingress relay-api: exposes path /internal/credentials: /internal routes must never be reachable from outside",
                "Ingress relay-api: path /internal/credentials routes to auth-service: only observer-gateway may be exposed",
                "Ingress relay-api: routes every path (/), /internal included: route /health and /v1",
                "Ingress relay-api: path / routes to a port of Service observer-gateway that it does not have: https",
                "Ingress: the WebSocket path /v1/ws is routed by no Ingress of its own",
                "Ingress: the WebSocket path /v1/node/ws is routed by no Ingress of its own",
                "HorizontalPodAutoscaler delivery-service: scales Deployment delivery-service, which does not exist",
                "PodDisruptionBudget workspace-service: selects no Deployment's pods",
                "NetworkPolicy ghost-policy: selects no Deployment's pods",
                "NetworkPolicy auth-open-to-the-world: admits ipBlock 0.0.0.0/0 to the /internal port of auth-service (only the engine's own pods may reach it)",
                "Deployment auth-service: is not isolated by a NetworkPolicy for both Ingress and Egress");
        List<String> missing = new ArrayList<>();
        for (String problem : expected) {
            if (problems.stream().noneMatch(p -> p.startsWith(problem))) {
                missing.add(problem);
            }
        }
        assertEquals(List.of(), missing, "not reported; all that was reported:\n" + String.join("\n", problems));
    }

    @Test
    void theRealBaseHasNoProblem() {
        assertEquals(List.of(), new ManifestChecker(base()).problems());
    }

    @Test
    void aProbeOnAnUndeclaredPort() {
        assertReports("Deployment observer-gateway: container observer-gateway readinessProbe uses port 9999, "
                + "which the container does not declare",
                objects -> container(objects, "observer-gateway")
                        .getReadinessProbe()
                        .getHttpGet()
                        .setPort(new IntOrString(9999)));
    }

    @Test
    void aMissingConfigMap() {
        assertReports("Deployment workspace-service: container workspace-service takes its environment from "
                + "ConfigMap relay-config, which does not exist",
                objects -> objects.removeIf(o -> o instanceof ConfigMap && name(o).equals("relay-config")));
    }

    @Test
    void aMissingSecret() {
        assertReports("Deployment auth-service: mounts Secret relay-jwt, which does not exist",
                objects -> objects.removeIf(o -> o instanceof Secret && name(o).equals("relay-jwt")));
    }

    @Test
    void aServiceThatSelectsNoPods() {
        assertReports(
                "Service delivery-service: selector {app.kubernetes.io/name=delivery} selects no Deployment's pods",
                objects -> find(objects, Service.class, "delivery-service").getSpec()
                        .setSelector(Map.of("app.kubernetes.io/name", "delivery")));
    }

    @Test
    void anIngressToAnotherService() {
        assertReports("Ingress relay-api: path /v1 routes to workspace-service: only observer-gateway may be exposed",
                objects -> paths(objects).stream()
                        .filter(p -> p.getPath().equals("/v1"))
                        .forEach(p -> p.getBackend().getService().setName("workspace-service")));
    }

    @Test
    void anInternalPathInTheIngress() {
        assertReports(
                "Ingress relay-api: exposes path /internal: /internal routes must never be reachable from outside",
                objects -> paths(objects).stream()
                        .filter(p -> p.getPath().equals("/v1"))
                        .forEach(p -> p.setPath("/internal")));
    }

    @Test
    void shortTimeoutsOnTheWebSocketIngress() {
        assertReports("Ingress relay-websockets: routes WebSocket path /v1/ws with proxy-read-timeout 60",
                objects -> find(objects, Ingress.class, "relay-websockets").getMetadata()
                        .getAnnotations()
                        .put("nginx.ingress.kubernetes.io/proxy-read-timeout", "60"));
    }

    @Test
    void replicasOnAnAutoscaledDeployment() {
        assertReports("Deployment workspace-service: sets replicas although HorizontalPodAutoscaler "
                + "workspace-service owns them",
                objects -> find(objects, Deployment.class, "workspace-service").getSpec().setReplicas(3));
    }

    @Test
    void internalPortsOpenToAnotherNamespace() {
        assertReports("NetworkPolicy relay-internal-from-relay-services: admits namespaces",
                objects -> find(objects, NetworkPolicy.class, "relay-internal-from-relay-services").getSpec()
                        .getIngress()
                        .get(0)
                        .getFrom()
                        .add(new NetworkPolicyPeerBuilder().withNamespaceSelector(new LabelSelectorBuilder()
                                .addToMatchLabels("kubernetes.io/metadata.name", "default")
                                .build()).build()));
    }

    @Test
    void aGatewayThatCanReachPostgres() {
        assertReports("NetworkPolicy relay-egress-postgres: lets observer-gateway reach PostgreSQL",
                objects -> find(objects, NetworkPolicy.class, "relay-egress-postgres").getSpec()
                        .getPodSelector()
                        .getMatchExpressions()
                        .get(0)
                        .getValues()
                        .add("observer-gateway"));
    }

    @Test
    void aNetworkPolicyThatSelectsNoPods() {
        assertReports("NetworkPolicy relay-egress-redis: selects no Deployment's pods",
                objects -> find(objects, NetworkPolicy.class, "relay-egress-redis").getSpec()
                        .getPodSelector()
                        .getMatchLabels()
                        .put("app.kubernetes.io/part-of", "someone-else"));
    }

    @Test
    void aWritableRootFilesystem() {
        assertReports("Deployment delivery-service: container delivery-service has a writable root filesystem",
                objects -> container(objects, "delivery-service").getSecurityContext()
                        .setReadOnlyRootFilesystem(false));
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static List<HasMetadata> base() {
        return new ArrayList<>(K8sDir.renderedWithSecrets("base"));
    }

    private static void assertReports(String expected, Consumer<List<HasMetadata>> mistake) {
        List<HasMetadata> objects = base();
        mistake.accept(objects);
        List<String> problems = new ManifestChecker(objects).problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(expected)),
                "expected a problem starting with\n  " + expected + "\nbut got\n  " + String.join("\n  ", problems));
    }

    private static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> name(o).equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static Container container(List<HasMetadata> objects, String deployment) {
        return find(objects, Deployment.class, deployment).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static List<HTTPIngressPath> paths(List<HasMetadata> objects) {
        return objects.stream()
                .filter(Ingress.class::isInstance)
                .map(Ingress.class::cast)
                .flatMap(i -> i.getSpec().getRules().stream())
                .flatMap(r -> r.getHttp().getPaths().stream())
                .toList();
    }

    private static String name(HasMetadata o) {
        return o.getMetadata().getName();
    }
}
