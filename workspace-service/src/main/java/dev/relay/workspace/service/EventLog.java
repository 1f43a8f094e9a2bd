package dev.relay.workspace.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.relay.common.id.Snowflake;
import dev.relay.common.json.RelayJson;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Appends events to a workspace's durable log inside the caller's transaction, with the next gapless seq. The
 * counter row stays locked until the transaction ends, so seq order is commit order within a workspace.
 */
@ApplicationScoped
public class EventLog {

    /**
     * Takes the next seq (locking the counter row until commit) and inserts the event with it. A data-modifying CTE
     * runs exactly once even though only the scalar subquery reads it; without a counter row (the workspace is gone)
     * the seq is null and the insert fails.
     */
    private static final String APPEND = """
            with next as (
              update workspace_counters set event_seq = event_seq + 1 where workspace_id = ?1 returning event_seq
            )
            insert into workspace_events (workspace_id, seq, event_id, type, channel_id, payload, data, recipients,
              created_at)
            values (?1, (select event_seq from next), ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            returning seq
            """;

    private final Snowflake ids;

    EventLog(Snowflake ids) {
        this.ids = ids;
    }

    /**
     * One recipient of a message-bearing event, and why it receives it (message, mention, thread-reply, dm); the name
     * travels along because a node's `deliver` frame addresses the agent by name.
     */
    public record Recipient(String agentId, String agentName, String reason) {
    }

    /** What to append; {@code eventId} null means a fresh id. */
    public record Event(String type, String eventId, String channelId, Map<String, Object> payload,
            Map<String, Object> data, List<Recipient> recipients) {
    }

    /** Creates the workspace's counter; called in the transaction that creates the workspace. */
    public Uni<Void> start(String workspaceId) {
        // Flush first: the workspace row the counter references is still only in the session.
        return Panache.getSession()
                .flatMap(session -> session.flush()
                        .chain(() -> session
                                .createNativeQuery("insert into workspace_counters (workspace_id) values (?1)")
                                .setParameter(1, workspaceId)
                                .executeUpdate()))
                .replaceWithVoid();
    }

    /** What a caller may answer about an appended event. */
    public record Appended(String eventId, long seq) {
    }

    /**
     * Appends the event; must run inside a transaction, as its last statement wherever the caller can arrange it.
     * <p>
     * The counter row lock serializes every event of the workspace until commit, so how long a transaction holds it
     * bounds the workspace's event rate. The seq is therefore allocated and the row inserted by one statement, and
     * the session's pending entity writes are flushed just before it: nothing the caller already did runs under the
     * lock, and only the commit follows it.
     */
    public Uni<Appended> append(String workspaceId, Event event, Instant now) {
        String eventId = event.eventId() != null ? event.eventId() : "evt_" + ids.nextId();
        Map<String, Object> payload = new LinkedHashMap<>(event.payload());
        payload.putIfAbsent("created_at", RelayJson.mapper().convertValue(now, String.class));
        return Panache.getSession()
                .flatMap(session -> session.flush()
                        .chain(() -> session.createNativeQuery(APPEND, Long.class)
                                .setParameter(1, workspaceId)
                                .setParameter(2, eventId)
                                .setParameter(3, event.type())
                                .setParameter(4, event.channelId())
                                .setParameter(5, json(payload))
                                .setParameter(6, json(event.data() == null ? event.payload() : event.data()))
                                .setParameter(7, event.recipients() == null ? null : json(event.recipients()))
                                .setParameter(8, now)
                                .getSingleResult()))
                .map(seq -> new Appended(eventId, seq));
    }

    private static String json(Object value) {
        try {
            return RelayJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event cannot be stored as JSON", e);
        }
    }
}
