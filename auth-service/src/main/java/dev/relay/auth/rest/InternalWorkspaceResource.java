package dev.relay.auth.rest;

import dev.relay.common.internal.CallableBy;
import java.time.Instant;
import java.util.Optional;

import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.auth.service.CredentialService;
import io.smallrye.mutiny.Uni;

/** `PUT /internal/workspaces/{id}/expiry`: workspace-service tells auth-service when a workspace expires. */
@Path("/internal/workspaces/{id}/expiry")
@CallableBy("workspace-service")
public class InternalWorkspaceResource {

    private final CredentialService credentials;

    InternalWorkspaceResource(CredentialService credentials) {
        this.credentials = credentials;
    }

    /** {@code expires_at} null removes the expiry. */
    public record ExpiryBody(Instant expiresAt) {
    }

    @PUT
    public Uni<RestResponse<Void>> setExpiry(@PathParam("id") String workspaceId, ExpiryBody body) {
        return credentials.setWorkspaceExpiry(workspaceId, Optional.ofNullable(body).map(ExpiryBody::expiresAt))
                .map(ignored -> RestResponse.noContent());
    }
}
