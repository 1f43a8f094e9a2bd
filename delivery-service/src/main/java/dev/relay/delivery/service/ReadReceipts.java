package dev.relay.delivery.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.client.WorkspaceClient;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * The reads that acknowledged deliveries imply (contract §6.5: every acked message gets a read receipt and moves its
 * channel's read marker), handed to workspace-service, which owns them. Every SDK client acks each frame it gets, so
 * acks are collected for a moment and sent as one request per workspace instead of one call per ack. Receipts are
 * derived state: a batch workspace-service cannot take is retried at the next flush, and dropped (with a log line)
 * when more than {@link #MOST_PENDING} wait.
 */
@ApplicationScoped
public class ReadReceipts {

    static final int MOST_PENDING = 100_000;
    private static final int MOST_PER_REQUEST = 5_000;

    private final WorkspaceClient workspaces;
    private final Map<String, Map<String, List<String>>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    ReadReceipts(WorkspaceClient workspaces) {
        this.workspaces = workspaces;
    }

    /** The agent acked deliveries of these messages. */
    public void acked(String workspaceId, String agentId, List<String> messageIds) {
        if (messageIds.isEmpty()) {
            return;
        }
        if (size.get() + messageIds.size() > MOST_PENDING) {
            Log.warnf("read_receipts.dropped workspace=%s agent=%s count=%d (workspace-service is not taking them)",
                    workspaceId, agentId, messageIds.size());
            return;
        }
        // Atomic per workspace, as is the flush's remove: an ack is either in the batch taken or in the next one.
        pending.compute(workspaceId, (id, byAgent) -> {
            Map<String, List<String>> merged = byAgent == null ? new LinkedHashMap<>() : byAgent;
            merged.computeIfAbsent(agentId, agent -> new ArrayList<>()).addAll(messageIds);
            return merged;
        });
        size.addAndGet(messageIds.size());
    }

    /** Sends what has been collected, one request (or a few, when large) per workspace. */
    @Scheduled(every = "${relay.delivery.read-receipts-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> flush() {
        List<Uni<Void>> sends = new ArrayList<>();
        for (String workspaceId : List.copyOf(pending.keySet())) {
            Map<String, List<String>> taken = pending.remove(workspaceId);
            if (taken == null) {
                continue;
            }
            for (Map<String, List<String>> batch : batches(taken)) {
                int count = batch.values().stream().mapToInt(List::size).sum();
                size.addAndGet(-count);
                sends.add(workspaces.reads(workspaceId, batch).onFailure().recoverWithUni(failure -> {
                    Log.warnf("read_receipts.retry workspace=%s count=%d: %s", workspaceId, count,
                            failure.getMessage());
                    batch.forEach((agentId, ids) -> acked(workspaceId, agentId, ids));
                    return Uni.createFrom().voidItem();
                }));
            }
        }
        return sends.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(sends).andCollectFailures().replaceWithVoid();
    }

    private static List<Map<String, List<String>>> batches(Map<String, List<String>> byAgent) {
        List<Map<String, List<String>>> batches = new ArrayList<>();
        Map<String, List<String>> current = new LinkedHashMap<>();
        int count = 0;
        for (Map.Entry<String, List<String>> agent : byAgent.entrySet()) {
            List<String> ids = List.copyOf(agent.getValue());
            for (int from = 0; from < ids.size(); from += MOST_PER_REQUEST) {
                List<String> part = ids.subList(from, Math.min(ids.size(), from + MOST_PER_REQUEST));
                if (count + part.size() > MOST_PER_REQUEST && !current.isEmpty()) {
                    batches.add(current);
                    current = new LinkedHashMap<>();
                    count = 0;
                }
                current.computeIfAbsent(agent.getKey(), id -> new ArrayList<>()).addAll(part);
                count += part.size();
            }
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }
}
