package dev.relay.workspace.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Gives committed events their per-workspace seq, the cursor of `GET /v1/workspace/events?since=` and of the observer
 * stream. Writers insert events without one ({@code EventLog}) so they never wait for each other; the outbox relay
 * runs this before it publishes.
 * <p>
 * The invariant: a reader paging by seq never misses an event, so no event may become visible with a seq below one
 * already visible. A batch therefore advances each of its workspaces' counters and sets its events' seqs in one
 * transaction: the counter row stays locked from the moment the seqs are taken until they are committed, so another
 * replica sequencing the same workspace waits and takes the seqs after them, and visibility (a non-null seq) comes with
 * the same commit. Counter rows are locked in workspace id order, so two replicas never wait for each other in a
 * circle; event rows are taken with {@code skip locked} and never waited for.
 */
@ApplicationScoped
public class EventSequencer {

    /** Oldest first; a row another replica is sequencing is skipped. */
    private static final String UNSEQUENCED = """
            select event_id, workspace_id from workspace_events where seq is null order by created_at, event_id
            limit ?1 for update skip locked
            """;
    private static final String LOCK_COUNTERS = """
            select workspace_id from workspace_counters where workspace_id = any(?1) order by workspace_id for update
            """;
    /**
     * Advances each workspace's counter by its count of events and numbers its events from the old value on: the
     * n-th event of a workspace (rank n, in the batch's order) gets the old counter + n.
     */
    private static final String ASSIGN = """
            with bumped as (
              update workspace_counters c set event_seq = c.event_seq + n.count
              from unnest(cast(?1 as text[]), cast(?2 as bigint[])) as n(workspace_id, count)
              where c.workspace_id = n.workspace_id
              returning c.workspace_id, c.event_seq - n.count as base
            )
            update workspace_events e set seq = b.base + s.rank
            from unnest(cast(?3 as text[]), cast(?4 as text[]), cast(?5 as bigint[])) as s(event_id, workspace_id, rank)
            join bumped b on b.workspace_id = s.workspace_id
            where e.event_id = s.event_id
            """;

    /**
     * Sequences up to {@code limit} of the oldest unsequenced events and commits; answers how many. Within a workspace
     * seqs follow the events' creation time (then event id).
     */
    public Uni<Integer> sequence(int limit) {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery(UNSEQUENCED, Object[].class)
                        .setParameter(1, limit)
                        .getResultList()
                        .flatMap(rows -> rows.isEmpty() ? Uni.createFrom().item(0) : assign(rows))));
    }

    private static Uni<Integer> assign(List<Object[]> rows) {
        Map<String, List<String>> byWorkspace = new TreeMap<>();
        for (Object[] row : rows) {
            byWorkspace.computeIfAbsent((String) row[1], id -> new ArrayList<>()).add((String) row[0]);
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
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery(LOCK_COUNTERS)
                        .setParameter(1, workspaces)
                        .getResultList()
                        .chain(() -> session.createNativeQuery(ASSIGN)
                                .setParameter(1, workspaces)
                                .setParameter(2, counts)
                                .setParameter(3, eventIds.toArray(String[]::new))
                                .setParameter(4, eventWorkspaces.toArray(String[]::new))
                                .setParameter(5, ranks.toArray(Long[]::new))
                                .executeUpdate()));
    }
}
