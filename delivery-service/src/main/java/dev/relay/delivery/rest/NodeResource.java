package dev.relay.delivery.rest;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Capability;
import dev.relay.common.auth.Principal;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.delivery.push.PushConfig;
import dev.relay.delivery.service.KeyOwnership;
import dev.relay.delivery.service.NodeService;
import dev.relay.delivery.service.PushTargets;
import dev.relay.delivery.ws.NodeSockets;
import io.smallrye.mutiny.Uni;

/** Nodes and agent bindings (contract §3.10). */
@Path("/v1/nodes")
public class NodeResource {

    private final NodeService nodes;
    private final NodeSockets sockets;
    private final PushTargets pushTargets;
    private final Caller caller;
    private final Clock clock;
    private final KeyOwnership ownership;

    NodeResource(NodeService nodes, NodeSockets sockets, PushTargets pushTargets, Caller caller, Clock clock,
            KeyOwnership ownership) {
        this.nodes = nodes;
        this.ownership = ownership;
        this.pushTargets = pushTargets;
        this.sockets = sockets;
        this.caller = caller;
        this.clock = clock;
    }

    @POST
    public Uni<RestResponse<Success<Map<String, Object>>>> enrol(Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        NodeService.Enrolment enrolment = NodeService.enrolment(body == null ? Map.of() : body);
        if (enrolment.kind().equals("http_push")) {
            pushTargets.check((String) enrolment.delivery().get("url"));
            PushConfig.of(enrolment.delivery());
        }
        return nodes.enrol(principal.workspaceId(), enrolment, principal).map(enrolled -> {
            Map<String, Object> view = new java.util.LinkedHashMap<>(enrolled.node().view(clock.instant()));
            view.put("token", enrolled.token());
            return RestResponse.status(RestResponse.Status.CREATED, Success.of(view));
        });
    }

    @GET
    public Uni<Success<List<Map<String, Object>>>> list(@QueryParam("capability") String capability,
            @QueryParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return nodes.list(principal.workspaceId(), capability, name)
                .map(list -> Success.of(list.stream().map(node -> node.view(clock.instant())).toList()));
    }

    @GET
    @Path("/{name}")
    public Uni<Success<Map<String, Object>>> get(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return nodes.get(principal.workspaceId(), name).map(node -> Success.of(node.view(clock.instant())));
    }

    @DELETE
    @Path("/{name}")
    public Uni<RestResponse<Void>> delete(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        return nodes.delete(principal.workspaceId(), name).map(ignored -> RestResponse.noContent());
    }

    @GET
    @Path("/{name}/agents")
    public Uni<Success<List<Map<String, Object>>>> bindings(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return nodes.bindings(principal.workspaceId(), name)
                .map(list -> Success.of(list.stream().map(NodeService::view).toList()));
    }

    @POST
    @Path("/{name}/agents")
    public Uni<RestResponse<Success<Map<String, Object>>>> bind(@PathParam("name") String name,
            Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        Map<String, Object> input = body == null ? Map.of() : body;
        if (!(input.get("agent_name") instanceof String agentName) || agentName.isBlank()) {
            throw RelayException.badRequest("agent_name is required");
        }
        Object sessionRef = input.get("session_ref");
        if (sessionRef != null && !(sessionRef instanceof String)) {
            throw RelayException.badRequest("session_ref must be a string or null");
        }
        Object priority = input.getOrDefault("priority", 0);
        if (!(priority instanceof Integer)) {
            throw RelayException.badRequest("priority must be an integer");
        }
        return requireOwn(principal, name, "Binding agents on")
                .flatMap(own -> nodes.bind(principal.workspaceId(), name, agentName, (String) sessionRef,
                        (Integer) priority))
                .call(binding -> sockets.replay(List.of(binding.agentId())))
                .map(binding -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(NodeService.view(binding))));
    }

    @DELETE
    @Path("/{name}/agents/{agentName}")
    public Uni<RestResponse<Void>> unbind(@PathParam("name") String name, @PathParam("agentName") String agentName) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY);
        return requireOwn(principal, name, "Unbinding agents from")
                .flatMap(own -> nodes.unbind(principal.workspaceId(), name, agentName))
                .map(ignored -> RestResponse.noContent());
    }

    /**
     * Passes when the caller may manage the node; only a restricted key's call looks the node up (the operation itself
     * answers 404 for an unknown node).
     */
    private Uni<Void> requireOwn(Principal principal, String name, String attempted) {
        if (!Capability.restricted(principal)) {
            return Uni.createFrom().voidItem();
        }
        return nodes.get(principal.workspaceId(), name)
                .flatMap(node -> ownership.requireOwn(principal, node, attempted))
                .replaceWithVoid();
    }
}
