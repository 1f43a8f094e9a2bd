package dev.relay.workspace.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import dev.relay.common.error.RelayException;
import dev.relay.common.internal.CallableBy;
import dev.relay.common.wire.Success;
import dev.relay.workspace.service.Presence;
import io.smallrye.mutiny.Uni;

/**
 * Signs of life delivery-service reports for the agents its node sockets carry (never routed by the gateway). A node
 * heartbeats every 30 s on behalf of its agents, which may make no REST call at all: without these reports they would
 * expire, and flap offline and back, however alive their node is.
 */
@Path("/internal/workspaces/{workspaceId}/presence")
@CallableBy("delivery-service")
public class InternalPresenceResource {

    /** The most agent ids one report may carry; delivery-service splits larger ones. */
    static final int MOST_AGENTS = 1_000;

    private final Presence presence;

    InternalPresenceResource(Presence presence) {
        this.presence = presence;
    }

    /** What the report did: the agents that came online with it, and the ids that are no agent of the workspace. */
    public record ReportBody(List<String> cameOnline, List<String> ignored) {
    }

    /**
     * `{"agent_ids": [...]}`: each agent is seen now. Ids of no agent of this workspace (deleted meanwhile, or of
     * another workspace) are ignored and listed in the answer, never refused, so one stale id does not cost the others
     * their report.
     */
    @POST
    public Uni<Success<ReportBody>> seen(@PathParam("workspaceId") String workspaceId, Map<String, Object> body) {
        return presence.seenAll(workspaceId, agentIds(body))
                .map(report -> Success.of(new ReportBody(report.cameOnline(), report.ignored())));
    }

    private static List<String> agentIds(Map<String, Object> body) {
        if (body == null || !(body.get("agent_ids") instanceof List<?> given)) {
            throw RelayException.badRequest("agent_ids must be an array of agent ids");
        }
        if (given.size() > MOST_AGENTS) {
            throw RelayException.badRequest("at most " + MOST_AGENTS + " agent ids per report, got " + given.size());
        }
        List<String> ids = new ArrayList<>(given.size());
        for (Object id : given) {
            if (!(id instanceof String agentId) || agentId.isBlank()) {
                throw RelayException.badRequest("each of agent_ids must be a non-empty string");
            }
            ids.add(agentId);
        }
        return ids;
    }
}
