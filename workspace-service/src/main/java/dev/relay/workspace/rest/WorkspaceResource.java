package dev.relay.workspace.rest;

import dev.relay.common.auth.Caller;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.repository.Workspace;
import dev.relay.workspace.service.JsonText;
import dev.relay.workspace.service.WorkspaceService;
import io.smallrye.mutiny.Uni;

/** Workspaces (contract §3.1): create, look up by name, read, change, delete, and the system prompt. */
@Path("/v1")
public class WorkspaceResource {

    private static final int MIN_EXPIRY_SECONDS = 60;
    private static final int MAX_EXPIRY_SECONDS = 2_592_000;

    private final WorkspaceService workspaces;
    private final Caller caller;

    WorkspaceResource(WorkspaceService workspaces, Caller caller) {
        this.workspaces = workspaces;
        this.caller = caller;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateBody(String name, Integer expiresInSeconds, Map<String, Object> provenance) {
    }

    /** `api_key` only for a new workspace: an existing one's key is never stored, so it cannot be echoed. */
    public record CreatedBody(String workspaceId, @JsonInclude(JsonInclude.Include.NON_NULL) String apiKey,
            Instant createdAt) {
    }

    public record LookupBody(String id, String name, Instant createdAt) {
    }

    public record WorkspaceBody(String id, String name, String systemPrompt, String plan, Instant createdAt,
            Map<String, Object> metadata) {

        static WorkspaceBody of(Workspace w) {
            return new WorkspaceBody(w.id, w.name, w.systemPrompt, w.plan, w.createdAt, JsonText.read(w.metadata));
        }
    }

    public record PromptBody(String prompt, boolean isDefault) {

        static PromptBody of(Workspace w) {
            return w.systemPrompt == null
                    ? new PromptBody(WorkspaceService.DEFAULT_SYSTEM_PROMPT, true)
                    : new PromptBody(w.systemPrompt, false);
        }
    }

    @POST
    @Path("/workspaces")
    public Uni<RestResponse<Success<CreatedBody>>> create(CreateBody body) {
        if (body == null || body.name() == null || body.name().isBlank()) {
            throw RelayException.badRequest("name is required");
        }
        if (body.name().length() > 255) {
            throw RelayException.badRequest("name must be at most 255 characters");
        }
        Integer expiry = body.expiresInSeconds();
        if (expiry != null && (expiry < MIN_EXPIRY_SECONDS || expiry > MAX_EXPIRY_SECONDS)) {
            throw RelayException.badRequest("expires_in_seconds must be between 60 and 2592000");
        }
        return workspaces.create(body.name(), expiry, body.provenance(), caller.optional())
                .map(created -> RestResponse.status(created.existed()
                        ? RestResponse.Status.OK
                        : RestResponse.Status.CREATED,
                        Success.of(new CreatedBody(created.workspace().id,
                                created.apiKey().orElse(null), created.workspace().createdAt))));
    }

    @GET
    @Path("/workspaces/by-name/{name}")
    public Uni<Success<LookupBody>> byName(@PathParam("name") String name) {
        return workspaces.byName(name).map(w -> Success.of(new LookupBody(w.id, w.name, w.createdAt)));
    }

    @GET
    @Path("/workspace")
    public Uni<Success<WorkspaceBody>> get() {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.OBSERVER_TOKEN);
        return workspaces.get(principal.workspaceId()).map(w -> Success.of(WorkspaceBody.of(w)));
    }

    @PATCH
    @Path("/workspace")
    public Uni<Success<WorkspaceBody>> update(Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        Map<String, Object> patch = body == null ? Map.of() : body;
        Optional<String> name = Optional.empty();
        if (patch.containsKey("name")) {
            if (!(patch.get("name") instanceof String n) || n.isBlank() || n.length() > 255) {
                throw RelayException.badRequest("name must be a non-empty string of at most 255 characters");
            }
            name = Optional.of(n);
        }
        Optional<Optional<String>> prompt = Optional.empty();
        if (patch.containsKey("system_prompt")) {
            Object value = patch.get("system_prompt");
            if (value != null && !(value instanceof String)) {
                throw RelayException.badRequest("system_prompt must be a string or null");
            }
            prompt = Optional.of(Optional.ofNullable((String) value));
        }
        return workspaces.update(principal.workspaceId(), name, prompt).map(w -> Success.of(WorkspaceBody.of(w)));
    }

    @DELETE
    @Path("/workspace")
    public Uni<RestResponse<Void>> delete() {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        return workspaces.delete(principal.workspaceId()).map(done -> RestResponse.noContent());
    }

    @DELETE
    @Path("/workspaces/{id}")
    public Uni<RestResponse<Void>> deleteById(@PathParam("id") String id) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        if (!principal.workspaceId().equals(id)) {
            throw new RelayException(ErrorCode.WORKSPACE_NOT_FOUND, "Workspace " + id + " not found");
        }
        return workspaces.delete(id).map(done -> RestResponse.noContent());
    }

    @GET
    @Path("/workspace/system-prompt")
    public Uni<Success<PromptBody>> systemPrompt() {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        return workspaces.get(principal.workspaceId()).map(w -> Success.of(PromptBody.of(w)));
    }

    @PUT
    @Path("/workspace/system-prompt")
    public Uni<Success<PromptBody>> setSystemPrompt(Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        Map<String, Object> put = body == null ? Map.of() : body;
        boolean reset = Boolean.TRUE.equals(put.get("reset"))
                || (put.containsKey("prompt") && put.get("prompt") == null);
        Optional<String> prompt = Optional.empty();
        if (!reset) {
            if (!(put.get("prompt") instanceof String text) || text.isBlank()) {
                throw RelayException.badRequest("prompt must be a non-empty string (or null, or reset: true)");
            }
            prompt = Optional.of(text);
        }
        return workspaces.update(principal.workspaceId(), Optional.empty(), Optional.of(prompt))
                .map(w -> Success.of(PromptBody.of(w)));
    }
}
