package dev.relay.gateway.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.relay.common.auth.RefusalReason;
import dev.relay.common.auth.RevocationListener;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.internal.ServiceJwtClient;
import dev.relay.common.token.Tokens;
import dev.relay.gateway.config.GatewayConfig;
import dev.relay.gateway.route.Access;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Authenticates each public request once, at the edge: a cached verification when there is one, otherwise a call
 * to auth-service. Refusals never reach a service.
 */
@ApplicationScoped
public class EdgeAuthenticator {

    private final ServiceJwtClient internal;
    private final VerificationCache cache;
    private final GatewayConfig config;
    private final RevocationListener revocations;

    EdgeAuthenticator(ServiceJwtClient internal, VerificationCache cache, GatewayConfig config,
            RevocationListener revocations) {
        this.internal = internal;
        this.cache = cache;
        this.config = config;
        this.revocations = revocations;
    }

    void listenForRevocations(@Observes StartupEvent event) {
        revocations.listen().await().indefinitely();
    }

    /** Verifies {@code token} (may be null: no token presented) against the route's access rule. */
    public Uni<EdgeVerdict> authenticate(String token, Access access, String remoteHost) {
        if (token == null || token.isBlank()) {
            ErrorCode code = RefusalReason.MALFORMED.errorCode(Optional.empty());
            return Uni.createFrom()
                    .item(new EdgeVerdict.Denied(code.status(), code.code(),
                            "Missing or invalid Authorization header", RefusalReason.MALFORMED.wireName(), null, null));
        }
        String hash = Tokens.sha256Hex(token);
        Instant now = Clock.systemUTC().instant();
        Optional<EdgeVerdict.Allowed> cached = cache.get(hash, access.cacheKey(), now);
        if (cached.isPresent()) {
            return Uni.createFrom().item(cached.get());
        }
        JsonObject body = new JsonObject().put("token", token)
                .put("kinds", new JsonArray(access.kinds().stream().map(k -> k.wireName()).toList()))
                .put("any_scope", new JsonArray(access.observerScopes()))
                .put("remote_host", remoteHost);
        return internal.post(config.auth().url(), "/internal/credentials/verify", body)
                .map(data -> verdict(data))
                .invoke(verdict -> {
                    if (verdict instanceof EdgeVerdict.Allowed allowed) {
                        cache.put(hash, access.cacheKey(), allowed);
                    }
                });
    }

    private static EdgeVerdict verdict(JsonObject data) {
        if ("verified".equals(data.getString("outcome"))) {
            JsonObject principal = data.getJsonObject("principal", new JsonObject());
            return new EdgeVerdict.Allowed(data.getString("jwt"), Instant.parse(data.getString("jwt_expires_at")),
                    data.getString("kind"), principal.getString("workspace_id"), data.getString("hash_prefix"));
        }
        JsonObject error = data.getJsonObject("error", new JsonObject());
        return new EdgeVerdict.Denied(data.getInteger("status", 401), error.getString("code", "unauthorized"),
                error.getString("message", "Unauthorized"), data.getString("reason"), data.getString("kind"),
                data.getString("hash_prefix"));
    }
}
