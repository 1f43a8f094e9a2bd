package dev.relay.workspace.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.redis.RedisNames;
import dev.relay.workspace.repository.WorkspaceEvent;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sequences committed events and publishes them from the log (the outbox) to Redis: each once to the stream
 * delivery-service consumes and to its workspace's pub/sub channel for the gateways, then marks it published. After a
 * crash or a Redis outage it resumes from PostgreSQL; a Lua script adds each event to the stream only once, guarded by
 * a marker keyed by its event id, even when it is published again. Events go out in batches, a few round trips each,
 * in seq order per workspace.
 * <p>
 * Writers store events without a seq. A drain gives the waiting ones their seqs and commits that on its own
 * ({@link EventSequencer}), then publishes exactly those rows (they come back from the sequencing statement) and marks
 * them published with one autocommitted update that the next drain does not wait for. Sequencing is committed before anything reaches Redis because the
 * stream entry carries the seq and the marker lets an event into the stream only once: were seqs assigned in the
 * publishing transaction, a publish failing part way would roll them back while the entries already added kept them,
 * and the retry could number the same events differently (another replica, or an event committed late with an earlier
 * creation time, takes a seq in between), leaving the stream, and the observers who page from its seqs with `since`,
 * with a seq that names another event. Once committed, a seq never changes: a retry, a crash between sequencing and
 * marking, or {@link #republishSince} (which clears only {@code published_at}) publishes the event again with the seq
 * it has, and only events without one get new seqs. The sequencing transaction holds no lock across a Redis call.
 * <p>
 * Sequenced events left unpublished (a failed publish, a crash, another replica's crash, a republish) are the
 * leftovers. A drain publishes them first, oldest seqs first and locked while it does, so this replica never puts a
 * workspace's newer events in the stream ahead of its older ones: at start, after any failure, after a republish, and
 * once per safety-net tick for what other replicas left.
 */
@ApplicationScoped
public class OutboxRelay {

    /**
     * Publishes a chunk of events in order, each once: an event whose marker is new goes to the stream, then to its
     * workspace channel. KEYS: the stream, then each event's published marker and workspace channel. ARGV: marker ttl,
     * stream max length, then per event the count of its stream field/value items and the items, the last value
     * being what the channel receives. Answers how many events were new.
     */
    private static final String PUBLISH_ONCE_EACH = """
            local at, added = 3, 0
            for e = 1, (#KEYS - 1) / 2 do
              local count = tonumber(ARGV[at])
              local fields = {}
              for i = at + 1, at + count do fields[#fields + 1] = ARGV[i] end
              at = at + count + 1
              if redis.call('SET', KEYS[2 * e], '1', 'NX', 'EX', ARGV[1]) then
                redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
                redis.call('PUBLISH', KEYS[2 * e + 1], fields[#fields])
                added = added + 1
              end
            end
            return added
            """;
    private static final int BATCH = 200;
    /** Events per script call: a batch takes two calls, and no single call keeps Redis busy for long. */
    private static final int CHUNK = 100;
    private static final Duration MARKER_TTL = Duration.ofDays(7);
    private static final String STREAM_MAX_LENGTH = "1000000";
    private static final String MARK_PUBLISHED = "update workspace_events set published_at = $1 where event_id = any($2)";

    private final EventSequencer sequencer;
    private final Pool pool;
    private final ReactiveRedisDataSource redis;
    private final RedisNames names;
    private final Clock clock;
    private final Vertx vertx;
    /** One drain at a time in this replica, so events leave in seq order; a nudge during a drain runs another. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    /** Set when sequenced events may wait unpublished: the next drain publishes them before anything newer. */
    private final AtomicBoolean leftovers = new AtomicBoolean(true);
    /** While set, nothing is published, as if the relay had crashed; committed events wait in the log. */
    private final AtomicBoolean halted = new AtomicBoolean();
    /** The Redis server's run id when last looked at: a new one means Redis restarted. */
    private volatile String redisRunId;
    private final Duration republishWindow;

    OutboxRelay(EventSequencer sequencer, Pool pool, ReactiveRedisDataSource redis, RedisNames names, Clock clock,
            Vertx vertx,
            @ConfigProperty(name = "relay.workspace.republish-window", defaultValue = "1h") Duration republishWindow) {
        this.sequencer = sequencer;
        this.pool = pool;
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

    /**
     * Queues every event published since the instant for publishing again, then publishes; the events keep their
     * seqs.
     */
    public Uni<Integer> republishSince(Instant since) {
        return pool.preparedQuery("update workspace_events set published_at = null where published_at >= $1")
                .execute(Tuple.of(OffsetDateTime.ofInstant(since, ZoneOffset.UTC)))
                .map(rows -> rows.rowCount())
                .invoke(() -> {
                    leftovers.set(true);
                    nudge();
                });
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
        leftovers.set(true);
        nudge();
    }

    /**
     * Stops sequencing and publishing, as a crash of the relay would: writes still commit their events, which wait in
     * the log, without seqs, until {@link #resume()}. An in-flight batch finishes.
     */
    public void halt() {
        halted.set(true);
    }

    /** Publishes again, starting with everything that waited. */
    public void resume() {
        halted.set(false);
        leftovers.set(true);
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

    /**
     * Publishes up to one batch of leftovers if there may be any, then sequences up to one batch of waiting events and
     * publishes them; answers the larger count (a full batch means more may wait).
     */
    public Uni<Integer> drain() {
        Uni<Integer> older = leftovers.getAndSet(false) ? publishSequenced().invoke(published -> {
            if (published == BATCH) {
                leftovers.set(true); // more may wait: the next drain goes on with them
            }
        }) : Uni.createFrom().item(0);
        return older.flatMap(published -> sequencer.sequenceAndLoad(BATCH)
                .flatMap(events -> events.isEmpty()
                        ? Uni.createFrom().item(0)
                        : publish(events).invoke(() -> markPublishedInBackground(events))
                                .replaceWith(events.size()))
                .map(sequenced -> Math.max(sequenced, published)))
                .onFailure()
                .invoke(() -> leftovers.set(true));
    }

    /**
     * Marks just-published events in one autocommitted statement, without holding up the next drain: the mark is
     * bookkeeping for crash recovery, and the stream already has the events. A mark that fails leaves them to the
     * leftovers pass, which publishes them again (the markers keep them out of the stream a second time) and marks them.
     */
    private void markPublishedInBackground(List<WorkspaceEvent> events) {
        pool.preparedQuery(MARK_PUBLISHED)
                .execute(markArguments(events))
                .subscribe()
                .with(marked -> {
                }, failure -> {
                    leftovers.set(true);
                    Log.warnf("outbox: marking %d published events failed (%s); they will be published again",
                            events.size(), failure.getMessage());
                });
    }

    private Tuple markArguments(List<WorkspaceEvent> events) {
        return Tuple.of(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC),
                events.stream().map(event -> event.eventId).toArray(String[]::new));
    }

    /**
     * Publishes up to one batch of leftovers (sequenced, unpublished events) in seq order per workspace; answers how
     * many. The
     * batch costs one select, a script call per {@link #CHUNK} events and one update, whatever its size. The rows stay
     * locked until they are marked, so another replica's drain skips them; a failure part way leaves the whole batch
     * unmarked, to be published again with the same seqs, and the markers keep what already reached the stream from
     * being added twice.
     */
    private Uni<Integer> publishSequenced() {
        return pool.withTransaction(connection -> connection.preparedQuery("select " + EventSequencer.EVENT_COLUMNS
                + " from workspace_events where published_at is null and seq is not null "
                + "order by workspace_id, seq limit $1 for update skip locked")
                .execute(Tuple.of(BATCH))
                .map(EventSequencer::events)
                .flatMap(events -> events.isEmpty()
                        ? Uni.createFrom().item(0)
                        : publish(events).chain(() -> connection.preparedQuery(MARK_PUBLISHED)
                                .execute(markArguments(events)))
                                .replaceWith(events.size())));
    }

    /**
     * Adds the (sequenced) events to the stream and their workspace channels in the given order, each once per event
     * id, without marking them published; the chunks go one after the other so the order holds across them.
     */
    public Uni<Void> publish(List<WorkspaceEvent> events) {
        for (WorkspaceEvent event : events) {
            if (event.seq == null) {
                throw new IllegalArgumentException("event " + event.eventId + " has no seq yet");
            }
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < events.size(); from += CHUNK) {
            List<WorkspaceEvent> chunk = events.subList(from, Math.min(from + CHUNK, events.size()));
            chain = chain.chain(() -> redis.execute("EVAL", scriptArguments(chunk)).replaceWithVoid());
        }
        return chain;
    }

    private String[] scriptArguments(List<WorkspaceEvent> chunk) {
        List<String> keys = new ArrayList<>();
        keys.add(names.workspaceEventStream());
        List<String> values = new ArrayList<>(List.of(String.valueOf(MARKER_TTL.toSeconds()), STREAM_MAX_LENGTH));
        for (WorkspaceEvent event : chunk) {
            keys.add(names.publishedEventKey(event.eventId));
            keys.add(names.workspaceEventChannel(event.workspaceId));
            List<String> fields = streamFields(event);
            values.add(String.valueOf(fields.size()));
            values.addAll(fields);
        }
        List<String> arguments = new ArrayList<>(List.of(PUBLISH_ONCE_EACH, String.valueOf(keys.size())));
        arguments.addAll(keys);
        arguments.addAll(values);
        return arguments.toArray(String[]::new);
    }

    /** The stream entry's field/value pairs; the last value, the whole event, is also what the channel receives. */
    private static List<String> streamFields(WorkspaceEvent event) {
        String whole = "{\"event_id\":" + quote(event.eventId) + ",\"workspace_id\":" + quote(event.workspaceId)
                + ",\"seq\":" + event.seq + ",\"type\":" + quote(event.type) + ",\"payload\":" + event.payload + "}";
        return List.of("event_id", event.eventId,
                "workspace_id", event.workspaceId,
                "seq", String.valueOf(event.seq),
                "type", event.type,
                "channel_id", event.channelId == null ? "" : event.channelId,
                "data", event.data,
                "recipients", event.recipients == null ? "[]" : event.recipients,
                "created_at", event.createdAt.toString(),
                "event", whole);
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
