package dev.relay.common.auth;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * A service that verifies JWTs is not ready until it holds auth-service's signing keys: until then it would refuse every
 * caller with "JWT signed by an unknown key". Services start side by side, so auth-service may answer its JWKS only
 * after the others report ready; `./relay up` and a Kubernetes readiness probe now wait for the keys. A service that
 * never loads them (auth-service signs its own) is unaffected.
 */
@Readiness
@ApplicationScoped
public class AuthKeysReadiness implements HealthCheck {

    private final AuthKeys keys;

    AuthKeysReadiness(AuthKeys keys) {
        this.keys = keys;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("auth-keys")
                .status(keys.ready())
                .withData("detail", keys.ready()
                        ? "auth-service signing keys loaded"
                        : "waiting for auth-service's signing keys (JWKS)")
                .build();
    }
}
