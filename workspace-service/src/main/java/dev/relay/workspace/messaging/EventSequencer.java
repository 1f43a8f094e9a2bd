package dev.relay.workspace.messaging;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.workspace.repository.WorkspaceEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Gives committed events their per-workspace seq, the cursor of `GET /v1/workspace/events?since=` and of the observer
 * stream. Writers insert events without one ({@code EventLog}) so they never wait for each other; the outbox relay
 * runs this before it publishes, and publishes the rows it answers.
 * <p>
 * The invariant: a reader paging by seq never misses an event, so no event may become visible with a seq below one
 * already visible. A batch therefore advances each of its workspaces' counters and sets its events' seqs in one
 * transaction: the counter row stays locked from the moment the seqs are taken until they are committed, so another
 * replica sequencing the same workspace waits and takes the seqs after them, and visibility (a non-null seq) comes with
 * the same commit. Counter rows are locked in workspace id order, so two replicas never wait for each other in a
 * circle; event rows are taken with {@code skip locked} and never waited for.
 * <p>
 * It runs on the reactive client, not Hibernate: it is once per drain on the hot path, and the sequenced rows come back
 * from the assigning statement itself, so the relay publishes them without reading them again.
 */
@ApplicationScoped
public class EventSequencer {

    /** Oldest first; a row another replica is sequencing is skipped. */
    private static final String UNSEQUENCED = """
            select event_id, workspace_id from workspace_events where seq is null order by created_at, event_id
            limit $1 for update skip locked
            """;
    private static final String LOCK_COUNTERS = """
            select workspace_id from workspace_counters where workspace_id = any($1) order by workspace_id for update
            """;
    /**
     * Advances each workspace's counter by its count of events and numbers its events from the old value on: the
     * n-th event of a workspace (rank n, in the batch's order) gets the old counter + n. Answers the sequenced rows.
     */
    private static final String ASSIGN = """
            with bumped as (
              update workspace_counters c set event_seq = c.event_seq + n.count
              from unnest(cast($1 as text[]), cast($2 as bigint[])) as n(workspace_id, count)
              where c.workspace_id = n.workspace_id
              returning c.workspace_id, c.event_seq - n.count as base
            )
            update workspace_events e set seq = b.base + s.rank
            from unnest(cast($3 as text[]), cast($4 as text[]), cast($5 as bigint[])) as s(event_id, workspace_id, rank)
            join bumped b on b.workspace_id = s.workspace_id
            where e.event_id = s.event_id
            returning e.event_id, e.workspace_id, e.seq, e.type, e.channel_id, e.payload, e.data, e.recipients,
              e.created_at
            """;

    /** The columns {@link #events} reads: what the outbox publishes of an event. */
    static final String EVENT_COLUMNS = "event_id, workspace_id, seq, type, channel_id, payload, data, recipients, "
            + "created_at";

    private final Pool pool;

    EventSequencer(Pool pool) {
        this.pool = pool;
    }

    /**
     * Sequences up to {@code limit} of the oldest unsequenced events and commits; answers how many. Within a workspace
     * seqs follow the events' creation time (then event id).
     */
    public Uni<Integer> sequence(int limit) {
        return sequenceAndLoad(limit).map(List::size);
    }

    /**
     * Sequences up to {@code limit} of the oldest unsequenced events and commits; answers them, with their seqs, in
     * seq order per workspace (workspaces in id order). Detached rows: read, never persisted from here.
     */
    public Uni<List<WorkspaceEvent>> sequenceAndLoad(int limit) {
        return pool.withTransaction(connection -> connection.preparedQuery(UNSEQUENCED)
                .execute(Tuple.of(limit))
                .flatMap(rows -> rows.size() == 0 ? Uni.createFrom().item(List.of()) : assign(connection, rows)));
    }

    private static Uni<List<WorkspaceEvent>> assign(SqlConnection connection, RowSet<Row> rows) {
        Map<String, List<String>> byWorkspace = new TreeMap<>();
        for (Row row : rows) {
            byWorkspace.computeIfAbsent(row.getString("workspace_id"), id -> new ArrayList<>())
                    .add(row.getString("event_id"));
        }
        String[] workspaces = byWorkspace.keySet().toArray(String[]::new);
        Long[] counts = byWorkspace.values().stream().map(ids -> (long) ids.size()).toArray(Long[]::new);
        List<String> eventIds = new ArrayList<>();
        List<String> eventWorkspaces = new ArrayList<>();
        List<Long> ranks = new ArrayList<>();
        byWorkspace.forEach((workspace, ids) -> {
            for (int i = 0; i < ids.size(); i++) {
                eventIds.add(ids.get(i));
                eventWorkspaces.add(workspace);
                ranks.add(i + 1L);
            }
        });
        return connection.preparedQuery(LOCK_COUNTERS)
                .execute(Tuple.of((Object) workspaces))
                .chain(() -> connection.preparedQuery(ASSIGN)
                        .execute(Tuple.tuple(List.of(workspaces, counts, eventIds.toArray(String[]::new),
                                eventWorkspaces.toArray(String[]::new), ranks.toArray(Long[]::new)))))
                .map(EventSequencer::events);
    }

    /** Rows of {@link #EVENT_COLUMNS} as detached events, in seq order per workspace. */
    static List<WorkspaceEvent> events(RowSet<Row> rows) {
        List<WorkspaceEvent> events = new ArrayList<>();
        for (Row row : rows) {
            WorkspaceEvent event = new WorkspaceEvent();
            event.eventId = row.getString("event_id");
            event.workspaceId = row.getString("workspace_id");
            event.seq = row.getLong("seq");
            event.type = row.getString("type");
            event.channelId = row.getString("channel_id");
            event.payload = row.getString("payload");
            event.data = row.getString("data");
            event.recipients = row.getString("recipients");
            OffsetDateTime createdAt = row.getOffsetDateTime("created_at");
            event.createdAt = createdAt == null ? null : createdAt.toInstant();
            events.add(event);
        }
        events.sort(Comparator.comparing((WorkspaceEvent e) -> e.workspaceId).thenComparingLong(e -> e.seq));
        return events;
    }
}
