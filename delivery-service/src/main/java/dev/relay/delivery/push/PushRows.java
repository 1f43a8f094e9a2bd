package dev.relay.delivery.push;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.Delivery;
import dev.relay.delivery.service.Sql;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The delivery rows routed to http_push nodes (contract §6.7): those due for a POST, the claim that lets exactly one
 * dispatcher POST a row at a time, and the record of a POST that failed.
 */
@ApplicationScoped
class PushRows {

    private static final String HTTP_PUSH = "http_push";

    private final Pool pool;
    private final Clock clock;

    PushRows(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** Queued, unexpired http_push rows whose next attempt is due (or never set), the longest waiting first. */
    Uni<List<Delivery>> due(int limit) {
        return pool.preparedQuery("select " + DeliveryStore.COLUMNS + " from deliveries where status = 'queued' and "
                + "route_node_kind = $1 and (next_attempt_at is null or next_attempt_at <= $2) and (expires_at is "
                + "null or expires_at > $2) order by next_attempt_at nulls first, created_at limit $3")
                .execute(Sql.tuple(HTTP_PUSH, Sql.at(clock.instant()), limit))
                .map(rows -> {
                    List<Delivery> due = new ArrayList<>();
                    rows.forEach(row -> due.add(Delivery.of(row)));
                    return due;
                });
    }

    /**
     * Claims the row for one POST: counts the attempt, clears the last error and sets the next attempt to
     * {@code until}, on condition that `next_attempt_at` is still what the caller read ({@code seen}). Of several
     * dispatchers that read the same row (replicas, a sweep racing the first dispatch), exactly one succeeds; the
     * others get nothing and leave the row alone. Answers the claimed row.
     */
    Uni<Optional<Delivery>> claim(Delivery row, Instant until) {
        OffsetDateTime seen = row.row().getOffsetDateTime("next_attempt_at");
        Instant now = clock.instant();
        return pool.preparedQuery("update deliveries set dispatch_attempts = dispatch_attempts + 1, "
                + "last_dispatch_error = null, next_attempt_at = $3, updated_at = $4 where id = $1 and status = "
                + "'queued' and route_node_kind = $5 and next_attempt_at is not distinct from $2 and (expires_at is "
                + "null or expires_at > $4) returning " + DeliveryStore.COLUMNS)
                .execute(Sql.tuple(row.id(), seen, Sql.at(until), Sql.at(now), HTTP_PUSH))
                .map(rows -> rows.rowCount() == 0
                        ? Optional.empty()
                        : Optional.of(Delivery.of(rows.iterator().next())));
    }

    /** Records why the POST failed; the row stays queued until its claimed next attempt (or its TTL) comes. */
    Uni<Void> failed(String deliveryId, String error) {
        return pool.preparedQuery("update deliveries set last_dispatch_error = $2, updated_at = $3 where id = $1 and "
                + "status = 'queued'")
                .execute(Sql.tuple(deliveryId, error, Sql.at(clock.instant())))
                .replaceWithVoid();
    }
}
