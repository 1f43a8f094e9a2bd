package dev.relay.workspace.rest;

import dev.relay.common.auth.Caller;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
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
import dev.relay.workspace.service.MessageService;
import dev.relay.workspace.service.MessageService.Post;
import io.smallrye.mutiny.Uni;

/** Channel messages and threads (contract §3.5). */
@Path("/v1/messages")
public class MessageResource {

    private static final int MAX_TEXT = 100_000;

    private final MessageService messages;
    private final AgentService agents;
    private final Caller caller;

    MessageResource(MessageService messages, AgentService agents, Caller caller) {
        this.messages = messages;
        this.agents = agents;
        this.caller = caller;
    }

    /** `POST /v1/channels/:name/messages`, served through {@link ChannelMessageResource}. */
    Uni<RestResponse<Success<Map<String, Object>>>> post(String channel,
            Map<String, Object> body) {
        Principal sender = sender("Posting");
        Post post = post(body, true);
        return agents.byId(sender.workspaceId(), sender.subjectId())
                .flatMap(agent -> messages.post(sender.workspaceId(), channel, agent, post))
                .map(located -> RestResponse.status(RestResponse.Status.CREATED,
                        Success.of(MessageService.wire(located.message()))));
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
            Map<String, Object> body) {
        Principal sender = sender("Replying");
        Post post = post(body, false);
        return agents.byId(sender.workspaceId(), sender.subjectId())
                .flatMap(agent -> messages.reply(sender.workspaceId(), parentId, agent, post))
                .map(located -> {
                    Map<String, Object> wire = new LinkedHashMap<>(MessageService.wire(located.message()));
                    wire.put("channel_name", located.channel().name);
                    wire.remove("mentions");
                    wire.remove("attachments");
                    wire.remove("injection_mode");
                    return RestResponse.status(RestResponse.Status.CREATED, Success.of(wire));
                });
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

    /**
     * A message the reader may see; a hidden one answers 404 (contract §7.3). {@code channelScope}, when set, is the
     * scope an observer needs for a message in a regular channel.
     */
    private Uni<Message> visible(Principal reader, String id, String channelScope) {
        return messages.get(reader.workspaceId(), id).flatMap(message -> messages.channelOf(message).map(channel -> {
            if (!ObserverVisibility.channel(reader, channel) || !ObserverVisibility.message(reader, message)
                    || (channelScope != null && !reader.hasAnyScope(List.of(channelScope)))) {
                throw new RelayException(ErrorCode.MESSAGE_NOT_FOUND, "Message " + id + " not found");
            }
            return message;
        }));
    }

    /**
     * MessageWithMeta: the message plus `reply_count`. Reactions and read receipts are not stored yet, so
     * `reactions` is always empty and `read_by_count` 0 until they are.
     */
    private Uni<Success<List<Map<String, Object>>>> withMeta(List<Message> found) {
        return messages.replyCounts(found.stream().map(m -> m.id).toList()).map(counts -> {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Message message : found) {
                Map<String, Object> wire = new LinkedHashMap<>(MessageService.wire(message));
                wire.put("reply_count", counts.getOrDefault(message.id, 0L));
                wire.put("reactions", List.of());
                wire.put("read_by_count", 0);
                list.add(wire);
            }
            return Success.of(list);
        });
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
