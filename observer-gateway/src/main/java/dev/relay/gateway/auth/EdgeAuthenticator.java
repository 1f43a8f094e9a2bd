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
        Optional<EdgeVerdict.Allowed> cached = cache.get(Tokens.sha256Hex(token), access.cacheKey(),
                Clock.systemUTC().instant());
        if (cached.isPresent()) {
            return Uni.createFrom().item(cached.get());
        }
        return verifyNow(token, access, remoteHost);
    }

    /**
     * Verifies {@code token} at auth-service whatever the cache holds (the observer stream's re-checks of open
     * sockets must see expiries and narrowed scopes), and caches a success for the next request.
     */
    public Uni<EdgeVerdict> verifyNow(String token, Access access, String remoteHost) {
        String hash = Tokens.sha256Hex(token);
        JsonObject body = new JsonObject().put("token", token)
                .put("kinds", new JsonArray(access.kinds().stream().map(k -> k.wireName()).toList()))
                .put("any_scope", new JsonArray(access.observerScopes()))
                .put("remote_host", remoteHost);
        return internal.post(config.auth().url(), "/internal/credentials/verify", body)
                .map(data -> verdict(data))
                .invoke(verdict -> {
                    if (verdict instanceof EdgeVerdict.Allowed allowed) {
                        cache.put(hash, access.cacheKey(), allowed);
                    } else if (withdrawn((EdgeVerdict.Denied) verdict)) {
                        cache.drop(hash); // the token itself is no longer good, for any route
                    }
                });
    }

    /** A refusal of the token itself, not of its use on one route (wrong kind, missing scope). */
    private static boolean withdrawn(EdgeVerdict.Denied denied) {
        return !RefusalReason.WRONG_KIND.wireName().equals(denied.reason())
                && !RefusalReason.MISSING_SCOPE.wireName().equals(denied.reason());
    }

    private static EdgeVerdict verdict(JsonObject data) {
        if ("verified".equals(data.getString("outcome"))) {
            JsonObject principal = data.getJsonObject("principal", new JsonObject());
            return new EdgeVerdict.Allowed(data.getString("jwt"), Instant.parse(data.getString("jwt_expires_at")),
                    data.getString("kind"), principal.getString("workspace_id"), data.getString("hash_prefix"),
                    principal.getJsonArray("capabilities", new JsonArray()).stream().map(String::valueOf).toList());
        }
        JsonObject error = data.getJsonObject("error", new JsonObject());
        return new EdgeVerdict.Denied(data.getInteger("status", 401), error.getString("code", "unauthorized"),
                error.getString("message", "Unauthorized"), data.getString("reason"), data.getString("kind"),
                data.getString("hash_prefix"));
    }
}
