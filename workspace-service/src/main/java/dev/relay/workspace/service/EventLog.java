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
 * Appends events to a workspace's durable log inside the caller's transaction. The event is stored without a seq:
 * the outbox relay gives it the workspace's next seq when it publishes it ({@code OutboxRelay}), so writers into one
 * workspace never wait for each other on its counter row: the lock that keeps seqs visible in seq order is held only
 * by the relay's short sequencing transaction, instead of by every writer's until it commits.
 */
@ApplicationScoped
public class EventLog {

    private static final String APPEND = """
            insert into workspace_events (workspace_id, event_id, type, channel_id, payload, data, recipients,
              created_at)
            values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
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

    /**
     * What a caller may answer about an appended event: its id. It has no seq yet; the relay gives it one soon after
     * the commit.
     */
    public record Appended(String eventId) {
    }

    /**
     * Appends the event; must run inside a transaction. A plain insert that takes no lock another writer waits for;
     * the session's pending entity writes are flushed first, so rows the event refers to (a workspace created in the
     * same transaction) are written before it.
     */
    public Uni<Appended> append(String workspaceId, Event event, Instant now) {
        String eventId = event.eventId() != null ? event.eventId() : "evt_" + ids.nextId();
        Map<String, Object> payload = new LinkedHashMap<>(event.payload());
        payload.putIfAbsent("created_at", RelayJson.mapper().convertValue(now, String.class));
        return Panache.getSession()
                .flatMap(session -> session.flush()
                        .chain(() -> session.createNativeQuery(APPEND)
                                .setParameter(1, workspaceId)
                                .setParameter(2, eventId)
                                .setParameter(3, event.type())
                                .setParameter(4, event.channelId())
                                .setParameter(5, json(payload))
                                .setParameter(6, json(event.data() == null ? event.payload() : event.data()))
                                .setParameter(7, event.recipients() == null ? null : json(event.recipients()))
                                .setParameter(8, now)
                                .executeUpdate()))
                .replaceWith(new Appended(eventId));
    }

    private static String json(Object value) {
        try {
            return RelayJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event cannot be stored as JSON", e);
        }
    }
}
