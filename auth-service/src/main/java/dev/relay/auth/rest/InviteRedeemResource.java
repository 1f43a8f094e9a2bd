package dev.relay.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.auth.config.AuthConfig;
import dev.relay.auth.join.InviteService;
import dev.relay.auth.join.InviteService.Redeemed;
import dev.relay.auth.service.CredentialJson;
import dev.relay.common.error.RelayException;
import dev.relay.common.wire.Success;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Redeeming a join code, without any key: the answer holds everything a machine needs to join the workspace (its id,
 * the engine's base URL and a new restricted workspace key, shown once).
 */
@Path("/v1/invites/redeem")
public class InviteRedeemResource {

    private final InviteService invites;
    private final HttpServerRequest http;
    private final AuthConfig config;

    InviteRedeemResource(InviteService invites, HttpServerRequest http, AuthConfig config) {
        this.invites = invites;
        this.http = http;
        this.config = config;
    }

    /** The machine's new key, as the admin's key list shows it, plus its secret. */
    public record KeyBody(String id, String label, String displayPrefix, List<String> capabilities,
            Instant createdAt) {
    }

    public record RedeemedBody(String workspaceId, String baseUrl, String apiKey, KeyBody key, String inviteId) {

        static RedeemedBody of(Redeemed r, String baseUrl) {
            var c = r.key().credential();
            return new RedeemedBody(c.workspaceId, baseUrl, r.key().token(), new KeyBody(c.id, c.label,
                    c.displayPrefix, CredentialJson.strings(c.capabilities), c.createdAt), r.invite().id);
        }
    }

    @POST
    public Uni<RestResponse<Success<RedeemedBody>>> redeem(Map<String, Object> body) {
        if (body == null || !(body.get("code") instanceof String code) || code.isBlank()) {
            throw RelayException.badRequest("A JSON body {\"code\": \"XXXX-XXXX-XXXX\"} is required");
        }
        if (!Set.of("code").containsAll(body.keySet())) {
            throw RelayException.badRequest("Unknown field; redeeming takes only \"code\"");
        }
        return invites.redeem(code, GatewayCaller.of(http))
                .map(redeemed -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(RedeemedBody.of(redeemed, baseUrl()))));
    }

    private String baseUrl() {
        if (config.publicUrl().isPresent()) {
            return config.publicUrl().get().replaceAll("/+$", "");
        }
        String proto = http.getHeader("X-Forwarded-Proto");
        String host = http.getHeader("X-Forwarded-Host");
        return (proto == null ? http.scheme() : proto) + "://" + (host == null ? http.authority().toString() : host);
    }
}
