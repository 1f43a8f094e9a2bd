package dev.relay.workspace.rest;

import dev.relay.common.auth.Caller;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.json.RelayJson;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.repository.Message;
import dev.relay.workspace.service.AgentService;
import dev.relay.workspace.service.Idempotency;
import dev.relay.workspace.service.Idempotency.Answer;
import dev.relay.workspace.service.Idempotency.Claim;
import dev.relay.workspace.service.DmPair;
import dev.relay.workspace.service.MessageService;
import dev.relay.workspace.service.MessageService.Post;
import dev.relay.workspace.service.ReceiptService;
import io.smallrye.mutiny.Uni;

/** Channel messages and threads (contract §3.5), reactions and read receipts (§3.6). */
@Path("/v1/messages")
public class MessageResource {

    private static final int MAX_TEXT = 100_000;
    private static final int MAX_EMOJI = 64;

    private final MessageService messages;
    private final ReceiptService receipts;
    private final AgentService agents;
    private final Caller caller;

    MessageResource(MessageService messages, ReceiptService receipts, AgentService agents, Caller caller) {
        this.messages = messages;
        this.receipts = receipts;
        this.agents = agents;
        this.caller = caller;
    }

    /** `POST /v1/channels/:name/messages`, served through {@link ChannelMessageResource}. */
    Uni<RestResponse<Success<Map<String, Object>>>> post(String channel, Map<String, Object> body,
            String idempotencyKey) {
        Principal sender = sender("Posting");
        Post post = post(body, true);
        Optional<Claim> claim = Idempotency.claim(idempotencyKey, body);
        return agents.byId(sender.workspaceId(), sender.subjectId())
                .flatMap(agent -> messages.post(sender.workspaceId(), channel, agent, post, claim,
                        located -> MessageService.wire(located.message())))
                .map(MessageResource::created);
    }

    /** 201 with the data; a replay says so in `Idempotency-Replayed` (contract §1.6). */
    static RestResponse<Success<Map<String, Object>>> created(Answer answer) {
        RestResponse.ResponseBuilder<Success<Map<String, Object>>> response = RestResponse.ResponseBuilder
                .create(RestResponse.Status.fromStatusCode(answer.status()), Success.of(answer.data()));
        if (answer.replayed()) {
            response.header(Idempotency.REPLAYED_HEADER, "true");
        }
        return response.build();
    }

    /** `GET /v1/channels/:name/messages`, served through {@link ChannelMessageResource}. */
    Uni<Success<List<Map<String, Object>>>> history(String channel, String limit, String before, String after) {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return messages.history(reader.workspaceId(), channel, c -> ObserverVisibility.channel(reader, c), limit(limit),
                before, after)
                .flatMap(found -> withMeta(found.stream().filter(m -> ObserverVisibility.message(reader, m)).toList()));
    }

    @GET
    @Path("/{id}")
    public Uni<Success<Map<String, Object>>> get(@PathParam("id") String id) {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        // The route also takes `dms:read`, which is for DM messages: a channel message needs `messages:read`.
        return visible(reader, id, "messages:read").flatMap(message -> withMeta(List.of(message)))
                .map(list -> Success.of(list.data().get(0)));
    }

    @POST
    @Path("/{id}/replies")
    public Uni<RestResponse<Success<Map<String, Object>>>> reply(@PathParam("id") String parentId,
            Map<String, Object> body, @HeaderParam(Idempotency.HEADER) String idempotencyKey) {
        Principal sender = sender("Replying");
        Post post = post(body, false);
        Optional<Claim> claim = Idempotency.claim(idempotencyKey, body);
        return visible(sender, parentId, null).flatMap(parent -> agents.byId(sender.workspaceId(), sender.subjectId()))
                .flatMap(agent -> messages.reply(sender.workspaceId(), parentId, agent, post, claim, located -> {
                    Map<String, Object> wire = new LinkedHashMap<>(MessageService.wire(located.message()));
                    wire.put("channel_name", located.channel().name);
                    wire.remove("mentions");
                    wire.remove("attachments");
                    wire.remove("injection_mode");
                    return wire;
                }))
                .map(MessageResource::created);
    }

    @GET
    @Path("/{id}/replies")
    public Uni<Success<Map<String, Object>>> thread(@PathParam("id") String id, @QueryParam("limit") String limit,
            @QueryParam("before") String before, @QueryParam("after") String after) {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return visible(reader, id, null).flatMap(parent -> {
            String rootId = parent.threadId != null ? parent.threadId : parent.id;
            return messages.replies(rootId, limit(limit), before, after)
                    .flatMap(replies -> withMeta(List.of(parent)).flatMap(parentMeta -> withMeta(replies.stream()
                            .filter(m -> ObserverVisibility.message(reader, m))
                            .toList())
                            .map(replyMeta -> {
                                Map<String, Object> thread = new LinkedHashMap<>();
                                thread.put("parent", parentMeta.data().get(0));
                                thread.put("replies", replyMeta.data());
                                return Success.of(thread);
                            })));
        });
    }

    public record ReactionBody(String id, String messageId, String agentName, String emoji, Instant createdAt) {
    }

    public record ReadBody(String messageId, String agentId, Instant readAt) {
    }

    public record ReaderBody(String agentName, String agentId, Instant readAt) {
    }

    /** Reacting again with the same emoji answers the existing reaction, still 201 (§3.6). */
    @POST
    @Path("/{id}/reactions")
    public Uni<RestResponse<Success<ReactionBody>>> react(@PathParam("id") String id, Map<String, Object> body) {
        Principal reactor = caller.require(TokenKind.AGENT_TOKEN);
        String emoji = emoji(body == null ? null : body.get("emoji"));
        return visible(reactor, id, null).flatMap(message -> agents.byId(reactor.workspaceId(), reactor.subjectId()))
                .flatMap(agent -> receipts.react(reactor.workspaceId(), id, agent, emoji))
                .map(r -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(new ReactionBody(r.id, r.messageId, r.agentName, r.emoji, r.createdAt))));
    }

    /** 204 whether or not there was a reaction to remove. */
    @DELETE
    @Path("/{id}/reactions/{emoji}")
    public Uni<RestResponse<Void>> unreact(@PathParam("id") String id, @PathParam("emoji") String emoji) {
        Principal reactor = caller.require(TokenKind.AGENT_TOKEN);
        String valid = emoji(emoji);
        return visible(reactor, id, null).flatMap(message -> agents.byId(reactor.workspaceId(), reactor.subjectId()))
                .flatMap(agent -> receipts.unreact(reactor.workspaceId(), id, agent, valid))
                .map(done -> RestResponse.noContent());
    }

    @GET
    @Path("/{id}/reactions")
    public Uni<Success<List<ReceiptService.ReactionGroup>>> reactions(@PathParam("id") String id) {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        return visible(reader, id, "reactions:read").flatMap(message -> receipts.reactions(message.id))
                .map(Success::of);
    }

    /** Takes no body (the SDK sends none); reading again answers the first read. */
    @POST
    @Path("/{id}/read")
    public Uni<Success<ReadBody>> markRead(@PathParam("id") String id) {
        Principal reader = caller.require(TokenKind.AGENT_TOKEN);
        return visible(reader, id, null).flatMap(message -> agents.byId(reader.workspaceId(), reader.subjectId()))
                .flatMap(agent -> receipts.markRead(reader.workspaceId(), id, agent))
                .map(read -> Success.of(new ReadBody(read.messageId, read.agentId, read.readAt)));
    }

    @GET
    @Path("/{id}/readers")
    public Uni<Success<List<ReaderBody>>> readers(@PathParam("id") String id) {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        return visible(reader, id, null).flatMap(message -> receipts.readers(message.id))
                .map(reads -> Success.of(reads.stream()
                        .map(read -> new ReaderBody(read.agentName, read.agentId, read.readAt))
                        .toList()));
    }

    private static String emoji(Object value) {
        if (!(value instanceof String emoji) || emoji.isBlank()) {
            throw RelayException.badRequest("emoji is required");
        }
        if (emoji.length() > MAX_EMOJI) {
            throw RelayException.badRequest("emoji must be at most " + MAX_EMOJI + " characters");
        }
        return emoji;
    }

    /**
     * A message the reader may see; a hidden one answers 404 (contract §7.3). {@code channelScope}, when set, is the
     * scope an observer needs for a message in a regular channel.
     */
    private Uni<Message> visible(Principal reader, String id, String channelScope) {
        return messages.get(reader.workspaceId(), id)
                .flatMap(message -> messages.channelOf(message).flatMap(channel -> {
                    RelayException hidden = new RelayException(ErrorCode.MESSAGE_NOT_FOUND,
                            "Message " + id + " not found");
                    if (channel.channelType != 0) {
                        // A DM's messages: its participants, the workspace key, observers allowed to read DMs (§7.2).
                        if (reader.kind() == TokenKind.AGENT_TOKEN) {
                            return messages.isMember(channel.id, reader.subjectId()).map(member -> {
                                if (!member) {
                                    throw hidden;
                                }
                                return message;
                            });
                        }
                        if (!DmVisibility.conversation(reader, DmPair.conversationOf(channel.id))
                                || !ObserverVisibility.message(reader, message)) {
                            throw hidden;
                        }
                        return Uni.createFrom().item(message);
                    }
                    if (!ObserverVisibility.channel(reader, channel) || !ObserverVisibility.message(reader, message)
                            || (channelScope != null && !reader.hasAnyScope(List.of(channelScope)))) {
                        throw hidden;
                    }
                    return Uni.createFrom().item(message);
                }));
    }

    /** MessageWithMeta: the message plus `reply_count`, its reactions grouped per emoji and `read_by_count`. */
    private Uni<Success<List<Map<String, Object>>>> withMeta(List<Message> found) {
        List<String> ids = found.stream().map(m -> m.id).toList();
        return messages.replyCounts(ids).flatMap(counts -> receipts.meta(ids).map(meta -> {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Message message : found) {
                ReceiptService.Meta receiptsOf = meta.getOrDefault(message.id, ReceiptService.Meta.NONE);
                Map<String, Object> wire = new LinkedHashMap<>(MessageService.wire(message));
                wire.put("reply_count", counts.getOrDefault(message.id, 0L));
                wire.put("reactions", receiptsOf.reactions());
                wire.put("read_by_count", receiptsOf.readByCount());
                list.add(wire);
            }
            return Success.of(list);
        }));
    }

    private Principal sender(String action) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.NODE_TOKEN);
        if (principal.kind() != TokenKind.AGENT_TOKEN) {
            throw new RelayException(ErrorCode.AGENT_TOKEN_REQUIRED, action + " needs an agent token (at_live_...): "
                    + "messages are sent by agents");
        }
        return principal;
    }

    @SuppressWarnings("unchecked")
    private static Post post(Map<String, Object> body, boolean topLevel) {
        Map<String, Object> fields = body == null ? Map.of() : body;
        if (!(fields.get("text") instanceof String text) || text.isEmpty()) {
            throw RelayException.badRequest("text is required");
        }
        if (text.length() > MAX_TEXT) {
            throw RelayException.badRequest("text must be at most " + MAX_TEXT + " characters");
        }
        if (fields.containsKey("from")) {
            throw new RelayException(ErrorCode.FROM_NOT_ALLOWED, "from is only for node tokens");
        }
        Object attachments = fields.get("attachments");
        if (attachments != null && !(attachments instanceof List<?>)) {
            throw RelayException.badRequest("attachments must be an array of strings");
        }
        if (fields.containsKey("content_type") && !(fields.get("content_type") instanceof String)) {
            throw RelayException.badRequest("content_type must be a string");
        }
        if (attachments instanceof List<?> list && !list.isEmpty()) {
            throw new RelayException(ErrorCode.INVALID_ATTACHMENTS, "Attachments are not supported by this engine "
                    + "yet: it has no file routes");
        }
        Object blocks = fields.get("blocks");
        if (blocks != null && !(blocks instanceof List<?>)) {
            throw RelayException.badRequest("blocks must be an array or null");
        }
        Object data = fields.get("data");
        if (data != null && !(data instanceof Map<?, ?>)) {
            throw RelayException.badRequest("data must be an object or null");
        }
        Map<String, Object> metadata = new LinkedHashMap<>(data == null ? Map.of() : (Map<String, Object>) data);
        metadata.keySet().removeIf(key -> key.startsWith("__relaycast_"));
        Object mode = fields.getOrDefault("mode", "wait");
        if (topLevel && !"wait".equals(mode) && !"steer".equals(mode)) {
            throw RelayException.badRequest("mode must be \"wait\" or \"steer\"");
        }
        return new Post(text, blocks == null ? null : json(blocks), metadata, topLevel ? (String) mode : "wait");
    }

    private static int limit(String raw) {
        if (raw == null) {
            return 50;
        }
        try {
            return Math.max(1, Math.min(100, Integer.parseInt(raw)));
        } catch (NumberFormatException e) {
            throw RelayException.badRequest("limit must be an integer");
        }
    }

    private static String json(Object value) {
        try {
            return RelayJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw RelayException.badRequest("blocks cannot be stored");
        }
    }

}
