package dev.relay.auth.rest;

import dev.relay.common.internal.CallableBy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.CredentialService;
import dev.relay.auth.service.CredentialService.MintRequest;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import io.smallrye.mutiny.Uni;

/** The internal credential API other services call to mint, rotate, revoke and list credentials. */
@Path("/internal/credentials")
@CallableBy({"workspace-service", "delivery-service", "observer-gateway"})
public class InternalCredentialResource {

    private final CredentialService credentials;
    private final CallingService caller;

    InternalCredentialResource(CredentialService credentials, CallingService caller) {
        this.credentials = credentials;
        this.caller = caller;
    }

    public record MintBody(@NotBlank String kind, @NotBlank String workspaceId, @NotBlank String subjectId,
            String subjectName, List<String> scopes, Map<String, Object> filters, List<String> capabilities,
            String label,
            Instant expiresAt, String issuedBy) {
    }

    public record Minted(CredentialView credential, String token) {
    }

    public record RotateBody(@PositiveOrZero Long graceSeconds) {
    }

    public record RevokeBody(String reason) {
    }

    public record RevokeSubjectBody(@NotBlank String workspaceId, @NotBlank String subjectId, String reason) {
    }

    public record RevokeWorkspaceBody(@NotBlank String workspaceId, String reason) {
    }

    public record Revoked(int revoked, List<CredentialView> credentials) {
    }

    @POST
    public Uni<RestResponse<Success<Minted>>> mint(@Valid @NotNull MintBody body) {
        MintRequest request = new MintRequest(kind(body.kind()), body.workspaceId(), body.subjectId(),
                body.subjectName(),
                body.scopes(), body.filters(), body.capabilities(), body.label(), body.expiresAt(), body.issuedBy());
        return credentials.mint(request, caller())
                .map(minted -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(new Minted(CredentialView.of(minted.credential()), minted.token()))));
    }

    @GET
    public Uni<Success<List<CredentialView>>> list(@QueryParam("workspace_id") String workspaceId,
            @QueryParam("subject_id") String subjectId) {
        if (workspaceId == null || workspaceId.isBlank() || subjectId == null || subjectId.isBlank()) {
            throw RelayException.badRequest("workspace_id and subject_id are required");
        }
        return credentials.list(workspaceId, subjectId)
                .map(found -> Success.of(found.stream().map(CredentialView::of).toList()));
    }

    @GET
    @Path("/{id}")
    public Uni<Success<CredentialView>> get(@PathParam("id") String id) {
        return credentials.get(id).map(found -> Success.of(CredentialView.of(found)));
    }

    @POST
    @Path("/{id}/rotate")
    public Uni<Success<Minted>> rotate(@PathParam("id") String id, @Valid RotateBody body) {
        Duration grace = body == null || body.graceSeconds() == null
                ? Duration.ZERO
                : Duration.ofSeconds(body.graceSeconds());
        return credentials.rotate(id, grace, caller())
                .map(minted -> Success.of(new Minted(CredentialView.of(minted.credential()), minted.token())));
    }

    @POST
    @Path("/{id}/revoke")
    public Uni<Success<CredentialView>> revoke(@PathParam("id") String id, RevokeBody body) {
        return credentials.revoke(id, body == null ? null : body.reason(), caller())
                .map(revoked -> Success.of(CredentialView.of(revoked)));
    }

    @POST
    @Path("/revoke-subject")
    public Uni<Success<Revoked>> revokeSubject(@Valid @NotNull RevokeSubjectBody body) {
        return credentials.revokeSubject(body.workspaceId(), body.subjectId(), body.reason(), caller())
                .map(revoked -> Success
                        .of(new Revoked(revoked.size(), revoked.stream().map(CredentialView::of).toList())));
    }

    @POST
    @Path("/revoke-workspace")
    public Uni<Success<Revoked>> revokeWorkspace(@Valid @NotNull RevokeWorkspaceBody body) {
        return credentials.revokeWorkspace(body.workspaceId(), body.reason(), caller())
                .map(revoked -> Success
                        .of(new Revoked(revoked.size(), revoked.stream().map(CredentialView::of).toList())));
    }

    private Caller caller() {
        return new Caller(caller.name(), null);
    }

    static Set<TokenKind> kinds(List<String> wireNames) {
        return wireNames == null
                ? Set.of()
                : Set.copyOf(wireNames.stream()
                        .map(InternalCredentialResource::kind)
                        .toList());
    }

    static TokenKind kind(String wireName) {
        return TokenKind.fromWireName(wireName)
                .orElseThrow(() -> RelayException.badRequest("unknown token kind '"
                        + wireName + "' (one of workspace_key, agent_token, node_token, observer_token)"));
    }
}
