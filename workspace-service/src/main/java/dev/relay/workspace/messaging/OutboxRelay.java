package dev.relay.workspace.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.redis.RedisNames;
import dev.relay.workspace.repository.WorkspaceEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Publishes committed events from the log (the outbox) to Redis: each once to the stream delivery-service consumes
 * and to its workspace's pub/sub channel for the gateways, then marks it published. After a crash or a Redis outage
 * it resumes from PostgreSQL; a Lua script keyed by the event id adds an event to the stream only once even when it
 * is published again.
 */
@ApplicationScoped
public class OutboxRelay {

    /** KEYS: published marker, stream, workspace channel. ARGV: ttl, then the stream's field/value pairs. */
    private static final String PUBLISH_ONCE = """
            if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
              local fields = {}
              for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
              redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
              redis.call('PUBLISH', KEYS[3], ARGV[#ARGV])
              return 1
            end
            return 0
            """;
    private static final int BATCH = 200;
    private static final Duration MARKER_TTL = Duration.ofDays(7);
    private static final String STREAM_MAX_LENGTH = "1000000";

    private final ReactiveRedisDataSource redis;
    private final RedisNames names;
    private final Clock clock;
    private final Vertx vertx;
    /** One drain at a time in this replica, so events leave in seq order; a nudge during a drain runs another. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    /** While set, nothing is published, as if the relay had crashed; committed events wait in the log. */
    private final AtomicBoolean halted = new AtomicBoolean();
    /** The Redis server's run id when last looked at: a new one means Redis restarted. */
    private volatile String redisRunId;
    private final Duration republishWindow;

    OutboxRelay(ReactiveRedisDataSource redis, RedisNames names, Clock clock, Vertx vertx,
            @ConfigProperty(name = "relay.workspace.republish-window", defaultValue = "1h") Duration republishWindow) {
        this.redis = redis;
        this.names = names;
        this.clock = clock;
        this.vertx = vertx;
        this.republishWindow = republishWindow;
    }

    /**
     * Watches for a Redis restart (its run id changes). A Redis without persistence loses the stream with it, events
     * delivery-service had not consumed yet included, so everything published within the republish window goes out
     * again: consumers tell a repeat by its event id, and a Redis that kept its data keeps the markers that stop a
     * second stream entry.
     */
    @Scheduled(every = "${relay.workspace.redis-watch-every:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> watchRedis() {
        return redis.execute("INFO", "server")
                .map(info -> runId(info.toString()))
                .flatMap(this::observedRunId)
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> null);
    }

    /** Answers how many events were queued again because the run id shows Redis restarted. */
    public Uni<Integer> observedRunId(String runId) {
        String previous = redisRunId;
        redisRunId = runId;
        if (runId == null || previous == null || previous.equals(runId)) {
            return Uni.createFrom().item(0);
        }
        Instant since = clock.instant().minus(republishWindow);
        Log.warnf("outbox: Redis restarted (run id %s -> %s); publishing events since %s again", previous, runId,
                since);
        return republishSince(since);
    }

    /** Queues every event published since the instant for publishing again, then publishes. */
    public Uni<Integer> republishSince(Instant since) {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery(
                        "update workspace_events set published_at = null where published_at >= ?1")
                        .setParameter(1, since)
                        .executeUpdate()))
                .invoke(this::nudge);
    }

    private static String runId(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("run_id:")) {
                return line.substring("run_id:".length()).trim();
            }
        }
        return null;
    }

    /**
     * The safety net: publishes whatever a nudge did not (a crash between commit and publish, a Redis outage). The
     * scheduler ticks about once a second whatever the interval says, so writers also call {@link #nudge()}.
     */
    @Scheduled(every = "${relay.workspace.outbox-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        nudge();
    }

    /**
     * Stops publishing, as a crash of the relay would: writes still commit their events, which wait in the log until
     * {@link #resume()}. An in-flight batch finishes.
     */
    public void halt() {
        halted.set(true);
    }

    /** Publishes again, starting with everything that waited. */
    public void resume() {
        halted.set(false);
        nudge();
    }

    /** Publishes committed events now, on a fresh context of its own; called right after a writer's commit. */
    public void nudge() {
        if (halted.get()) {
            return;
        }
        again.set(true);
        if (draining.compareAndSet(false, true)) {
            drainOnFreshContext();
        }
    }

    private void drainOnFreshContext() {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> {
            again.set(false);
            drain().subscribe().with(this::drained, failure -> {
                Log.warnf("outbox: publishing paused (%s); will retry", failure.getMessage());
                draining.set(false);
            });
        });
    }

    private void drained(int published) {
        draining.set(false);
        if (!halted.get() && (published == BATCH || again.get()) && draining.compareAndSet(false, true)) {
            drainOnFreshContext();
        }
    }

    /** Publishes up to one batch of unpublished events in seq order per workspace; answers how many. */
    public Uni<Integer> drain() {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery(
                        "select * from workspace_events where published_at is null order by workspace_id, seq limit ?1 "
                                + "for update skip locked",
                        WorkspaceEvent.class).setParameter(1, BATCH).getResultList())
                .flatMap(this::publishAll));
    }

    private Uni<Integer> publishAll(List<WorkspaceEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Instant now = clock.instant();
        return Multi.createFrom()
                .iterable(events)
                .onItem()
                .transformToUniAndConcatenate(event -> publish(event).invoke(() -> event.publishedAt = now))
                .collect()
                .last()
                .replaceWith(events.size());
    }

    /** Adds the event to the stream and its workspace channel (once per event id), without marking it published. */
    public Uni<Void> publish(WorkspaceEvent event) {
        String streamEntry = "{\"event_id\":" + quote(event.eventId) + ",\"workspace_id\":" + quote(event.workspaceId)
                + ",\"seq\":" + event.seq + ",\"type\":" + quote(event.type) + ",\"payload\":" + event.payload + "}";
        return redis.execute("EVAL", PUBLISH_ONCE, "3", names.publishedEventKey(event.eventId),
                names.workspaceEventStream(), names.workspaceEventChannel(event.workspaceId),
                String.valueOf(MARKER_TTL.toSeconds()), STREAM_MAX_LENGTH,
                "event_id", event.eventId,
                "workspace_id", event.workspaceId,
                "seq", String.valueOf(event.seq),
                "type", event.type,
                "channel_id", event.channelId == null ? "" : event.channelId,
                "data", event.data,
                "recipients", event.recipients == null ? "[]" : event.recipients,
                "created_at", event.createdAt.toString(),
                "event", streamEntry)
                .replaceWithVoid();
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
