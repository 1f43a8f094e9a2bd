package dev.relay.delivery.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.client.WorkspaceClient;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Signs of life for the agents node sockets carry, handed to workspace-service, which owns presence (contract §9). An
 * agent behind a node (every SDK client's direct node, a broker's workers) may make no REST call for minutes while its
 * node heartbeats every 30 s; without these reports its presence would expire after the 60 s TTL and flap back with
 * every call. Agents are collected per workspace and sent as one request per workspace per flush.
 *
 * <p>
 * Presence is soft state: a report workspace-service cannot take is dropped with a log line, not retried. The next
 * heartbeat reports the agent again, well inside the TTL, and a retried report could outlive the socket it speaks for.
 * For the same reason an agent whose socket stops carrying it is taken out of the pending report, and
 * {@link #settled} lets the offline bookkeeping wait for a report already on its way, so that no report undoes it.
 */
@ApplicationScoped
public class PresenceReports {

    /** The most agent ids one request carries (workspace-service refuses more). */
    static final int MOST_PER_REQUEST = 1_000;
    /** A report not answered by then counts as failed (dropped), so nothing waits on it longer. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

    private final WorkspaceClient workspaces;
    private final Map<String, Set<String>> pending = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    PresenceReports(WorkspaceClient workspaces) {
        this.workspaces = workspaces;
    }

    /** A live socket carries these agents of the workspace: report them seen at the next flush. */
    public void carried(String workspaceId, Collection<String> agentIds) {
        if (agentIds.isEmpty()) {
            return;
        }
        // Atomic per workspace, as is the flush's remove: an agent is either in the report taken or in the next one.
        pending.compute(workspaceId, (id, agents) -> {
            Set<String> merged = agents == null ? new LinkedHashSet<>() : agents;
            merged.addAll(agentIds);
            return merged;
        });
    }

    /** No live socket here carries these agents any more: a sign of life collected for them no longer holds. */
    public void notCarried(String workspaceId, Collection<String> agentIds) {
        if (agentIds.isEmpty()) {
            return;
        }
        pending.computeIfPresent(workspaceId, (id, agents) -> {
            agents.removeAll(agentIds);
            return agents.isEmpty() ? null : agents;
        });
    }

    /**
     * Completes once the report on its way for the workspace, if any, has been answered (or has failed): whatever
     * follows, an agent's `offline` status for one, reaches workspace-service after it.
     */
    public Uni<Void> settled(String workspaceId) {
        CompletableFuture<Void> answered = inFlight.get(workspaceId);
        return answered == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(answered);
    }

    /** Sends what has been collected: one request per workspace (or a few, past {@link #MOST_PER_REQUEST} agents). */
    @Scheduled(every = "${relay.delivery.presence-reports-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> flush() {
        List<Uni<Void>> sends = new ArrayList<>();
        for (String workspaceId : List.copyOf(pending.keySet())) {
            // In flight before it is taken: a socket that stops carrying an agent finds either the agent still
            // pending (and takes it out) or this report to wait for.
            CompletableFuture<Void> answered = new CompletableFuture<>();
            inFlight.put(workspaceId, answered);
            Set<String> taken = pending.remove(workspaceId);
            List<String> agents = taken == null ? List.of() : List.copyOf(taken);
            List<Uni<Void>> requests = new ArrayList<>();
            for (int from = 0; from < agents.size(); from += MOST_PER_REQUEST) {
                List<String> part = agents.subList(from, Math.min(agents.size(), from + MOST_PER_REQUEST));
                requests.add(workspaces.presence(workspaceId, part)
                        // Bounded, whatever the client does: the offline bookkeeping waits for a report in flight.
                        .ifNoItem()
                        .after(ANSWER_WITHIN)
                        .fail()
                        .onFailure()
                        .recoverWithUni(failure -> {
                            Log.warnf("presence_reports.dropped workspace=%s count=%d: %s", workspaceId, part.size(),
                                    failure.getMessage());
                            return Uni.createFrom().voidItem();
                        }));
            }
            Uni<Void> all = requests.isEmpty()
                    ? Uni.createFrom().voidItem()
                    : Uni.join().all(requests).andCollectFailures().replaceWithVoid();
            sends.add(all.eventually(() -> {
                inFlight.remove(workspaceId, answered);
                answered.complete(null);
            }));
        }
        return sends.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(sends).andCollectFailures().replaceWithVoid();
    }
}
