package dev.relay.workspace.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.workspace.repository.DmConversation;
import dev.relay.workspace.repository.Message;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/**
 * Reads of DM conversations (contract §3.7, §3.1): an agent's own conversations and their messages, and the
 * workspace-wide views. A conversation's messages are the top-level messages of its backing channel; thread
 * replies stay in their threads.
 */
@ApplicationScoped
public class DmQueries {

    private final DmConversations conversations;

    DmQueries(DmConversations conversations) {
        this.conversations = conversations;
    }

    /** A current participant. */
    public record Participant(String agentId, String agentName) {
    }

    /** A message with its author's type (null once the author is deleted). */
    public record Authored(Message message, String agentType) {
    }

    /** A conversation with its participants, latest message (or null) and message count or unread count. */
    public record Summary(DmConversation conversation, List<Participant> participants, Authored last, long count) {
    }

    /**
     * The conversations the agent takes part in, newest first; the count is its unread messages: those of others
     * since it joined and after its read marker (`last_read_id`, which reading a message moves forward).
     */
    @WithSession
    public Uni<List<Summary>> of(String workspaceId, String agentId) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery("select d from DmConversation d, ChannelMember m where "
                        + "m.channelId = d.channelId and m.agentId = ?1 and d.workspaceId = ?2 "
                        + "order by d.createdAt desc, d.id desc", DmConversation.class)
                        .setParameter(1, agentId)
                        .setParameter(2, workspaceId)
                        .getResultList())
                .flatMap(found -> summaries(found, "select m.channelId, count(m) from Message m, ChannelMember r "
                        + "where r.channelId = m.channelId and r.agentId = :agent and m.channelId in :channels "
                        + "and m.threadId is null and (m.agentId is null or m.agentId <> :agent) "
                        + "and m.createdAt >= r.joinedAt and (r.lastReadId is null "
                        + "or length(m.id) > length(r.lastReadId) "
                        + "or (length(m.id) = length(r.lastReadId) and m.id > r.lastReadId)) group by m.channelId",
                        agentId));
    }

    /** Every conversation of the workspace, newest first, with its message count. */
    @WithSession
    public Uni<List<Summary>> all(String workspaceId) {
        return DmConversation.<DmConversation>list("workspaceId = ?1 order by createdAt desc, id desc", workspaceId)
                .flatMap(found -> summaries(found, "select m.channelId, count(m) from Message m "
                        + "where m.channelId in :channels and m.threadId is null group by m.channelId", null));
    }

    /** A page of a conversation the agent takes part in (403 otherwise, 404 when there is none), newest first. */
    @WithSession
    public Uni<List<Authored>> messagesFor(String workspaceId, String conversationId, String agentId, int limit,
            String before, String after) {
        return conversations.participating(workspaceId, conversationId, agentId)
                .flatMap(conversation -> page(conversation.channelId, limit, before, after));
    }

    /** A page of any conversation of the workspace, newest first. */
    @WithSession
    public Uni<List<Authored>> messages(String workspaceId, String conversationId, int limit, String before,
            String after) {
        return conversations.conversation(workspaceId, conversationId)
                .flatMap(conversation -> page(conversation.channelId, limit, before, after));
    }

    private static Uni<List<Summary>> summaries(List<DmConversation> found, String countQuery, String agentId) {
        if (found.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> channels = found.stream().map(c -> c.channelId).toList();
        // One query after the other: a reactive session runs one at a time.
        return participants(channels).flatMap(participants -> latest(channels)
                .flatMap(latest -> counts(countQuery, channels, agentId).map(counts -> {
                    List<Summary> summaries = new ArrayList<>();
                    for (DmConversation conversation : found) {
                        summaries.add(new Summary(conversation,
                                participants.getOrDefault(conversation.channelId, List.of()),
                                latest.get(conversation.channelId), counts.getOrDefault(conversation.channelId, 0L)));
                    }
                    return summaries;
                })));
    }

    private static Uni<Map<String, List<Participant>>> participants(List<String> channels) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery("select m.channelId, a.id, a.name from ChannelMember m, "
                        + "Agent a where a.id = m.agentId and m.channelId in ?1 order by m.joinedAt, a.name",
                        Object[].class).setParameter(1, channels).getResultList())
                .map(rows -> {
                    Map<String, List<Participant>> byChannel = new LinkedHashMap<>();
                    for (Object[] row : rows) {
                        byChannel.computeIfAbsent((String) row[0], c -> new ArrayList<>())
                                .add(new Participant((String) row[1], (String) row[2]));
                    }
                    return byChannel;
                });
    }

    private static Uni<Map<String, Authored>> latest(List<String> channels) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery("select m, a.type from Message m left join Agent a on "
                        + "a.id = m.agentId where m.channelId in ?1 and m.threadId is null and not exists (select n.id "
                        + "from Message n where n.channelId = m.channelId and n.threadId is null and "
                        + "(n.createdAt > m.createdAt or (n.createdAt = m.createdAt and n.id > m.id)))",
                        Object[].class).setParameter(1, channels).getResultList())
                .map(rows -> {
                    Map<String, Authored> byChannel = new LinkedHashMap<>();
                    for (Object[] row : rows) {
                        Message message = (Message) row[0];
                        byChannel.put(message.channelId, new Authored(message, (String) row[1]));
                    }
                    return byChannel;
                });
    }

    private static Uni<Map<String, Long>> counts(String query, List<String> channels, String agentId) {
        return Panache.getSession().flatMap(session -> {
            var counts = session.createQuery(query, Object[].class).setParameter("channels", channels);
            if (agentId != null) {
                counts.setParameter("agent", agentId);
            }
            return counts.getResultList();
        }).map(rows -> {
            Map<String, Long> byChannel = new LinkedHashMap<>();
            rows.forEach(row -> byChannel.put((String) row[0], (Long) row[1]));
            return byChannel;
        });
    }

    /** Newest first; `before` and `after` are ids of messages of the same conversation (404 otherwise). */
    private static Uni<List<Authored>> page(String channelId, int limit, String before, String after) {
        return bound(channelId, before).flatMap(upper -> bound(channelId, after).flatMap(lower -> {
            StringBuilder query = new StringBuilder("select m, a.type from Message m left join Agent a on "
                    + "a.id = m.agentId where m.channelId = :channel and m.threadId is null");
            if (upper != null) {
                query.append(" and (m.createdAt < :upperAt or (m.createdAt = :upperAt and m.id < :upperId))");
            }
            if (lower != null) {
                query.append(" and (m.createdAt > :lowerAt or (m.createdAt = :lowerAt and m.id > :lowerId))");
            }
            query.append(" order by m.createdAt desc, m.id desc");
            return Panache.getSession().flatMap(session -> {
                var select = session.createQuery(query.toString(), Object[].class)
                        .setParameter("channel", channelId)
                        .setMaxResults(limit);
                if (upper != null) {
                    select.setParameter("upperAt", upper.createdAt).setParameter("upperId", upper.id);
                }
                if (lower != null) {
                    select.setParameter("lowerAt", lower.createdAt).setParameter("lowerId", lower.id);
                }
                return select.getResultList();
            });
        })).map(rows -> rows.stream().map(row -> new Authored((Message) row[0], (String) row[1])).toList());
    }

    private static Uni<Message> bound(String channelId, String messageId) {
        if (messageId == null) {
            return Uni.createFrom().nullItem();
        }
        return Message.<Message>find("channelId = ?1 and id = ?2", channelId, messageId).firstResult().map(found -> {
            if (found == null) {
                throw new RelayException(ErrorCode.MESSAGE_NOT_FOUND, "Message " + messageId + " not found in this "
                        + "conversation");
            }
            return found;
        });
    }
}
