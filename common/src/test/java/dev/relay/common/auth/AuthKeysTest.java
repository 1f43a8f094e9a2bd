package dev.relay.common.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

/**
 * Every request-scoped {@link Caller} takes its verifier from {@link AuthKeys}, so the process must hand out one
 * verifier: its cache of verified JWTs ({@link VerifiedJwts}) is what spares the next request of the same agent an RSA
 * verification. A verifier per request remembered nothing (a fifth of workspace-service's CPU under load).
 */
class AuthKeysTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aServiceThatAsksForTheKeysIsNotReadyUntilItHasThem() {
        AuthKeys keys = new AuthKeys(vertx, URI.create("http://127.0.0.1:1")); // nothing answers there
        assertTrue(keys.ready(), "a service that never asks for the keys (auth-service) is ready");
        assertTrue(new AuthKeysReadiness(keys).call().getStatus() == HealthCheckResponse.Status.UP);

        keys.loadInBackground();

        assertFalse(keys.ready());
        assertTrue(new AuthKeysReadiness(keys).call().getStatus() == HealthCheckResponse.Status.DOWN);
    }

    @Test
    void handsOutOneVerifierForTheProcess() {
        AuthKeys keys = new AuthKeys(vertx, URI.create("http://127.0.0.1:1"));
        assertSame(keys.verifier(), keys.verifier());
    }
}
