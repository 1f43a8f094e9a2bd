package dev.relay.gateway.stream;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.auth.AuthKeys;
import dev.relay.common.auth.JwtVerifier;
import dev.relay.common.auth.Principal;
import io.smallrye.mutiny.Uni;

/**
 * Reads the principal (kind, workspace, scopes, filters, credential) out of the principal JWT auth-service signed,
 * verifying it with auth-service's published keys as every service does; a JWT signed by a key not fetched yet
 * fetches the keys once and tries again.
 */
@ApplicationScoped
class PrincipalReader {

    private final AuthKeys keys;
    private final JwtVerifier verifier;

    PrincipalReader(AuthKeys keys) {
        this.keys = keys;
        this.verifier = keys.verifier();
    }

    Uni<Principal> read(String jwt) {
        return Uni.createFrom().item(() -> verifier.principal(jwt)).onFailure().recoverWithUni(failure -> {
            boolean keyKnown = JwtVerifier.keyId(jwt).flatMap(keys::key).isPresent();
            return keyKnown
                    ? Uni.createFrom().failure(failure)
                    : keys.refresh().map(ignored -> verifier.principal(jwt));
        });
    }

    /** Fetches auth-service's keys in the background from start-up on, so the first socket finds them. */
    void loadKeys() {
        keys.loadInBackground();
    }
}
