package dev.relay.workspace.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/**
 * An agent's unread summary (`GET /v1/inbox`, contract §3.8): per channel and DM conversation what others wrote after
 * the agent's read marker (or, with none, after it joined), unread mentions of it, and recent reactions to its
 * messages.
 */
@ApplicationScoped
public class InboxService {

    /** Timestamps leave SQL already in the wire's `toISOString()` form. */
    private static final String ISO = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";
    /** Messages of the member's channel that others wrote after its read marker, or after it joined. */
    private static final String UNREAD = "m.channel_id = cm.channel_id and m.agent_id is distinct from cm.agent_id and "
            + "(case when cm.last_read_id is null then m.created_at > cm.joined_at "
            + "else m.id::numeric > cm.last_read_id::numeric end)";

    @WithSession
    public Uni<Map<String, Object>> inbox(String agentId, String agentName, int limit) {
        return unreadChannels(agentId).flatMap(channels -> mentions(agentId, agentName, limit)
                .flatMap(mentions -> unreadDms(agentId).flatMap(dms -> recentReactions(agentId, limit)
                        .map(reactions -> {
                            Map<String, Object> inbox = new LinkedHashMap<>();
                            inbox.put("unread_channels", channels);
                            inbox.put("mentions", mentions);
                            inbox.put("unread_dms", dms);
                            inbox.put("recent_reactions", reactions);
                            return inbox;
                        }))));
    }

    private static Uni<List<Map<String, Object>>> unreadChannels(String agentId) {
        return rows("select c.name, count(m.id) from channel_members cm join channels c on c.id = cm.channel_id "
                + "join messages m on " + UNREAD + " where cm.agent_id = ?1 and c.channel_type = 0 and "
                + "not c.is_archived and not cm.is_muted group by c.name order by c.name", agentId)
                .map(rows -> rows.stream().map(row -> map("channel_name", row[0], "unread_count", row[1])).toList());
    }

    private static Uni<List<Map<String, Object>>> mentions(String agentId, String agentName, int limit) {
        return rows("select m.id, c.name, m.agent_name, m.body, to_char(m.created_at at time zone 'UTC', " + ISO
                + ") from channel_members cm join channels c on c.id = cm.channel_id join messages m on " + UNREAD
                + " where cm.agent_id = ?1 and jsonb_exists(m.mentions::jsonb, ?2) "
                + "order by m.created_at desc, m.id desc limit ?3", agentId, agentName, limit)
                .map(rows -> rows.stream()
                        .map(row -> map("id", row[0], "channel_name", row[1], "agent_name", row[2], "text", row[3],
                                "created_at", row[4]))
                        .toList());
    }

    private static Uni<List<Map<String, Object>>> unreadDms(String agentId) {
        return rows("select c.id, count(m.id), (array_agg(m.id order by m.created_at desc, m.id desc))[1], "
                + "(array_agg(m.body order by m.created_at desc, m.id desc))[1], "
                + "(array_agg(m.agent_name order by m.created_at desc, m.id desc))[1], "
                + "to_char(max(m.created_at) at time zone 'UTC', " + ISO + ") from channel_members cm "
                + "join channels c on c.id = cm.channel_id join messages m on " + UNREAD
                + " where cm.agent_id = ?1 and c.channel_type <> 0 group by c.id order by max(m.created_at) desc",
                agentId)
                .map(rows -> rows.stream()
                        .map(row -> map("conversation_id", DmPair.conversationOf((String) row[0]), "from", row[4],
                                "unread_count", row[1], "last_message",
                                map("id", row[2], "text", row[3], "created_at", row[5])))
                        .toList());
    }

    private static Uni<List<Map<String, Object>>> recentReactions(String agentId, int limit) {
        return rows("select r.message_id, c.name, r.emoji, r.agent_name, to_char(r.created_at at time zone 'UTC', "
                + ISO + ") from reactions r join messages m on m.id = r.message_id join channels c on "
                + "c.id = m.channel_id where m.agent_id = ?1 and r.agent_id <> ?1 "
                + "order by r.created_at desc, r.id desc limit ?2", agentId, limit)
                .map(rows -> rows.stream()
                        .map(row -> map("message_id", row[0], "channel_name", row[1], "emoji", row[2], "agent_name",
                                row[3], "created_at", row[4]))
                        .toList());
    }

    private static Uni<List<Object[]>> rows(String sql, Object... parameters) {
        return Panache.getSession().flatMap(session -> {
            var query = session.createNativeQuery(sql, Object[].class);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            return query.getResultList();
        });
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object value = keysAndValues[i + 1];
            map.put((String) keysAndValues[i], value instanceof Number n && !(value instanceof Double)
                    ? n.longValue()
                    : value);
        }
        return map;
    }

}
