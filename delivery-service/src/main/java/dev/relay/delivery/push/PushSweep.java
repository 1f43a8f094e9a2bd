package dev.relay.delivery.push;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.push.PushDispatcher.Outcome;
import dev.relay.delivery.service.DeliveryStore.Delivery;
import dev.relay.delivery.ws.NodeSockets;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * This replica's retry sweep over http_push rows (contract §6.7): every `relay.delivery.push.sweep-every` it claims
 * and POSTs the queued rows whose retry is due. Every replica sweeps the same table; the claim lets one POST a row.
 */
@ApplicationScoped
public class PushSweep {

    private final PushRows rows;
    private final PushDispatcher dispatcher;
    private final PushSettings settings;
    private final NodeSockets sockets;

    PushSweep(PushRows rows, PushDispatcher dispatcher, PushSettings settings, NodeSockets sockets) {
        this.rows = rows;
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.sockets = sockets;
    }

    @Scheduled(every = "${relay.delivery.push.sweep-every}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return sweepOnce().replaceWithVoid().onFailure().recoverWithItem(failure -> {
            Log.warnf("http_push retry sweep failed: %s", failure.getMessage());
            return null;
        });
    }

    /** One sweep: claims and POSTs up to the batch of due rows concurrently; answers what became of each. */
    public Uni<List<Outcome>> sweepOnce() {
        return rows.due(settings.sweepBatch())
                .flatMap(due -> due.isEmpty()
                        ? Uni.createFrom().item(List.<Outcome>of())
                        : Uni.join().all(due.stream().map(this::dispatch).toList()).andFailFast());
    }

    /** A row this sweep won is logged with the replica that POSTed it, so replicas' shares of retries can be read. */
    private Uni<Outcome> dispatch(Delivery row) {
        return dispatcher.dispatch(row).invoke(outcome -> {
            if (outcome != Outcome.NOT_CLAIMED) {
                Log.infof("delivery.push_swept delivery=%s attempt=%d replica=%s outcome=%s", row.id(),
                        row.row().getInteger("dispatch_attempts") + 1, sockets.replicaId(), outcome);
            }
        });
    }
}
