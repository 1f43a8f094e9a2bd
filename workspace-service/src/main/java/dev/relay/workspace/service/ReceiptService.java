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

    /** The acked (agent, message) pairs (?1, ?2: parallel arrays) naming a message and an agent of workspace ?3. */
    private static final String ACKED_PAIRS = """
            select distinct a.id as agent_id, a.name as agent_name, m.id as message_id, m.channel_id
            from unnest(cast(?1 as text[]), cast(?2 as text[])) as acked(agent_id, message_id)
            join messages m on m.id = acked.message_id and m.workspace_id = ?3
            join agents a on a.id = acked.agent_id and a.workspace_id = ?3
            """;
    /** Each pair is read at ?4 unless it was read before; rows are inserted in one order whoever reports. */
    private static final String RECORD_ACKED_READS = "insert into message_reads (message_id, agent_id, agent_name, "
            + "read_at) select message_id, agent_id, agent_name, ?4 from (" + ACKED_PAIRS + ") pairs "
            + "order by agent_id, message_id on conflict do nothing";
    /**
     * Each agent's marker in each channel moves to the latest acked message there, if that is later. Snowflake ids
     * are decimal without leading zeros: longer is later, then text order. The members' rows are locked in key order
     * first, since an update's own row order is the plan's.
     */
    private static final String MOVE_ACKED_READ_MARKERS = """
            with latest as (
              select agent_id, channel_id, (array_agg(message_id order by length(message_id) desc, message_id desc))[1]
                as message_id
              from (%s) pairs group by agent_id, channel_id
            ), behind as (
              select cm.channel_id, cm.agent_id, latest.message_id
              from channel_members cm join latest on cm.channel_id = latest.channel_id and cm.agent_id = latest.agent_id
              where cm.last_read_id is null or length(cm.last_read_id) < length(latest.message_id)
                or (length(cm.last_read_id) = length(latest.message_id) and cm.last_read_id < latest.message_id)
              order by cm.channel_id, cm.agent_id
              for update of cm
            )
            update channel_members cm set last_read_id = behind.message_id
            from behind where cm.channel_id = behind.channel_id and cm.agent_id = behind.agent_id
            """.formatted(ACKED_PAIRS);

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
     * receipt and moves the channel read marker): each message is recorded as read by each agent that acked it, once,
     * and each agent's marker in each channel moves forward to the latest of them. No `message.read` event, as with
     * the public engine. Messages of another workspace, or gone, and agents of another workspace are skipped. Answers
     * how many reads were new.
     * <p>
     * delivery-service reports many agents' acks at once, so the whole report is one transaction of two set-based
     * statements over (agent, message) pairs. Both touch rows in (agent, message) and (channel, agent) order, so two
     * overlapping reports wait for each other instead of deadlocking.
     */
    public Uni<Integer> recordAcked(String workspaceId, Map<String, List<String>> messageIdsByAgent) {
        // The pairs as two parallel arrays, which unnest zips back together.
        List<String> agentIds = new ArrayList<>();
        List<String> messageIds = new ArrayList<>();
        messageIdsByAgent.forEach((agentId, acked) -> acked.forEach(messageId -> {
            agentIds.add(agentId);
            messageIds.add(messageId);
        }));
        if (agentIds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        String[] agents = agentIds.toArray(String[]::new);
        String[] messages = messageIds.toArray(String[]::new);
        Instant now = clock.instant();
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery(RECORD_ACKED_READS)
                        .setParameter(1, agents)
                        .setParameter(2, messages)
                        .setParameter(3, workspaceId)
                        .setParameter(4, now)
                        .executeUpdate()
                        .call(() -> session.createNativeQuery(MOVE_ACKED_READ_MARKERS)
                                .setParameter(1, agents)
                                .setParameter(2, messages)
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
