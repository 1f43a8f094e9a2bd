package dev.relay.workspace.rest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.common.error.RelayException;
import dev.relay.common.event.EventTypes;
import dev.relay.common.internal.CallableBy;
import dev.relay.common.wire.Success;
import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.service.AgentService;
import dev.relay.workspace.service.AgentService.Registration;
import dev.relay.workspace.service.EventLog;
import dev.relay.workspace.service.ReceiptService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * What delivery-service asks of workspace-service (never routed by the gateway): agents a broker registers over its
 * node socket, agent lookups for bindings, token rotation when a broker recovers an agent, and the events
 * delivery-service emits (node status, agent exits, delivery lifecycle) appended to the workspace's durable log.
 */
@Path("/internal/workspaces/{workspaceId}")
@CallableBy("delivery-service")
public class InternalAgentResource {

    private static final int MOST_READS = 10_000;

    private final AgentService agents;
    private final EventLog events;
    private final ReceiptService receipts;
    private final OutboxRelay outbox;

    InternalAgentResource(AgentService agents, EventLog events, ReceiptService receipts, OutboxRelay outbox) {
        this.agents = agents;
        this.events = events;
        this.receipts = receipts;
        this.outbox = outbox;
    }

    /**
     * Reads implied by acknowledged deliveries, batched by delivery-service: `{"reads": [{"agent_id", "message_ids":
     * [...]}]}`. Recorded once each, read markers moved forward, no events; unknown messages are skipped. The whole
     * report is one transaction.
     */
    @POST
    @Path("/reads")
    public Uni<RestResponse<Void>> reads(@PathParam("workspaceId") String workspaceId, Map<String, Object> body) {
        if (body == null || !(body.get("reads") instanceof List<?> reads)) {
            throw RelayException.badRequest("reads must be an array of {agent_id, message_ids}");
        }
        Map<String, List<String>> byAgent = new LinkedHashMap<>();
        int total = 0;
        for (Object item : reads) {
            if (!(item instanceof Map<?, ?> read) || !(read.get("agent_id") instanceof String agentId)
                    || !(read.get("message_ids") instanceof List<?> ids)
                    || !ids.stream().allMatch(String.class::isInstance)) {
                throw RelayException.badRequest("each read needs agent_id (a string) and message_ids (strings)");
            }
            total += ids.size();
            if (total > MOST_READS) {
                throw RelayException.badRequest("at most " + MOST_READS + " message ids per request");
            }
            ids.forEach(id -> byAgent.computeIfAbsent(agentId, a -> new java.util.ArrayList<>()).add((String) id));
        }
        return receipts.recordAcked(workspaceId, byAgent).replaceWith(RestResponse.noContent());
    }

    /** An agent as delivery-service needs it; `token` only when one was just minted or rotated. */
    public record AgentRef(String agentId, String workspaceId, String name, String status, String token) {
        static AgentRef of(Agent agent, String token) {
            return new AgentRef(agent.id, agent.workspaceId, agent.name, agent.status, token);
        }
    }

    /** An event for the workspace's log; `recipients` only for message-bearing types. */
    public record AppendEvent(String type, String channelId, Map<String, Object> payload, Map<String, Object> data) {
    }

    @POST
    @Path("/agents")
    public Uni<RestResponse<Success<AgentRef>>> register(@PathParam("workspaceId") String workspaceId,
            Map<String, Object> body) {
        Map<String, Object> input = body == null ? Map.of() : body;
        String name = AgentService.validName(input.get("name") instanceof String s ? s : null);
        Object type = input.getOrDefault("type", "agent");
        if (!(type instanceof String) || !List.of("agent", "human", "system").contains(type)) {
            throw RelayException.badRequest("type must be one of agent, human, system");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (input.get("metadata") instanceof Map<?, ?> given) {
            given.forEach((k, v) -> metadata.put(String.valueOf(k), v));
        }
        Object issuedBy = input.get("issued_by");
        if (issuedBy != null && !(issuedBy instanceof String)) {
            throw RelayException.badRequest("issued_by must be a credential id");
        }
        return agents.register(workspaceId, new Registration(name, (String) type, null, metadata, null),
                (String) issuedBy)
                .map(registered -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(AgentRef.of(registered.agent(), registered.token()))));
    }

    @GET
    @Path("/agents/{name}")
    public Uni<Success<AgentRef>> get(@PathParam("workspaceId") String workspaceId, @PathParam("name") String name) {
        return agents.get(workspaceId, name).map(agent -> Success.of(AgentRef.of(agent, null)));
    }

    @POST
    @Path("/agents/{name}/rotate-token")
    public Uni<Success<AgentRef>> rotate(@PathParam("workspaceId") String workspaceId,
            @PathParam("name") String name) {
        return agents.rotateToken(workspaceId, name, Optional.empty())
                .map(rotated -> Success.of(AgentRef.of(rotated.agent(), rotated.token())));
    }

    @POST
    @Path("/agents/{name}/status")
    public Uni<Success<AgentRef>> status(@PathParam("workspaceId") String workspaceId, @PathParam("name") String name,
            Map<String, Object> body) {
        Object status = body == null ? null : body.get("status");
        if (!(status instanceof String s) || !AgentService.STATUSES.contains(s)) {
            throw RelayException.badRequest("status must be one of " + String.join(", ", AgentService.STATUSES));
        }
        return agents.update(workspaceId, name, Map.of("status", status))
                .map(agent -> Success.of(AgentRef.of(agent,
                        null)));
    }

    /**
     * Appends an event delivery-service emits; answers 201 with `{"event_id"}`. There is no `seq` in the answer: the
     * outbox relay gives the event its seq after the commit (see {@link OutboxRelay}), and delivery-service ignores
     * the answer anyway.
     */
    @POST
    @Path("/events")
    public Uni<RestResponse<Success<Map<String, Object>>>> append(@PathParam("workspaceId") String workspaceId,
            AppendEvent event) {
        if (event == null || event.type() == null || !EventTypes.isDeliveryServiceEvent(event.type())) {
            throw RelayException.badRequest("type must be an event delivery-service emits (node.status.*, "
                    + "agent.exited, delivery.*)");
        }
        Map<String, Object> payload = event.payload() == null ? Map.of() : event.payload();
        EventLog.Event entry = new EventLog.Event(event.type(), null, event.channelId(), payload, event.data(), null);
        return Panache.withTransaction(() -> events.append(workspaceId, entry, Instant.now()))
                .invoke(outbox::nudge)
                .map(row -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(Map.<String, Object>of("event_id", row.eventId()))));
    }
}
