package dev.relay.auth.rest;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.auth.join.WorkspaceKeys;
import dev.relay.auth.repository.Credential;
import dev.relay.auth.service.CredentialJson;
import dev.relay.common.wire.Success;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The workspace's keys (never their secrets), and revoking a machine's key; admin key only. */
@Path("/v1/workspace/keys")
@WorkspaceKeyOnly
public class WorkspaceKeyResource {

    private final WorkspaceKeys keys;
    private final CurrentPrincipal principal;
    private final HttpServerRequest http;

    WorkspaceKeyResource(WorkspaceKeys keys, CurrentPrincipal principal, HttpServerRequest http) {
        this.keys = keys;
        this.principal = principal;
        this.http = http;
    }

    /** A key on the wire: {@code role} is {@code admin} (the full key) or {@code restricted}. */
    public record KeyBody(String id, String role, String label, String displayPrefix, List<String> capabilities,
            String status, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {

        static KeyBody of(Credential c) {
            List<String> capabilities = CredentialJson.strings(c.capabilities);
            return new KeyBody(c.id, capabilities.isEmpty() ? "admin" : "restricted", c.label, c.displayPrefix,
                    capabilities, c.status, c.createdAt, c.lastUsedAt, c.revokedAt);
        }
    }

    @GET
    public Uni<Success<List<KeyBody>>> list() {
        return keys.list(principal.get().workspaceId())
                .map(found -> Success.of(found.stream().map(KeyBody::of).toList()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<RestResponse<Void>> revoke(@PathParam("id") String id) {
        return keys.revoke(principal.get().workspaceId(), id,
                GatewayCaller.of(http))
                .replaceWith(RestResponse.noContent());
    }
}
