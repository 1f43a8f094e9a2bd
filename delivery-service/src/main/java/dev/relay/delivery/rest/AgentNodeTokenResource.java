package dev.relay.delivery.rest;

import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.delivery.service.NodeService;
import io.smallrye.mutiny.Uni;

/** `POST /v1/agent/node-token` (contract §3.3): the agent's implicit direct node, with a token rotated every call. */
@Path("/v1/agent/node-token")
public class AgentNodeTokenResource {

    private final NodeService nodes;
    private final Caller caller;

    AgentNodeTokenResource(NodeService nodes, Caller caller) {
        this.nodes = nodes;
        this.caller = caller;
    }

    @POST
    public Uni<Success<Map<String, Object>>> nodeToken() {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return nodes.directNodeToken(agent.workspaceId(), agent.subjectId(), agent.subjectName(), agent.credentialId())
                .map(token -> Success.of(Map.of("node_id", token.nodeId(), "node_name", token.nodeName(), "token",
                        token.token())));
    }
}
