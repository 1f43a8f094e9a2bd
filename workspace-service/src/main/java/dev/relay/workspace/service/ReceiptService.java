package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.event.EventTypes;
import dev.relay.common.id.Snowflake;
import dev.relay.common.json.RelayJson;
import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.Message;
import dev.relay.workspace.repository.MessageRead;
import dev.relay.workspace.repository.Reaction;
import dev.relay.workspace.service.EventLog.Recipient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/**
 * Reactions and read receipts (contract §3.6). Each change that happens appends `message.reacted` or `message.read`
 * in its own transaction, addressed to the other members of the message's channel (nodes receive them as seq-0
 * `deliver` frames, §6.8); a repeat that changes nothing appends nothing.
 */
@ApplicationScoped
public class ReceiptService {

    private final EventLog events;
    private final OutboxRelay outbox;
    private final Snowflake ids;
    private final Clock clock;

    ReceiptService(EventLog events, OutboxRelay outbox, Snowflake ids, Clock clock) {
        this.events = events;
        this.outbox = outbox;
        this.ids = ids;
        this.clock = clock;
    }

    /** One emoji's reactions on a message, in the order they were first made. */
    public record ReactionGroup(String emoji, long count, List<String> agents) {
    }

    /** What a message view adds about reactions and reads. */
    public record Meta(List<ReactionGroup> reactions, long readByCount) {

        public static final Meta NONE = new Meta(List.of(), 0);
    }

    /** Adds the agent's reaction; reacting again with the same emoji answers the existing one. */
    public Uni<Reaction> react(String workspaceId, String messageId, Agent agent, String emoji) {
        Instant now = clock.instant();
        String id = ids.nextId();
        return Panache.withTransaction(() -> message(workspaceId, messageId).flatMap(message -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery("insert into reactions (id, workspace_id, message_id, "
                        + "agent_id, agent_name, emoji, created_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                        + "on conflict (message_id, agent_id, emoji) do nothing")
                        .setParameter(1, id)
                        .setParameter(2, workspaceId)
                        .setParameter(3, messageId)
                        .setParameter(4, agent.id)
                        .setParameter(5, agent.name)
                        .setParameter(6, emoji)
                        .setParameter(7, now)
                        .executeUpdate())
                .flatMap(inserted -> Reaction.<Reaction>find("messageId = ?1 and agentId = ?2 and emoji = ?3",
                        messageId, agent.id, emoji)
                        .firstResult()
                        .call(reaction -> inserted == 1
                                ? reacted(message, agent, reaction.id, emoji, "added", now)
                                : Uni.createFrom().voidItem()))))
                .invoke(outbox::nudge);
    }

    /** Removes the agent's reaction, if there is one. */
    public Uni<Void> unreact(String workspaceId, String messageId, Agent agent, String emoji) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> message(workspaceId, messageId)
                .flatMap(message -> Reaction.<Reaction>find("messageId = ?1 and agentId = ?2 and emoji = ?3",
                        messageId, agent.id, emoji)
                        .firstResult()
                        .flatMap(reaction -> reaction == null
                                ? Uni.createFrom().voidItem()
                                : reaction.delete()
                                        .call(() -> reacted(message, agent, reaction.id, emoji, "removed", now)))))
                .invoke(outbox::nudge);
    }

    /** The message's reactions grouped per emoji. */
    @WithSession
    public Uni<List<ReactionGroup>> reactions(String messageId) {
        return meta(List.of(messageId)).map(meta -> meta.getOrDefault(messageId, Meta.NONE).reactions());
    }

    /**
     * Records that the agent read the message (once, at the first read), and moves the agent's read marker in the
     * message's channel forward to it.
     */
    public Uni<MessageRead> markRead(String workspaceId, String messageId, Agent agent) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> message(workspaceId, messageId).flatMap(message -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery("insert into message_reads (message_id, agent_id, "
                        + "agent_name, read_at) values (?1, ?2, ?3, ?4) on conflict do nothing")
                        .setParameter(1, messageId)
                        .setParameter(2, agent.id)
                        .setParameter(3, agent.name)
                        .setParameter(4, now)
                        .executeUpdate()
                        // Snowflake ids are decimal without leading zeros: longer is later, then text order.
                        .call(() -> session.createNativeQuery("update channel_members set last_read_id = ?1 where "
                                + "channel_id = ?2 and agent_id = ?3 and (last_read_id is null or "
                                + "length(last_read_id) < length(?1) or (length(last_read_id) = length(?1) and "
                                + "last_read_id < ?1))")
                                .setParameter(1, messageId)
                                .setParameter(2, message.channelId)
                                .setParameter(3, agent.id)
                                .executeUpdate()))
                .flatMap(inserted -> MessageRead.<MessageRead>find("messageId = ?1 and agentId = ?2", messageId,
                        agent.id)
                        .firstResult()
                        .call(read -> inserted == 1 ? read(message, agent, read) : Uni.createFrom().voidItem()))))
                .invoke(outbox::nudge);
    }

    /**
     * Reads implied by acknowledged deliveries (contract §6.5: an ack over the node socket or HTTP records a read
     * receipt and moves the channel read marker): each message is recorded as read by the agent, once, and the agent's
     * marker in each channel moves forward to the latest of them. No `message.read` event, as with the public engine.
     * Messages of another workspace, or gone, are skipped. Answers how many reads were new.
     */
    public Uni<Integer> recordAcked(String workspaceId, String agentId, List<String> messageIds) {
        if (messageIds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        String[] ids = messageIds.toArray(String[]::new);
        Instant now = clock.instant();
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery("insert into message_reads (message_id, agent_id, "
                        + "agent_name, read_at) select m.id, a.id, a.name, ?3 from messages m join agents a on a.id = "
                        + "?2 and a.workspace_id = m.workspace_id where m.id = any(?1) and m.workspace_id = ?4 on "
                        + "conflict do nothing")
                        .setParameter(1, ids)
                        .setParameter(2, agentId)
                        .setParameter(3, now)
                        .setParameter(4, workspaceId)
                        .executeUpdate()
                        // Snowflake ids are decimal without leading zeros: longer is later, then text order.
                        .call(() -> session.createNativeQuery("update channel_members cm set last_read_id = x.latest "
                                + "from (select channel_id, (array_agg(id order by length(id) desc, id desc))[1] as "
                                + "latest from messages where id = any(?1) and workspace_id = ?3 group by channel_id) x "
                                + "where cm.channel_id = x.channel_id and cm.agent_id = ?2 and (cm.last_read_id is "
                                + "null or length(cm.last_read_id) < length(x.latest) or (length(cm.last_read_id) = "
                                + "length(x.latest) and cm.last_read_id < x.latest))")
                                .setParameter(1, ids)
                                .setParameter(2, agentId)
                                .setParameter(3, workspaceId)
                                .executeUpdate())));
    }

    /** Who read the message, first reader first. */
    @WithSession
    public Uni<List<MessageRead>> readers(String messageId) {
        return MessageRead.list("messageId = ?1 order by readAt, agentId", messageId);
    }

    /** When each of the agents read the given messages: (message id, agent id) → read time. */
    @WithSession
    public Uni<Map<String, Instant>> readTimes(List<String> messageIds) {
        if (messageIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return MessageRead.<MessageRead>list("messageId in ?1", messageIds).map(reads -> {
            Map<String, Instant> times = new LinkedHashMap<>();
            reads.forEach(read -> times.put(read.messageId + "/" + read.agentId, read.readAt));
            return times;
        });
    }

    /** Reactions and read counts of each message, by message id (messages with neither are absent). */
    @WithSession
    public Uni<Map<String, Meta>> meta(List<String> messageIds) {
        if (messageIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Reaction.<Reaction>list("messageId in ?1 order by createdAt, id", messageIds)
                .flatMap(reactions -> Panache.getSession()
                        .flatMap(session -> session.createQuery("select r.messageId, count(r) from MessageRead r "
                                + "where r.messageId in ?1 group by r.messageId", Object[].class)
                                .setParameter(1, messageIds)
                                .getResultList())
                        .map(readCounts -> {
                            Map<String, Map<String, List<String>>> byMessage = new LinkedHashMap<>();
                            for (Reaction reaction : reactions) {
                                byMessage.computeIfAbsent(reaction.messageId, id -> new LinkedHashMap<>())
                                        .computeIfAbsent(reaction.emoji, emoji -> new ArrayList<>())
                                        .add(reaction.agentName);
                            }
                            Map<String, Long> reads = new LinkedHashMap<>();
                            readCounts.forEach(row -> reads.put((String) row[0], (Long) row[1]));
                            Map<String, Meta> meta = new LinkedHashMap<>();
                            for (String messageId : messageIds) {
                                List<ReactionGroup> groups = new ArrayList<>();
                                byMessage.getOrDefault(messageId, Map.of())
                                        .forEach((emoji, agents) -> groups.add(new ReactionGroup(emoji, agents.size(),
                                                List.copyOf(agents))));
                                long readBy = reads.getOrDefault(messageId, 0L);
                                if (!groups.isEmpty() || readBy > 0) {
                                    meta.put(messageId, new Meta(groups, readBy));
                                }
                            }
                            return meta;
                        }));
    }

    private Uni<Void> reacted(Message message, Agent agent, String reactionId, String emoji, String action,
            Instant now) {
        return Channel.<Channel>findById(message.channelId)
                .flatMap(channel -> othersIn(channel, agent).flatMap(
                        recipients -> {
                            String at = RelayJson.mapper().convertValue(now, String.class);
                            Map<String, Object> payload = new LinkedHashMap<>();
                            payload.put("message_id", message.id);
                            payload.put("emoji", emoji);
                            payload.put("agent_name", agent.name);
                            payload.put("agent_id", agent.id);
                            payload.put("action", action);
                            where(channel, payload);
                            Map<String, Object> data = new LinkedHashMap<>();
                            data.put("id", reactionId);
                            data.put("message_id", message.id);
                            data.put("emoji", emoji);
                            data.put("agent_name", agent.name);
                            data.put("agent_id", agent.id);
                            data.put("action", action);
                            data.put("channel_name", channel.name);
                            data.put("created_at", at);
                            return events
                                    .append(message.workspaceId, new EventLog.Event(EventTypes.MESSAGE_REACTED, null,
                                            channel.id, payload, data, recipients), now)
                                    .replaceWithVoid();
                        }));
    }

    private Uni<Void> read(Message message, Agent agent, MessageRead read) {
        return Channel.<Channel>findById(message.channelId)
                .flatMap(channel -> othersIn(channel, agent).flatMap(
                        recipients -> {
                            String at = RelayJson.mapper().convertValue(read.readAt, String.class);
                            Map<String, Object> payload = new LinkedHashMap<>();
                            payload.put("message_id", message.id);
                            payload.put("agent_name", agent.name);
                            payload.put("agent_id", agent.id);
                            payload.put("read_at", at);
                            if (channel.channelType != 0) {
                                payload.put("conversation_id", conversationId(channel));
                            }
                            Map<String, Object> data = new LinkedHashMap<>();
                            data.put("message_id", message.id);
                            data.put("agent_id", agent.id);
                            data.put("read_at", at);
                            data.put("agent_name", agent.name);
                            return events.append(message.workspaceId, new EventLog.Event(EventTypes.MESSAGE_READ, null,
                                    channel.id, payload, data, recipients), read.readAt).replaceWithVoid();
                        }));
    }

    /** Regular channels are named in events; DM conversations by their conversation id. */
    private static void where(Channel channel, Map<String, Object> payload) {
        if (channel.channelType == 0) {
            payload.put("channel", channel.name);
        } else {
            payload.put("conversation_id", conversationId(channel));
        }
    }

    private static String conversationId(Channel channel) {
        return DmPair.conversationOf(channel.id);
    }

    /** The channel's members other than the agent: who hears of a reaction or a read. */
    private static Uni<List<Recipient>> othersIn(Channel channel, Agent agent) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery(
                        "select a.id, a.name from ChannelMember m, Agent a where m.agentId = a.id and m.channelId = ?1 "
                                + "and a.id <> ?2 order by a.id",
                        Object[].class).setParameter(1, channel.id).setParameter(2, agent.id).getResultList())
                .map(rows -> rows.stream()
                        .map(row -> new Recipient((String) row[0], (String) row[1], "receipt"))
                        .toList());
    }

    private static Uni<Message> message(String workspaceId, String id) {
        return Message.<Message>find("workspaceId = ?1 and id = ?2", workspaceId, id).firstResult().map(found -> {
            if (found == null) {
                throw new RelayException(ErrorCode.MESSAGE_NOT_FOUND, "Message " + id + " not found");
            }
            return found;
        });
    }
}
