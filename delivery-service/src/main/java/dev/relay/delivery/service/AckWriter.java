package dev.relay.delivery.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.service.DeliveryStore.Acked;
import io.smallrye.mutiny.Uni;

/**
 * The cumulative acks (contract §6.5) of every node socket on this replica, written by {@link GroupCommit}: every SDK
 * client acks each `deliver` frame, and one statement per ack contended with delivery creation for the mailbox rows.
 * Acks that arrive while a flush is in flight are written together by the next, one statement for all their agents,
 * each agent acked up to the highest seq asked for. Coalescing changes only when an ack is written: a cursor never
 * moves backwards either way, and a caller hears back only once its ack is durable.
 */
@ApplicationScoped
public class AckWriter {

    /** The most acks one flush takes, so at most this many agents' mailboxes are locked by one statement. */
    static final int MOST_PER_FLUSH = 500;

    private final DeliveryStore store;
    private final ReadReceipts receipts;
    private final GroupCommit<Ack> commit;

    private record Ack(String agentId, long upToSeq) {
    }

    AckWriter(DeliveryStore store, ReadReceipts receipts) {
        this.store = store;
        this.receipts = receipts;
        this.commit = new GroupCommit<>(MOST_PER_FLUSH, this::flush);
    }

    /**
     * Acks the agent's rows up to {@code upToSeq} and reports the reads it implies; completes once written, or fails
     * with the failure of the flush that carried it.
     */
    public Uni<Void> ackUpTo(String agentId, long upToSeq) {
        return commit.submit(new Ack(agentId, upToSeq));
    }

    /** How many flushes have run (for tests and metrics). */
    public long flushes() {
        return commit.batches();
    }

    private Uni<Void> flush(List<Ack> acks) {
        Map<String, Long> upTo = new TreeMap<>();
        acks.forEach(ack -> upTo.merge(ack.agentId(), ack.upToSeq(), Math::max));
        return store.ackUpTo(upTo).invoke(this::report).replaceWithVoid();
    }

    /** Each agent's acked messages, as one read report per agent. */
    private void report(List<Acked> acked) {
        Map<String, Map<String, List<String>>> byWorkspace = new LinkedHashMap<>();
        for (Acked row : acked) {
            byWorkspace.computeIfAbsent(row.workspaceId(), ws -> new LinkedHashMap<>())
                    .computeIfAbsent(row.agentId(), agent -> new ArrayList<>())
                    .add(row.messageId());
        }
        byWorkspace.forEach((workspaceId, byAgent) -> byAgent.forEach((agentId, messageIds) -> receipts
                .acked(workspaceId, agentId, messageIds)));
    }
}
