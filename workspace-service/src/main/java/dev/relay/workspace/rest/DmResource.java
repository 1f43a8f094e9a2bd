package dev.relay.workspace.rest;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.rest.DmBodies.ConversationBody;
import dev.relay.workspace.rest.DmBodies.DmMessageBody;
import dev.relay.workspace.rest.DmBodies.ParticipantAddedBody;
import dev.relay.workspace.rest.DmBodies.WorkspaceConversationBody;
import dev.relay.workspace.service.AgentService;
import dev.relay.workspace.service.DmQueries;
import dev.relay.workspace.service.DmService;
import dev.relay.workspace.service.Idempotency;
import dev.relay.workspace.service.Idempotency.Claim;
import io.smallrye.mutiny.Uni;

/**
 * Direct messages and group DMs (contract §3.7) for agents, and the workspace-wide DM views (§3.1) for the workspace
 * key and observers with `dms:read`. One class for all of `/v1/dm`: JAX-RS never falls back from one resource class
 * to another once a root path matched.
 */
@Path("/v1/dm")
public class DmResource {

    private final DmService dms;
    private final DmQueries queries;
    private final AgentService agents;
    private final Caller caller;

    DmResource(DmService dms, DmQueries queries, AgentService agents, Caller caller) {
        this.dms = dms;
        this.queries = queries;
        this.agents = agents;
        this.caller = caller;
    }

    @POST
    public Uni<RestResponse<Success<Map<String, Object>>>> send(Map<String, Object> body,
            @HeaderParam(Idempotency.HEADER) String idempotencyKey) {
        Principal sender = caller.require(TokenKind.AGENT_TOKEN);
        DmRequests.Direct direct = DmRequests.direct(body);
        Optional<Claim> claim = Idempotency.claim(idempotencyKey, direct.fingerprint());
        return agents.byId(sender.workspaceId(), sender.subjectId())
                .flatMap(agent -> dms.send(sender.workspaceId(), agent, direct.to(), direct.post(), claim))
                .map(MessageResource::created);
    }

    @GET
    @Path("/conversations")
    public Uni<Success<List<ConversationBody>>> conversations() {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return queries.of(agent.workspaceId(), agent.subjectId())
                .map(found -> Success.of(found.stream().map(ConversationBody::of).toList()));
    }

    @GET
    @Path("/{id}/messages")
    public Uni<Success<List<DmMessageBody>>> messages(@PathParam("id") String conversationId,
            @QueryParam("limit") String limit, @QueryParam("before") String before,
            @QueryParam("after") String after) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return queries.messagesFor(agent.workspaceId(), conversationId, agent.subjectId(), limit(limit), before,
                after).map(found -> Success.of(found.stream().map(DmMessageBody::of).toList()));
    }

    @POST
    @Path("/group")
    public Uni<RestResponse<Success<Map<String, Object>>>> createGroup(Map<String, Object> body,
            @HeaderParam(Idempotency.HEADER) String idempotencyKey) {
        Principal creator = caller.require(TokenKind.AGENT_TOKEN);
        DmRequests.Group group = DmRequests.group(body);
        Optional<Claim> claim = Idempotency.claim(idempotencyKey, group.fingerprint());
        return agents.byId(creator.workspaceId(), creator.subjectId())
                .flatMap(agent -> dms.createGroup(creator.workspaceId(), agent, group.participants(), group.name(),
                        claim))
                .map(MessageResource::created);
    }

    @POST
    @Path("/{id}/messages")
    public Uni<RestResponse<Success<Map<String, Object>>>> post(@PathParam("id") String conversationId,
            Map<String, Object> body, @HeaderParam(Idempotency.HEADER) String idempotencyKey) {
        Principal sender = caller.require(TokenKind.AGENT_TOKEN);
        DmRequests.ToConversation message = DmRequests.toConversation(body);
        Optional<Claim> claim = Idempotency.claim(idempotencyKey, message.fingerprint());
        return agents.byId(sender.workspaceId(), sender.subjectId())
                .flatMap(agent -> dms.post(sender.workspaceId(), agent, conversationId, message.post(), claim))
                .map(MessageResource::created);
    }

    @POST
    @Path("/{id}/participants")
    public Uni<Success<ParticipantAddedBody>> addParticipant(@PathParam("id") String conversationId,
            Map<String, Object> body) {
        Principal requester = caller.require(TokenKind.AGENT_TOKEN);
        String agentName = DmRequests.agentName(body);
        return dms.addParticipant(requester.workspaceId(), requester.subjectId(), conversationId, agentName)
                .map(added -> Success.of(new ParticipantAddedBody(added.conversationId(), added.agentName(),
                        added.alreadyMember())));
    }

    /** Leaves the conversation: the caller is removed whatever name the path carries (contract §12.14). */
    @DELETE
    @Path("/{id}/participants/{agent_name}")
    public Uni<RestResponse<Void>> leave(@PathParam("id") String conversationId) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return dms.leave(agent.workspaceId(), agent.subjectId(), conversationId).map(done -> RestResponse.noContent());
    }

    @GET
    @Path("/conversations/all")
    public Uni<Success<List<WorkspaceConversationBody>>> all() {
        Principal reader = workspaceReader();
        return queries.all(reader.workspaceId())
                .map(found -> Success.of(found.stream()
                        .filter(summary -> DmVisibility.conversation(reader, summary.conversation().id)
                                && (summary.last() == null
                                        || ObserverVisibility.message(reader, summary.last().message())))
                        .map(WorkspaceConversationBody::of)
                        .toList()));
    }

    @GET
    @Path("/conversations/{id}/messages")
    public Uni<Success<List<DmMessageBody>>> conversationMessages(@PathParam("id") String conversationId,
            @QueryParam("limit") String limit, @QueryParam("before") String before,
            @QueryParam("after") String after) {
        Principal reader = workspaceReader();
        if (!DmVisibility.conversation(reader, conversationId)) {
            // Hidden resources answer 404, never 403: no existence probing (contract §7.3).
            throw new RelayException(ErrorCode.DM_CONVERSATION_NOT_FOUND, "Conversation not found");
        }
        return queries.messages(reader.workspaceId(), conversationId, limit(limit), before, after)
                .map(found -> Success.of(found.stream()
                        .filter(authored -> ObserverVisibility.message(reader, authored.message()))
                        .map(DmMessageBody::of)
                        .toList()));
    }

    /** The workspace key, or an observer with `dms:read` (403 `insufficient_scope` without it). */
    private Principal workspaceReader() {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.OBSERVER_TOKEN);
        if (!reader.hasAnyScope(List.of(DmVisibility.SCOPE))) {
            throw new RelayException(ErrorCode.INSUFFICIENT_SCOPE, "Observer token lacks the required scope");
        }
        return reader;
    }

    private static int limit(String raw) {
        if (raw == null || raw.isBlank()) {
            return 50;
        }
        try {
            return Math.max(1, Math.min(100, Integer.parseInt(raw)));
        } catch (NumberFormatException e) {
            throw RelayException.badRequest("limit must be an integer");
        }
    }
}
