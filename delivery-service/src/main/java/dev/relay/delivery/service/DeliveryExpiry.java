package dev.relay.delivery.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.service.DeliveryStore.Delivery;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Mailbox TTL (contract §6.3, §6.5): deliveries nobody acknowledged in time become `dead_lettered`, and each message's
 * sender is told with `delivery.failed` reason `ttl_expired`. A scheduled sweep works in bounded batches; listing an
 * agent's deliveries first expires that agent's rows, so a poller never sees a row past its TTL.
 */
@ApplicationScoped
public class DeliveryExpiry {

    /** Rows dead-lettered per statement. */
    public static final int BATCH = 50;
    /** Batches per sweep, so one tick stays bounded however far behind it is; the next tick carries on. */
    static final int MAX_BATCHES = 20;
    /** Rows one `GET /v1/deliveries` expires first: at most what it can list. */
    static final int LAZY_LIMIT = 200;

    private final DeliveryStore store;
    private final DeliveryEvents events;

    DeliveryExpiry(DeliveryStore store, DeliveryEvents events) {
        this.store = store;
        this.events = events;
    }

    @Scheduled(every = "${relay.delivery.expiry-sweep-every}", delayed = "${relay.delivery.expiry-sweep-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return sweep(0).onFailure().recoverWithItem(failure -> {
            Log.warnf("delivery TTL sweep failed: %s", failure.getMessage());
            return null;
        });
    }

    private Uni<Void> sweep(int done) {
        return sweepOnce().flatMap(count -> count == BATCH && done + 1 < MAX_BATCHES
                ? sweep(done + 1)
                : Uni.createFrom().voidItem());
    }

    /** One batch of at most {@link #BATCH} expired rows, any agent; answers how many were dead-lettered. */
    public Uni<Integer> sweepOnce() {
        return store.expire(null, BATCH).call(this::notifySenders).map(List::size);
    }

    /** The agent's own expired rows, before its deliveries are listed. */
    public Uni<Void> expireFor(String agentId) {
        return store.expire(agentId, LAZY_LIMIT).call(this::notifySenders).replaceWithVoid();
    }

    private Uni<Void> notifySenders(List<Delivery> expired) {
        if (expired.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Log.infof("delivery.ttl_expired rows=%d", expired.size());
        return Uni.join().all(expired.stream().map(events::expired).toList()).andCollectFailures().replaceWithVoid();
    }
}
