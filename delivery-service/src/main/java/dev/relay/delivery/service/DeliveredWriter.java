package dev.relay.delivery.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;

/**
 * Marks rows written to node sockets `delivered`, for every socket on this replica, by {@link GroupCommit}: each
 * socket's write-back after a burst of frames was a statement of its own, one per delivery when the agent acks each
 * frame at once. Write-backs that arrive while a flush is in flight go out together in the next one, one statement
 * for all their rows. Coalescing changes only when a row is marked: only queued rows become delivered (an ack that
 * got there first stays), and a caller hears back only once its rows are marked.
 * <p>
 * A write-back waits {@code relay.delivery.mark-delivered-after} (default 1 s) before it joins a flush. Clients ack
 * each frame within milliseconds, so by then the agent has acked almost every row: those rows are dropped from the
 * write-back without a statement (the socket knows how far its agent has acked), and only what is still unacked is
 * marked. The ack's own write may not have landed yet when the database lags; marking those rows too would add a
 * version of each while acks already wait, and under load that fed on itself. Marking at once cost a second update of every row (another version of it and of its index
 * entries), about a third of the delivery database's time under load; a statement that found the rows acked still
 * cost a quarter of it. The price: a row written to a socket reads `queued` for up to that long before it reads
 * `delivered` (or `acked`). What a socket sends next never depends on it.
 */
@ApplicationScoped
public class DeliveredWriter {

    /** The most write-backs one flush takes (each at most a page of rows). */
    static final int MOST_PER_FLUSH = 200;

    private final DeliveryStore store;
    private final GroupCommit<List<String>> commit;
    private final Duration after;

    DeliveredWriter(DeliveryStore store,
            @ConfigProperty(name = "relay.delivery.mark-delivered-after", defaultValue = "1s") Duration after) {
        this.store = store;
        this.after = after;
        this.commit = new GroupCommit<>(MOST_PER_FLUSH, this::flush);
    }

    /** A row written to a socket: its id and its seq in the agent's mailbox. */
    public record Written(String id, long seq) {
    }

    /**
     * Marks these rows of one agent delivered after the configured wait, all but those at or below {@code ackedUpTo}
     * by then (how far the agent has acked: its acks settle those rows);
     * completes once written, or fails with the failure of the flush that carried them.
     */
    public Uni<Void> markDelivered(List<Written> rows, LongSupplier ackedUpTo) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Written> written = List.copyOf(rows);
        if (after.isZero() || after.isNegative()) {
            return markNow(unacked(written, ackedUpTo));
        }
        return Uni.createFrom()
                .voidItem()
                .onItem()
                .delayIt()
                .by(after)
                .chain(() -> markNow(unacked(written, ackedUpTo)));
    }

    private static List<String> unacked(List<Written> rows, LongSupplier ackedUpTo) {
        long acked = ackedUpTo.getAsLong();
        return rows.stream().filter(row -> row.seq() > acked).map(Written::id).toList();
    }

    /** Hands the rows to the group commit at once (what {@link #markDelivered} does once it has waited). */
    Uni<Void> markNow(List<String> deliveryIds) {
        if (deliveryIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return commit.submit(List.copyOf(deliveryIds));
    }

    /** How many flushes have run (for tests and metrics). */
    public long flushes() {
        return commit.batches();
    }

    private Uni<Void> flush(List<List<String>> writeBacks) {
        List<String> ids = new ArrayList<>();
        writeBacks.forEach(ids::addAll);
        return store.markDelivered(ids);
    }
}
