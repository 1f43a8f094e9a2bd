package dev.relay.auth.rest;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.relay.auth.join.InviteService;
import dev.relay.auth.repository.Invite;
import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.CredentialJson;
import dev.relay.common.error.RelayException;
import dev.relay.common.wire.Success;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Join codes for adding a machine to the workspace without handing it the admin key; admin key only. */
@Path("/v1/workspace/invites")
@WorkspaceKeyOnly
public class InviteResource {

    private final InviteService invites;
    private final CurrentPrincipal principal;
    private final HttpServerRequest http;
    private final Clock clock;

    InviteResource(InviteService invites, CurrentPrincipal principal, HttpServerRequest http, Clock clock) {
        this.invites = invites;
        this.principal = principal;
        this.http = http;
        this.clock = clock;
    }

    /** An invite on the wire; {@code code} only in the answer to its creation. */
    public record InviteBody(String id, String label, List<String> capabilities, String status, int maxUses,
            int uses, Instant expiresAt, Instant createdAt, Instant revokedAt, Instant lastUsedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String code) {

        static InviteBody of(Invite i, Instant now, String code) {
            return new InviteBody(i.id, i.label, CredentialJson.strings(i.capabilities), i.status(now), i.maxUses,
                    i.uses, i.expiresAt, i.createdAt, i.revokedAt, i.lastUsedAt, code);
        }
    }

    @POST
    public Uni<RestResponse<Success<InviteBody>>> create(Map<String, Object> body) {
        if (body == null) {
            throw RelayException.badRequest("A JSON object body is required ({} for the defaults)");
        }
        return invites.create(principal.get().workspaceId(), principal.get().credentialId(), body, caller())
                .map(created -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(InviteBody.of(created.invite(), clock.instant(), created.code()))));
    }

    @GET
    public Uni<Success<List<InviteBody>>> list() {
        Instant now = clock.instant();
        return invites.list(principal.get().workspaceId())
                .map(found -> Success.of(found.stream().map(i -> InviteBody.of(i, now, null)).toList()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<RestResponse<Void>> revoke(@PathParam("id") String id) {
        return invites.revoke(principal.get().workspaceId(), id, caller()).replaceWith(RestResponse.noContent());
    }

    private Caller caller() {
        return GatewayCaller.of(http);
    }
}
