package dev.relay.workspace.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.relay.common.id.Snowflake;
import dev.relay.common.json.RelayJson;
import dev.relay.workspace.repository.WorkspaceEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Appends events to a workspace's durable log inside the caller's transaction, with the next gapless seq. The
 * counter row stays locked until the transaction ends, so seq order is commit order within a workspace.
 */
@ApplicationScoped
public class EventLog {

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

    /** Appends the event; must run inside a transaction. */
    public Uni<WorkspaceEvent> append(String workspaceId, Event event, Instant now) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery(
                        "update workspace_counters set event_seq = event_seq + 1 where workspace_id = ?1 returning event_seq",
                        Long.class).setParameter(1, workspaceId).getSingleResult())
                .flatMap(seq -> {
                    WorkspaceEvent row = new WorkspaceEvent();
                    row.workspaceId = workspaceId;
                    row.seq = seq;
                    row.eventId = event.eventId() != null ? event.eventId() : "evt_" + ids.nextId();
                    row.type = event.type();
                    row.channelId = event.channelId();
                    Map<String, Object> payload = new LinkedHashMap<>(event.payload());
                    payload.putIfAbsent("created_at", RelayJson.mapper().convertValue(now, String.class));
                    row.payload = json(payload);
                    row.data = json(event.data() == null ? event.payload() : event.data());
                    row.recipients = event.recipients() == null ? null : json(event.recipients());
                    row.createdAt = now;
                    return row.persist();
                });
    }

    private static String json(Object value) {
        try {
            return RelayJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event cannot be stored as JSON", e);
        }
    }
}
