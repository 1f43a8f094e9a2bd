package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.event.EventTypes;
import dev.relay.common.event.StableEventId;
import dev.relay.common.id.Snowflake;
import dev.relay.common.json.RelayJson;
import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.ChannelMember;
import dev.relay.workspace.repository.Message;
import dev.relay.workspace.service.EventLog.Recipient;
import dev.relay.workspace.service.Idempotency.Answer;
import dev.relay.workspace.service.Idempotency.Claim;
import dev.relay.workspace.service.Idempotency.Written;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;

/**
 * Posts channel messages and thread replies (contract §3.5): the message, its durable event with the recipients
 * delivery-service needs, in one transaction; and reads them back.
 */
@ApplicationScoped
public class MessageService {

    private static final Pattern MENTION = Pattern.compile("@([A-Za-z0-9][A-Za-z0-9._-]*)");
    private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[._-]+$");
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final EventLog events;
    private final OutboxRelay outbox;
    private final Idempotency idempotency;
    private final Snowflake ids;
    private final Clock clock;

    MessageService(EventLog events, OutboxRelay outbox, Idempotency idempotency, Snowflake ids, Clock clock) {
        this.events = events;
        this.outbox = outbox;
        this.idempotency = idempotency;
        this.ids = ids;
        this.clock = clock;
    }

    /** What a post carries once validated. */
    public record Post(String text, String blocksJson, Map<String, Object> metadata, String mode) {
    }

    /** A message with its channel's name. */
    public record Located(Message message, Channel channel) {
    }

    /**
     * Posts a top-level message to a channel as the agent, once per idempotency claim; {@code answer} shapes what the
     * route answers (and a replay answers again).
     */
    public Uni<Answer> post(String workspaceId, String channelName, Agent sender, Post post, Optional<Claim> claim,
            Function<Located, Map<String, Object>> answer) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> channel(workspaceId, channelName).flatMap(channel -> idempotency.once(
                claim, workspaceId, sender.id, "channel-message:" + channel.id, () -> {
                    if (channel.archived) {
                        throw new RelayException(ErrorCode.CHANNEL_ARCHIVED, "Channel '" + channel.name
                                + "' is archived");
                    }
                    return store(workspaceId, channel, sender, null, post, now, answer);
                }))).invoke(this::published);
    }

    /** Replies in the thread of a message (a reply to a reply joins the root's thread), once per idempotency claim. */
    public Uni<Answer> reply(String workspaceId, String parentId, Agent sender, Post post, Optional<Claim> claim,
            Function<Located, Map<String, Object>> answer) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> message(workspaceId, parentId).flatMap(parent -> idempotency.once(claim,
                workspaceId, sender.id, "thread-reply:" + parentId, () -> {
                    String rootId = parent.threadId != null ? parent.threadId : parent.id;
                    return Channel.<Channel>findById(parent.channelId)
                            .flatMap(channel -> store(workspaceId, channel, sender, rootId, post, now, answer));
                }))).invoke(this::published);
    }

    /** A replay wrote nothing, so there is nothing to publish. */
    private void published(Answer answer) {
        if (!answer.replayed()) {
            outbox.nudge();
        }
    }

    /** Stores the message and answers with it; its event is appended last, after the idempotency record. */
    private Uni<Written> store(String workspaceId, Channel channel, Agent sender, String threadId, Post post,
            Instant now, Function<Located, Map<String, Object>> answer) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery(
                        "select a.id, a.name from ChannelMember m, Agent a where m.agentId = a.id and m.channelId = ?1",
                        Object[].class).setParameter(1, channel.id).getResultList())
                .flatMap(members -> {
                    Message message = new Message();
                    message.id = ids.nextId();
                    message.workspaceId = workspaceId;
                    message.channelId = channel.id;
                    message.agentId = sender.id;
                    message.agentName = sender.name;
                    message.threadId = threadId;
                    message.body = post.text();
                    message.blocks = post.blocksJson();
                    message.metadata = JsonText.write(post.metadata());
                    message.injectionMode = post.mode();
                    message.createdAt = now;
                    Set<String> mentioned = mentions(post.text());
                    List<String> mentionedMembers = new ArrayList<>();
                    List<Recipient> recipients = new ArrayList<>();
                    for (Object[] member : members) {
                        String agentId = (String) member[0];
                        String agentName = (String) member[1];
                        if (mentioned.contains(agentName)) {
                            mentionedMembers.add(agentName);
                        }
                        if (!agentId.equals(sender.id)) {
                            recipients.add(new Recipient(agentId, agentName, threadId != null
                                    ? "thread-reply"
                                    : mentioned.contains(agentName) ? "mention" : "message"));
                        }
                    }
                    message.mentions = json(mentionedMembers);
                    EventLog.Event event = event(message, channel, sender, recipients);
                    return message.persist()
                            .map(ignored -> new Written(answer.apply(new Located(message, channel)),
                                    () -> events.append(workspaceId, event, now)));
                });
    }

    private static EventLog.Event event(Message message, Channel channel, Agent sender, List<Recipient> recipients) {
        Map<String, Object> core = new LinkedHashMap<>();
        core.put("id", message.id);
        core.put("agent_id", sender.id);
        core.put("agent_name", sender.name);
        core.put("agent_type", sender.type);
        core.put("text", message.body);
        core.put("injection_mode", message.injectionMode);
        core.put("attachments", List.of());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", StableEventId.of(message.id));
        payload.put("channel", channel.name);
        payload.put("channel_id", channel.id);
        if (message.threadId != null) {
            payload.put("parent_id", message.threadId);
        }
        if (channel.channelType != 0) {
            // A reply in a DM: observers see it only as DM traffic (§7.2).
            payload.put("conversation_id", DmPair.conversationOf(channel.id));
        }
        payload.put("message", core);
        Map<String, Object> data = new LinkedHashMap<>(wire(message));
        data.put("channel_name", channel.name);
        data.put("from_name", sender.name);
        String type = message.threadId == null ? EventTypes.MESSAGE_CREATED : EventTypes.THREAD_REPLY;
        return new EventLog.Event(type, StableEventId.of(message.id), channel.id, payload, data, recipients);
    }

    /** The message as the post answer and raw event data show it. */
    public static Map<String, Object> wire(Message m) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("id", m.id);
        wire.put("channel_id", m.channelId);
        wire.put("agent_id", m.agentId);
        wire.put("agent_name", m.agentName);
        wire.put("text", m.body);
        wire.put("blocks", m.blocks == null ? null : read(m.blocks, new TypeReference<List<Object>>() {
        }));
        wire.put("metadata", JsonText.read(m.metadata));
        wire.put("has_attachments", false);
        wire.put("thread_id", m.threadId);
        wire.put("created_at", RelayJson.mapper().convertValue(m.createdAt, String.class));
        wire.put("mentions", read(m.mentions, STRINGS));
        wire.put("attachments", List.of());
        wire.put("injection_mode", m.injectionMode);
        return wire;
    }

    @WithSession
    public Uni<Message> get(String workspaceId, String id) {
        return message(workspaceId, id);
    }

    /** Whether the agent is a member (a participant, for a DM) of the channel. */
    @WithSession
    public Uni<Boolean> isMember(String channelId, String agentId) {
        return ChannelMember.count("channelId = ?1 and agentId = ?2", channelId, agentId).map(count -> count > 0);
    }

    @WithSession
    public Uni<Channel> channelOf(Message message) {
        return Channel.findById(message.channelId);
    }

    /** Top-level messages of a channel, newest first, paged by message ids. */
    @WithSession
    public Uni<List<Message>> history(String workspaceId, String channelName,
            java.util.function.Predicate<Channel> visible,
            int limit, String before, String after) {
        return channel(workspaceId, channelName).flatMap(channel -> {
            if (!visible.test(channel)) {
                throw new RelayException(ErrorCode.CHANNEL_NOT_FOUND, "Channel '" + channel.name + "' not found");
            }
            return page("channelId = ?1 and threadId is null", channel.id, limit, before, after, true);
        });
    }

    /** Replies of a thread, oldest first. */
    @WithSession
    public Uni<List<Message>> replies(String rootId, int limit, String before, String after) {
        return page("threadId = ?1", rootId, limit, before, after, false);
    }

    /** Reply counts per message id. */
    @WithSession
    public Uni<Map<String, Long>> replyCounts(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Panache.getSession()
                .flatMap(session -> session.createQuery(
                        "select m.threadId, count(m) from Message m where m.threadId in ?1 group by m.threadId",
                        Object[].class).setParameter(1, ids).getResultList())
                .map(rows -> {
                    Map<String, Long> counts = new LinkedHashMap<>();
                    rows.forEach(row -> counts.put((String) row[0], (Long) row[1]));
                    return counts;
                });
    }

    private static Uni<List<Message>> page(String where, String key, int limit, String before, String after,
            boolean newestFirst) {
        // One after the other: a reactive session runs one query at a time.
        Uni<Instant> beforeAt = before == null ? Uni.createFrom().nullItem() : createdAt(before);
        return beforeAt.flatMap(beforeInstant -> (after == null
                ? Uni.createFrom().<Instant>nullItem()
                : createdAt(after)).map(afterInstant -> Tuple2.of(beforeInstant, afterInstant)))
                .flatMap(bounds -> {
                    StringBuilder query = new StringBuilder(where);
                    List<Object> params = new ArrayList<>(List.of(key));
                    if (bounds.getItem1() != null) {
                        params.add(bounds.getItem1());
                        params.add(before);
                        query.append(" and (createdAt < ?")
                                .append(params.size() - 1)
                                .append(" or (createdAt = ?")
                                .append(params.size() - 1)
                                .append(" and id < ?")
                                .append(params.size())
                                .append("))");
                    }
                    if (bounds.getItem2() != null) {
                        params.add(bounds.getItem2());
                        params.add(after);
                        query.append(" and (createdAt > ?")
                                .append(params.size() - 1)
                                .append(" or (createdAt = ?")
                                .append(params.size() - 1)
                                .append(" and id > ?")
                                .append(params.size())
                                .append("))");
                    }
                    query.append(newestFirst ? " order by createdAt desc, id desc" : " order by createdAt, id");
                    return Message.<Message>find(query.toString(), params.toArray()).page(0, limit).list();
                });
    }

    private static Uni<Instant> createdAt(String messageId) {
        return Message.<Message>findById(messageId).map(found -> {
            if (found == null) {
                throw new RelayException(ErrorCode.MESSAGE_NOT_FOUND, "Message " + messageId + " not found");
            }
            return found.createdAt;
        });
    }

    private static Uni<Message> message(String workspaceId, String id) {
        return Message.<Message>find("workspaceId = ?1 and id = ?2", workspaceId, id).firstResult().map(found -> {
            if (found == null) {
                throw new RelayException(ErrorCode.MESSAGE_NOT_FOUND, "Message " + id + " not found");
            }
            return found;
        });
    }

    private static Uni<Channel> channel(String workspaceId, String name) {
        String bare = name.startsWith("#") ? name.substring(1) : name;
        return Channel.<Channel>find("workspaceId = ?1 and name = ?2 and channelType = 0", workspaceId, bare)
                .firstResult()
                .map(channel -> {
                    if (channel == null) {
                        throw new RelayException(ErrorCode.CHANNEL_NOT_FOUND, "Channel '" + bare + "' not found");
                    }
                    return channel;
                });
    }

    private static Set<String> mentions(String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = MENTION.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
            // Names may end in '.', '-' or '_', but a sentence may too: "thanks @ada." names ada as well.
            names.add(TRAILING_PUNCTUATION.matcher(matcher.group(1)).replaceFirst(""));
        }
        return names;
    }

    private static String json(Object value) {
        try {
            return RelayJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return RelayJson.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is corrupt", e);
        }
    }

}
