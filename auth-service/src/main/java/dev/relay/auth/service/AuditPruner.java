package dev.relay.auth.service;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.config.AuthConfig;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Enforces the audit table's retention. It runs beside verification on the same event loops and pool, so it stays
 * small: plain SQL on the reactive client (a first Hibernate query built its plan on the event loop and held every
 * verification on that loop for a quarter of a second), and deletes in bounded batches, each its own short
 * statement, so a backlog of millions of rows neither holds one long transaction nor takes the pool for long.
 */
@ApplicationScoped
public class AuditPruner {

    /** Rows per delete statement. */
    static final int BATCH = 5_000;
    private static final String DELETE_BATCH = """
            delete from audit_events where id in (
              select id from audit_events where occurred_at < $1 order by occurred_at limit $2)
            """;

    private final Pool pool;
    private final AuthConfig config;
    private final Clock clock;

    AuditPruner(Pool pool, AuthConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "${relay.auth.audit-prune-every:1h}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledPrune() {
        return prune().replaceWithVoid();
    }

    /** Deletes audit rows older than the retention; returns how many. */
    public Uni<Long> prune() {
        OffsetDateTime cutoff = OffsetDateTime.ofInstant(clock.instant().minus(config.auditRetention()),
                ZoneOffset.UTC);
        return deleteFrom(cutoff, 0).invoke(deleted -> {
            if (deleted > 0) {
                Log.infof("auth.audit_pruned rows=%d retention=%s", deleted, config.auditRetention());
            }
        });
    }

    private Uni<Long> deleteFrom(OffsetDateTime cutoff, long deletedSoFar) {
        return pool.preparedQuery(DELETE_BATCH)
                .execute(Tuple.of(cutoff, BATCH))
                .flatMap(rows -> rows.rowCount() < BATCH
                        ? Uni.createFrom().item(deletedSoFar + rows.rowCount())
                        : deleteFrom(cutoff, deletedSoFar + rows.rowCount()));
    }
}
