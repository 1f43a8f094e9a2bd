package dev.relay.delivery.client;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.internal.ServiceJwtClient;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * delivery-service's calls to workspace-service, which owns agents and the event log: agents a broker registers or
 * recovers over its node socket, agent lookups for bindings, status changes, the events this service emits, and the
 * reads and signs of life it reports.
 */
@ApplicationScoped
public class WorkspaceClient {

    private final ServiceJwtClient internal;
    private final URI workspaceUrl;

    WorkspaceClient(ServiceJwtClient internal, @ConfigProperty(name = "relay.service.workspace-url") URI workspaceUrl) {
        this.internal = internal;
        this.workspaceUrl = workspaceUrl;
    }

    /** An agent as workspace-service describes it; {@code token} only right after a mint or rotation. */
    public record AgentRef(String agentId, String workspaceId, String name, String status, String token) {
        static AgentRef of(JsonObject data) {
            return new AgentRef(data.getString("agent_id"), data.getString("workspace_id"), data.getString("name"),
                    data.getString("status"), data.getString("token"));
        }
    }

    /**
     * Registers a new agent (409 {@code agent_already_exists} when the name is taken); its token is issued by the
     * caller's credential {@code issuedBy} (a broker's node token).
     */
    public Uni<AgentRef> register(String workspaceId, String name, String type, Map<String, Object> metadata,
            String issuedBy) {
        JsonObject body = new JsonObject().put("name", name)
                .put("type", type)
                .put("metadata", new JsonObject(metadata))
                .put("issued_by", issuedBy);
        return internal.post(workspaceUrl, path(workspaceId, "/agents"), body).map(AgentRef::of);
    }

    /** The agent of that name (404 {@code agent_not_found}). */
    public Uni<AgentRef> agent(String workspaceId, String name) {
        return internal.call(HttpMethod.GET, workspaceUrl, path(workspaceId, "/agents/" + encode(name)), null)
                .map(AgentRef::of);
    }

    /** A fresh agent token; the previous one stops working at once. */
    public Uni<AgentRef> rotateToken(String workspaceId, String name) {
        return internal.post(workspaceUrl, path(workspaceId, "/agents/" + encode(name) + "/rotate-token"),
                new JsonObject()).map(AgentRef::of);
    }

    /** Sets the agent's status; best effort (a failure is logged, never thrown). */
    public Uni<Void> setStatus(String workspaceId, String name, String status) {
        return internal.post(workspaceUrl, path(workspaceId, "/agents/" + encode(name) + "/status"),
                new JsonObject().put("status", status))
                .replaceWithVoid()
                .onFailure()
                .recoverWithUni(e -> {
                    Log.warnf("could not set agent %s of %s to %s: %s", name, workspaceId, status, e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    /** Appends an event this service emits to the workspace's durable log; best effort, logged on failure. */
    public Uni<Void> emit(String workspaceId, String type, Map<String, Object> data) {
        JsonObject body = new JsonObject().put("type", type)
                .put("payload", new JsonObject(data))
                .put("data", new JsonObject(data));
        return internal.post(workspaceUrl, path(workspaceId, "/events"), body)
                .replaceWithVoid()
                .onFailure()
                .recoverWithUni(e -> {
                    Log.warnf("could not record %s for workspace %s: %s", type, workspaceId, e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    /** Records the reads implied by acknowledged deliveries: agent id → message ids (contract §6.5). */
    public Uni<Void> reads(String workspaceId, Map<String, List<String>> byAgent) {
        JsonArray reads = new JsonArray();
        byAgent.forEach((agentId, messageIds) -> reads.add(new JsonObject().put("agent_id", agentId)
                .put("message_ids", new JsonArray(messageIds))));
        return internal.post(workspaceUrl, path(workspaceId, "/reads"), new JsonObject().put("reads", reads))
                .replaceWithVoid();
    }

    /** Records each agent as seen now (its node socket heartbeated, or started carrying it); at most 1000 ids. */
    public Uni<Void> presence(String workspaceId, Collection<String> agentIds) {
        return internal.post(workspaceUrl, path(workspaceId, "/presence"),
                new JsonObject().put("agent_ids", new JsonArray(List.copyOf(agentIds))))
                .replaceWithVoid();
    }

    private static String path(String workspaceId, String rest) {
        return "/internal/workspaces/" + encode(workspaceId) + rest;
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
