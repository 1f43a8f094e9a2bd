package dev.relay.delivery.service;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/**
 * Marks rows written to node sockets `delivered`, for every socket on this replica, by {@link GroupCommit}: each
 * socket's write-back after a burst of frames was a statement of its own, one per delivery when the agent acks each
 * frame at once. Write-backs that arrive while a flush is in flight go out together in the next one, one statement
 * for all their rows. Coalescing changes only when a row is marked: only queued rows become delivered (an ack that
 * got there first stays), and a caller hears back only once its rows are marked.
 */
@ApplicationScoped
public class DeliveredWriter {

    /** The most write-backs one flush takes (each at most a page of rows). */
    static final int MOST_PER_FLUSH = 200;

    private final DeliveryStore store;
    private final GroupCommit<List<String>> commit;

    DeliveredWriter(DeliveryStore store) {
        this.store = store;
        this.commit = new GroupCommit<>(MOST_PER_FLUSH, this::flush);
    }

    /** Marks these rows delivered; completes once written, or fails with the failure of the flush that carried them. */
    public Uni<Void> markDelivered(List<String> deliveryIds) {
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
