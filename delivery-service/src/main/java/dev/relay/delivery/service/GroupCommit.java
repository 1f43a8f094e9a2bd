package dev.relay.delivery.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Group commit: requests from many callers (every node socket of the replica) are written together, one batch at a
 * time, so a hot path pays one statement per batch instead of one per request. At most one write is in flight: when
 * none is, a request is written at once (an idle writer adds no latency); requests that arrive during a write wait
 * and go out together in the next one, started as soon as the current one ends. Batching changes only when a request
 * is written, never what is written: each caller's {@code Uni} completes once the batch holding its request has been
 * written, or fails with that batch's failure, after which the writer carries on with whatever waits.
 * <p>
 * Thread-safe: callers submit from any event loop; the batch is written from whichever thread ends the previous one.
 *
 * @param <T> one caller's request
 */
public final class GroupCommit<T> {

    private final int mostPerBatch;
    private final Function<List<T>, Uni<Void>> write;
    private final List<Waiting<T>> waiting = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private boolean writing;

    private record Waiting<T>(T request, UniEmitter<? super Void> caller) {
    }

    /**
     * @param mostPerBatch
     *            the most requests one write takes; the rest go in the next
     * @param write
     *            writes one batch (in submission order), in one statement where it can
     */
    public GroupCommit(int mostPerBatch, Function<List<T>, Uni<Void>> write) {
        this.mostPerBatch = mostPerBatch;
        this.write = write;
    }

    /** Queues the request (on subscription); the item comes once the batch holding it has been written. */
    public Uni<Void> submit(T request) {
        return Uni.createFrom().emitter(caller -> {
            boolean start;
            synchronized (this) {
                waiting.add(new Waiting<>(request, caller));
                start = !writing;
                writing = true;
            }
            if (start) {
                writeNext();
            }
        });
    }

    /** How many batches have been written or tried so far (for tests and metrics). */
    public long batches() {
        return batches.get();
    }

    private void writeNext() {
        List<Waiting<T>> batch;
        synchronized (this) {
            if (waiting.isEmpty()) {
                writing = false;
                return;
            }
            List<Waiting<T>> head = waiting.subList(0, Math.min(mostPerBatch, waiting.size()));
            batch = List.copyOf(head);
            head.clear();
        }
        batches.incrementAndGet();
        List<T> requests = batch.stream().map(Waiting::request).toList();
        Uni.createFrom()
                .deferred(() -> write.apply(requests))
                .subscribe()
                .with(done -> settle(batch, null), failure -> settle(batch, failure));
    }

    /** Answers the batch's callers, then writes what waits: whatever a caller does, the writer never stalls. */
    private void settle(List<Waiting<T>> batch, Throwable failure) {
        try {
            for (Waiting<T> one : batch) {
                if (failure == null) {
                    one.caller().complete(null);
                } else {
                    one.caller().fail(failure);
                }
            }
        } finally {
            writeNext();
        }
    }
}
