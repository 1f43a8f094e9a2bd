package dev.relay.k8s.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/** Parsing is strict: typed objects only, no field the Kubernetes API does not define. */
class ManifestsTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: auth-service
            spec:
              selector:
                matchLabels: {app: a}
              template:
                metadata:
                  labels: {app: a}
                spec:
                  containers:
                    - name: a
                      image: a
                      %s
            """;

    @Test
    void parsesEveryDocumentIntoItsTypedModel() {
        List<HasMetadata> objects = Manifests.parse("test", DEPLOYMENT.formatted("") + """
                ---
                # a comment-only document is skipped
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: p
                spec:
                  podSelector: {}
                """);
        assertEquals(2, objects.size());
        assertInstanceOf(Deployment.class, objects.get(0));
        assertInstanceOf(NetworkPolicy.class, objects.get(1));
    }

    @Test
    void rejectsAFieldTheApiDoesNotDefine() {
        var e = assertThrows(Manifests.ManifestException.class, () -> Manifests.parse("test",
                DEPLOYMENT.formatted("readinesProbe: {httpGet: {path: /q/health/ready, port: 9081}}")));
        assertTrue(e.getMessage().contains("readinesProbe"), e.getMessage());
    }

    @Test
    void rejectsAnUnknownKind() {
        var e = assertThrows(Manifests.ManifestException.class, () -> Manifests.parse("test",
                DEPLOYMENT.formatted("").replace("kind: Deployment", "kind: Deploymnt")));
        assertTrue(e.getMessage().contains("unknown kind Deploymnt"), e.getMessage());
    }

    @Test
    void rejectsAnObjectWithoutName() {
        var e = assertThrows(Manifests.ManifestException.class, () -> Manifests.parse("test",
                DEPLOYMENT.formatted("").replace("name: auth-service", "labels: {}")));
        assertTrue(e.getMessage().contains("without metadata.name"), e.getMessage());
    }
}
