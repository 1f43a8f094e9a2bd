package dev.relay.auth.repository;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.relay.auth.config.AuthConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes credentials' {@code last_used_at} in batches: one statement per {@code relay.auth.last-used-flush-every} for
 * every credential used since the last one, instead of one per verification. The times are bookkeeping, never part of
 * a verdict, so a verification only records the use here and answers at once. One row write per use would put a
 * burst of single-row transactions on the pool at the moment a debounce window ends for many tokens at once (every
 * token a busy gateway verifies goes stale together), and verifications would queue behind them for connections.
 * <p>
 * A use is written only where the stored time is older than the debounce window, so a use recorded again before the
 * previous flush became visible costs no write. At most one flush is in flight; uses recorded during it go out with
 * the next one. Pending uses are flushed at shutdown; a crash loses at most one interval of them.
 */
@ApplicationScoped
public class LastUseRecorder {

    private static final String TOUCH = """
            update credentials c set last_used_at = u.used_at
            from unnest(cast($1 as text[]), cast($2 as timestamptz[])) as u(id, used_at)
            where c.id = u.id and (c.last_used_at is null or c.last_used_at < u.used_at - cast($3 as bigint) * interval '1 millisecond')
            """;

    private final Pool pool;
    private final Duration debounce;
    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final Vertx vertx;
    private final long timer;

    LastUseRecorder(Pool pool, AuthConfig config, Vertx vertx) {
        this.pool = pool;
        this.debounce = config.lastUsedDebounce();
        this.vertx = vertx;
        this.timer = vertx.setPeriodic(Math.max(10, config.lastUsedFlushEvery().toMillis()),
                id -> flush().subscribe().with(written -> {
                }, failure -> {
                }));
    }

    /** Notes that the credential was used at {@code at}; written with the next flush. */
    public void record(String credentialId, Instant at) {
        pending.merge(credentialId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /**
     * Writes the uses recorded so far in one statement; answers how many rows it changed (0 when another flush is in
     * flight: what this one would have taken waits for the next). A failure is logged and its uses are dropped.
     */
    public Uni<Integer> flush() {
        if (pending.isEmpty() || !flushing.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        List<String> ids = new ArrayList<>();
        List<OffsetDateTime> times = new ArrayList<>();
        for (String id : List.copyOf(pending.keySet())) {
            Instant at = pending.remove(id);
            if (at != null) {
                ids.add(id);
                times.add(OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            }
        }
        return pool.preparedQuery(TOUCH)
                .execute(Tuple.of(ids.toArray(String[]::new), times.toArray(OffsetDateTime[]::new),
                        debounce.toMillis()))
                .map(rows -> rows.rowCount())
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("auth.last_used_not_recorded credentials=%d: %s", ids.size(), failure.getMessage());
                    return 0;
                })
                .eventually(() -> flushing.set(false));
    }

    /** Writes what is pending before the pool closes. */
    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
        try {
            flush().await().atMost(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            Log.warnf("auth.last_used_not_recorded at shutdown: %s", e.getMessage());
        }
    }
}
