package dev.relay.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.CredentialJson;
import dev.relay.auth.service.ObserverTokenService;
import dev.relay.auth.service.ObserverTokenService.View;
import dev.relay.common.error.RelayException;
import dev.relay.common.wire.Success;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Observer tokens (contract §3.2, §7): read-only, scoped, filtered tokens for dashboards; workspace key only. */
@Path("/v1/observer-tokens")
@WorkspaceKeyOnly
public class ObserverTokenResource {

    private final ObserverTokenService observers;
    private final CurrentPrincipal principal;
    private final HttpServerRequest http;

    ObserverTokenResource(ObserverTokenService observers, CurrentPrincipal principal, HttpServerRequest http) {
        this.observers = observers;
        this.principal = principal;
        this.http = http;
    }

    /** The wire shape; `token` only right after create and rotate. */
    public record ObserverTokenBody(String id, String name, String description, List<String> scopes,
            Map<String, Object> filters, String status, Instant expiresAt, Instant createdAt, Instant updatedAt,
            Instant revokedAt, Instant lastUsedAt, @JsonInclude(JsonInclude.Include.NON_NULL) String token) {

        static ObserverTokenBody of(View view) {
            return new ObserverTokenBody(view.token().id, view.token().name, view.token().description,
                    CredentialJson.strings(view.credential().scopes), CredentialJson.object(view.credential().filters),
                    view.credential().status, view.credential().expiresAt, view.token().createdAt,
                    view.token().updatedAt, view.credential().revokedAt, view.credential().lastUsedAt, view.rawToken());
        }
    }

    @POST
    public Uni<RestResponse<Success<ObserverTokenBody>>> create(Map<String, Object> body) {
        return observers.create(workspaceId(), required(body), caller())
                .map(view -> RestResponse.status(RestResponse.Status.CREATED, Success.of(ObserverTokenBody.of(view))));
    }

    @GET
    public Uni<Success<List<ObserverTokenBody>>> list() {
        return observers.list(workspaceId())
                .map(views -> Success.of(views.stream()
                        .map(ObserverTokenBody::of)
                        .toList()));
    }

    @GET
    @Path("/{id}")
    public Uni<Success<ObserverTokenBody>> get(@PathParam("id") String id) {
        return observers.get(workspaceId(), id).map(view -> Success.of(ObserverTokenBody.of(view)));
    }

    @PATCH
    @Path("/{id}")
    public Uni<Success<ObserverTokenBody>> patch(@PathParam("id") String id, Map<String, Object> body) {
        return observers.patch(workspaceId(), id, required(body), caller())
                .map(view -> Success.of(ObserverTokenBody.of(view)));
    }

    @POST
    @Path("/{id}/rotate")
    public Uni<Success<ObserverTokenBody>> rotate(@PathParam("id") String id) {
        return observers.rotate(workspaceId(), id, caller()).map(view -> Success.of(ObserverTokenBody.of(view)));
    }

    @DELETE
    @Path("/{id}")
    public Uni<RestResponse<Void>> revoke(@PathParam("id") String id) {
        return observers.revoke(workspaceId(), id, caller()).map(ignored -> RestResponse.noContent());
    }

    private String workspaceId() {
        return principal.get().workspaceId();
    }

    private Caller caller() {
        return GatewayCaller.of(http);
    }

    private static Map<String, Object> required(Map<String, Object> body) {
        if (body == null) {
            throw RelayException.badRequest("A JSON object body is required");
        }
        return body;
    }
}
