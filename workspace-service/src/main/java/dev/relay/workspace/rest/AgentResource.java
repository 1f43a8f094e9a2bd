package dev.relay.workspace.rest;

import dev.relay.common.auth.Caller;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.ChannelMember;
import dev.relay.workspace.service.AgentService;
import dev.relay.workspace.service.AgentService.Registration;
import dev.relay.workspace.service.JsonText;
import dev.relay.workspace.service.Presence;
import io.smallrye.mutiny.Uni;

/**
 * Agents and identity (contract §3.3): register, list, get, me, patch, delete, rotate-token; and presence (§9):
 * heartbeat, disconnect, who is online.
 */
@Path("/v1")
public class AgentResource {

    private final AgentService agents;
    private final Presence presence;
    private final Caller caller;

    AgentResource(AgentService agents, Presence presence, Caller caller) {
        this.agents = agents;
        this.presence = presence;
        this.caller = caller;
    }

    public record PresenceBody(String agentId, String agentName, String status) {
    }

    public record RegisteredBody(String id, String workspaceId, String name, String handle, String token,
            String status, Map<String, Object> capabilities, Instant createdAt) {
    }

    public record AgentBody(String id, String name, String handle, String type, String status, String persona,
            Map<String, Object> capabilities, Instant createdAt, Instant lastSeen, Map<String, Object> metadata) {

        static AgentBody of(Agent a) {
            return new AgentBody(a.id, a.name, "@" + a.name, a.type, a.status, a.persona, JsonText.read(a.capabilities),
                    a.createdAt, a.lastSeen, JsonText.read(a.metadata));
        }
    }

    public record ChannelRef(String id, String name, String role, Instant joinedAt) {
    }

    /**
     * The detail view. `pending_deliveries` is delivery-service's and not joined in yet: always empty here; agents
     * read their queue with `GET /v1/deliveries`.
     */
    public record AgentDetailBody(String id, String workspaceId, String name, String handle, String type, String status,
            String persona, Map<String, Object> capabilities, Instant createdAt, Instant lastSeen,
            Map<String, Object> metadata, List<ChannelRef> channels, List<Object> actionsProvided,
            List<Object> actionsAvailableTo, List<Object> pendingDeliveries) {
    }

    public record TokenBody(String name, String token) {
    }

    @POST
    @Path("/agents")
    public Uni<RestResponse<Success<RegisteredBody>>> register(Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        Registration registration = registration(body == null ? Map.of() : body);
        return agents.register(principal.workspaceId(), registration, principal.credentialId()).map(registered -> {
            Agent a = registered.agent();
            return RestResponse.status(RestResponse.Status.CREATED, Success.of(new RegisteredBody(a.id, a.workspaceId,
                    a.name, "@" + a.name, registered.token(), a.status, JsonText.read(a.capabilities), a.createdAt)));
        });
    }

    @GET
    @Path("/agents")
    public Uni<Success<List<AgentBody>>> list(@QueryParam("status") String status) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return agents.list(principal.workspaceId(), status)
                .map(found -> Success.of(found.stream()
                        .filter(a -> visible(principal, a))
                        .map(AgentBody::of)
                        .toList()));
    }

    /** Every agent of the workspace, online or offline by its last sign of life (§9). */
    @GET
    @Path("/agents/presence")
    public Uni<Success<List<PresenceBody>>> presence() {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        return agents.list(principal.workspaceId(), null)
                .flatMap(all -> presence.online(principal.workspaceId(), all.stream().map(a -> a.id).toList())
                        .map(online -> Success.of(all.stream()
                                .map(a -> new PresenceBody(a.id, a.name,
                                        online.getOrDefault(a.id, false) ? "online" : "offline"))
                                .toList())));
    }

    /** A sign of life; the SDK's AgentClient sends one when its socket opens and every 30 s after. */
    @POST
    @Path("/agents/heartbeat")
    public Uni<Success<Void>> heartbeat() {
        Principal principal = caller.require(TokenKind.AGENT_TOKEN);
        return presence.seen(principal.workspaceId(), principal.subjectId()).map(done -> new Success<>(true, null));
    }

    /**
     * The agent leaves: offline at once, without waiting for its presence to expire. The body is optional (the SDK
     * may send none), so it is read as text: an empty body, `{}` or `{"deregister": bool}`.
     */
    @POST
    @Path("/agents/disconnect")
    public Uni<Success<Void>> disconnect(String body) {
        Principal principal = caller.require(TokenKind.AGENT_TOKEN);
        Map<String, Object> fields = JsonText.readBody(body);
        if (fields.get("deregister") != null && !(fields.get("deregister") instanceof Boolean)) {
            throw RelayException.badRequest("deregister must be a boolean");
        }
        return presence.gone(principal.workspaceId(), principal.subjectId()).map(done -> new Success<>(true, null));
    }

    @GET
    @Path("/agents/{name}")
    public Uni<Success<AgentDetailBody>> get(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return agents.get(principal.workspaceId(), name).flatMap(agent -> {
            if (!visible(principal, agent)) {
                throw new RelayException(ErrorCode.AGENT_NOT_FOUND, "Agent '" + name + "' not found");
            }
            return detail(agent);
        });
    }

    @GET
    @Path("/agent")
    public Uni<Success<AgentDetailBody>> me() {
        Principal principal = caller.require(TokenKind.AGENT_TOKEN);
        return agents.byId(principal.workspaceId(), principal.subjectId()).flatMap(this::detail);
    }

    @PATCH
    @Path("/agents/{name}")
    public Uni<Success<AgentBody>> update(@PathParam("name") String name, Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        return agents.requireManagedBy(principal, principal.workspaceId(), name, "PATCH /v1/agents/:name")
                .flatMap(own -> agents.update(principal.workspaceId(), name, body == null ? Map.of() : body))
                .map(agent -> Success.of(AgentBody.of(agent)));
    }

    @DELETE
    @Path("/agents/{name}")
    public Uni<RestResponse<Void>> delete(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        return agents.delete(principal.workspaceId(), name).map(done -> RestResponse.noContent());
    }

    /** SDK 6.0.2 calls this with the workspace key (`registerOrRotate`); the agent's own token may too. */
    @POST
    @Path("/agents/{name}/rotate-token")
    public Uni<Success<TokenBody>> rotateToken(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        if (principal.kind() == TokenKind.AGENT_TOKEN && !name.equals(principal.subjectName())) {
            throw new RelayException(ErrorCode.AGENT_RECOVERY_NOT_AUTHORIZED,
                    "An agent token may rotate only its own agent's token");
        }
        Optional<String> callerAgentId = principal.kind() == TokenKind.AGENT_TOKEN
                ? Optional.of(principal.subjectId())
                : Optional.empty();
        return agents.requireManagedBy(principal, principal.workspaceId(), name, "POST /v1/agents/:name/rotate-token")
                .flatMap(own -> agents.rotateToken(principal.workspaceId(), name, callerAgentId))
                .map(rotated -> Success.of(new TokenBody(rotated.agent().name, rotated.token())));
    }

    private Uni<Success<AgentDetailBody>> detail(Agent a) {
        return agents.memberships(a.id).map(rows -> {
            List<ChannelRef> channels = rows.stream().map(row -> {
                Channel channel = (Channel) row[0];
                ChannelMember member = (ChannelMember) row[1];
                return new ChannelRef(channel.id, channel.name, member.role, member.joinedAt);
            }).toList();
            return Success.of(new AgentDetailBody(a.id, a.workspaceId, a.name, "@" + a.name, a.type, a.status,
                    a.persona, JsonText.read(a.capabilities), a.createdAt, a.lastSeen, JsonText.read(a.metadata),
                    channels, List.of(), List.of(), List.of()));
        });
    }

    /** Observers with an `agent_ids` filter see only those agents (contract §7.2). */
    private static boolean visible(Principal principal, Agent agent) {
        if (principal.kind() != TokenKind.OBSERVER_TOKEN) {
            return true;
        }
        return !(principal.filters().get("agent_ids") instanceof List<?> ids) || ids.contains(agent.id);
    }

    @SuppressWarnings("unchecked")
    private static Registration registration(Map<String, Object> body) {
        String name = AgentService.validName(body.get("name") instanceof String n ? n : null);
        Object type = body.get("type");
        if (type != null && !List.of("agent", "human", "system").contains(type)) {
            throw RelayException.badRequest("type must be one of agent, human, system");
        }
        Object persona = body.get("persona");
        if (persona != null && !(persona instanceof String)) {
            throw RelayException.badRequest("persona must be a string");
        }
        Map<String, Object> metadata = new HashMap<>(objectOrEmpty("metadata", body.get("metadata")));
        if (body.get("skills") != null) {
            if (!(body.get("skills") instanceof List<?>)) {
                throw RelayException.badRequest("skills must be an array");
            }
            metadata.put("skills", body.get("skills"));
        }
        return new Registration(name, (String) type, (String) persona, metadata,
                objectOrEmpty("capabilities", body.get("capabilities")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> objectOrEmpty(String field, Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw RelayException.badRequest(field + " must be an object");
        }
        return (Map<String, Object>) map;
    }
}
