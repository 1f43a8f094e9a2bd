package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.redis.RedisNames;
import dev.relay.workspace.messaging.EventSequencer;
import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.repository.WorkspaceEvent;
import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands.RedisSubscriber;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;

/**
 * The outbox survives a crash of its relay (ARCHITECTURE.md, "Events"): events committed while the relay is down
 * (which have no seq yet), and events it had already sequenced and added to the stream when it died before marking
 * them published, all reach the Redis stream exactly once by id, in seq order per workspace, once it runs again, each
 * with the seq the log gives it.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class OutboxCrashTest {

    @Inject
    OutboxRelay relay;

    @Inject
    EventSequencer sequencer;

    @Inject
    AgroalDataSource database;

    @Inject
    RedisDataSource redis;

    @Inject
    RedisNames names;

    @Inject
    Vertx vertx;

    @AfterEach
    void relayRunsAgain() {
        relay.resume();
    }

    @Test
    void eventsCommittedWhileTheRelayIsDownArriveOnceInOrderAfterItRestarts() throws SQLException {
        relay.halt();
        Ws first = Fixtures.workspace();
        Ws second = Fixtures.workspace();
        Member alice = Fixtures.agent(first, "alice");
        Fixtures.agent(first, "bob");
        Member carol = Fixtures.agent(second, "carol");
        Fixtures.agent(second, "dave");
        for (int i = 0; i < 15; i++) {
            post(alice, "first " + i);
            post(carol, "second " + i);
        }
        List<WorkspaceEvent> waiting = unpublished(first.id());
        waiting.addAll(unpublished(second.id()));
        assertTrue(waiting.size() >= 30, "the events wait in the log: " + waiting.size());
        assertTrue(waiting.stream().allMatch(event -> event.seq == null), "no seq while the relay is down");
        assertEquals(0, latestSeq(first.id()));
        assertEquals(Map.of(), streamed(first.id(), second.id()), "nothing reached the stream while halted");

        // The relay had sequenced the events and added some to the stream when it died, before it could mark them
        // published; more events were committed after that.
        onContext(() -> sequencer.sequence(1000));
        waiting = unpublished(first.id());
        waiting.addAll(unpublished(second.id()));
        relay.publish(waiting.subList(0, 10)).await().atMost(Duration.ofSeconds(5));
        for (int i = 0; i < 3; i++) {
            post(alice, "first, later " + i);
            post(carol, "second, later " + i);
        }
        assertEquals(waiting.size() + 6, unpublished(first.id()).size() + unpublished(second.id()).size());

        relay.resume();

        Instant deadline = Instant.now().plusSeconds(15);
        while (!unpublished(first.id()).isEmpty() || !unpublished(second.id()).isEmpty()) {
            assertTrue(Instant.now().isBefore(deadline), "the relay did not publish the waiting events");
            pause();
        }
        Map<String, List<Long>> seqs = streamed(first.id(), second.id());
        for (Ws ws : List.of(first, second)) {
            List<Long> streamedSeqs = seqs.get(ws.id());
            long latest = latestSeq(ws.id());
            List<Long> expected = new ArrayList<>();
            for (long seq = 1; seq <= latest; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, streamedSeqs, "every event of " + ws.id() + " once, in seq order");
            assertEquals(loggedSeqs(ws.id()), streamedSeqsById(ws.id()), "each with the seq the log gives it");
        }
    }

    @Test
    void aBacklogOfSeveralBatchesReachesStreamAndChannelOnceEachInSeqOrder() throws SQLException {
        relay.halt();
        Ws ws = Fixtures.workspace();
        Member alice = Fixtures.agent(ws, "alice");
        Fixtures.agent(ws, "bob");
        List<String> announced = new CopyOnWriteArrayList<>();
        RedisSubscriber subscriber = redis.pubsub(String.class)
                .subscribe(names.workspaceEventChannel(ws.id()), announced::add);
        try {
            // More than a batch of 200, so a drain publishes it in chunks and then needs another batch.
            for (int i = 0; i < 230; i++) {
                post(alice, "backlog " + i);
            }
            assertTrue(unpublished(ws.id()).size() >= 230, "the events wait in the log");
            // The relay died after sequencing them and adding 150 to the stream, past its first chunk, before marking
            // any published.
            onContext(() -> sequencer.sequence(1000));
            List<WorkspaceEvent> waiting = unpublished(ws.id());
            relay.publish(waiting.subList(0, 150)).await().atMost(Duration.ofSeconds(5));

            relay.resume();

            awaitPublished(ws.id());
            List<Long> expected = new ArrayList<>();
            for (long seq = 1; seq <= latestSeq(ws.id()); seq++) {
                expected.add(seq);
            }
            assertEquals(expected, streamed(ws.id()).get(ws.id()), "every event once in the stream, in seq order");
            assertEquals(loggedSeqs(ws.id()), streamedSeqsById(ws.id()), "each with the seq the log gives it");
            Instant deadline = Instant.now().plusSeconds(5);
            while (announced.size() < expected.size() && Instant.now().isBefore(deadline)) {
                pause();
            }
            assertEquals(expected, seqs(announced), "every event once on the workspace channel, in seq order");
        } finally {
            subscriber.unsubscribe();
        }
    }

    @Test
    void afterARedisRestartThatLostTheStreamRecentEventsArePublishedAgainOnce() throws SQLException {
        Ws ws = Fixtures.workspace();
        Member alice = Fixtures.agent(ws, "alice");
        Fixtures.agent(ws, "bob");
        for (int i = 0; i < 5; i++) {
            post(alice, "before the restart " + i);
        }
        // The relay has seen Redis under one run id (a change from the startup sighting re-publishes; awaited).
        onContext(() -> relay.observedRunId("run-before"));
        awaitPublished(ws.id());
        assertEquals(latestSeq(ws.id()), streamed(ws.id()).get(ws.id()).size());
        Map<String, Long> before = loggedSeqs(ws.id());

        // Redis comes back empty: the workspace's stream entries and publication markers are gone.
        forgetInRedis(ws.id());
        assertEquals(Map.of(), streamed(ws.id()));
        int queued = onContext(() -> relay.observedRunId("run-after"));

        assertTrue(queued >= latestSeq(ws.id()), "queued again: " + queued);
        awaitPublished(ws.id());
        List<Long> expected = new ArrayList<>();
        for (long seq = 1; seq <= latestSeq(ws.id()); seq++) {
            expected.add(seq);
        }
        assertEquals(expected, streamed(ws.id()).get(ws.id()));
        assertEquals(before, loggedSeqs(ws.id()), "published again, the events keep their seqs");
        assertEquals(before, streamedSeqsById(ws.id()));

        // The same run id again is no restart.
        assertEquals(0, onContext(() -> relay.observedRunId("run-after")));
    }

    /** Runs database work as the service does: on a (safe) Vert.x context of its own. */
    private <T> T onContext(Supplier<Uni<T>> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> work.get().subscribe().with(done::complete, done::completeExceptionally));
        try {
            return done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Long> seqs(List<String> events) {
        return events.stream().map(event -> JsonPath.from(event).getLong("seq")).toList();
    }

    private void awaitPublished(String workspaceId) throws SQLException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (!unpublished(workspaceId).isEmpty()) {
            assertTrue(Instant.now().isBefore(deadline), "the relay did not publish " + workspaceId + "'s events");
            pause();
        }
    }

    private void forgetInRedis(String workspaceId) {
        Response entries = redis.execute("XRANGE", names.workspaceEventStream(), "-", "+");
        for (Response entry : entries) {
            Response fields = entry.get(1);
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                values.put(fields.get(i).toString(), fields.get(i + 1).toString());
            }
            if (workspaceId.equals(values.get("workspace_id"))) {
                redis.execute("XDEL", names.workspaceEventStream(), entry.get(0).toString());
                redis.execute("DEL", names.publishedEventKey(values.get("event_id")));
            }
        }
    }

    private static void post(Member agent, String text) {
        given().header("Authorization", agent.bearer())
                .contentType(JSON)
                .body(Map.of("text", text))
                .post("/v1/channels/general/messages")
                .then()
                .statusCode(201);
    }

    /** seqs of the workspaces' events in the stream, in stream order; fails on an event id seen twice. */
    private Map<String, List<Long>> streamed(String... workspaceIds) {
        List<String> wanted = List.of(workspaceIds);
        Map<String, List<Long>> seqs = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        Response entries = redis.execute("XRANGE", names.workspaceEventStream(), "-", "+");
        for (Response entry : entries) {
            Response fields = entry.get(1);
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                values.put(fields.get(i).toString(), fields.get(i + 1).toString());
            }
            String workspaceId = values.get("workspace_id");
            if (!wanted.contains(workspaceId)) {
                continue;
            }
            assertEquals(null, seen.put(values.get("event_id"), 1), "event " + values.get("event_id") + " twice");
            seqs.computeIfAbsent(workspaceId, id -> new ArrayList<>()).add(Long.parseLong(values.get("seq")));
        }
        return seqs;
    }

    /** Each event's seq in the stream, by event id. */
    private Map<String, Long> streamedSeqsById(String workspaceId) {
        Map<String, Long> seqs = new HashMap<>();
        Response entries = redis.execute("XRANGE", names.workspaceEventStream(), "-", "+");
        for (Response entry : entries) {
            Response fields = entry.get(1);
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                values.put(fields.get(i).toString(), fields.get(i + 1).toString());
            }
            if (workspaceId.equals(values.get("workspace_id"))) {
                seqs.put(values.get("event_id"), Long.parseLong(values.get("seq")));
            }
        }
        return seqs;
    }

    /** Each event's seq in the log, by event id. */
    private Map<String, Long> loggedSeqs(String workspaceId) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select event_id, seq from workspace_events where workspace_id = ?")) {
            query.setString(1, workspaceId);
            Map<String, Long> seqs = new HashMap<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    seqs.put(rows.getString(1), rows.getObject(2, Long.class));
                }
            }
            return seqs;
        }
    }

    private List<WorkspaceEvent> unpublished(String workspaceId) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement("select workspace_id, seq, event_id, type, "
                        + "channel_id, payload, data, recipients, created_at from workspace_events where workspace_id "
                        + "= ? and published_at is null order by seq, created_at, event_id")) {
            query.setString(1, workspaceId);
            List<WorkspaceEvent> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    WorkspaceEvent event = new WorkspaceEvent();
                    event.workspaceId = rows.getString(1);
                    event.seq = rows.getObject(2, Long.class);
                    event.eventId = rows.getString(3);
                    event.type = rows.getString(4);
                    event.channelId = rows.getString(5);
                    event.payload = rows.getString(6);
                    event.data = rows.getString(7);
                    event.recipients = rows.getString(8);
                    event.createdAt = rows.getTimestamp(9).toInstant();
                    events.add(event);
                }
            }
            return events;
        }
    }

    private long latestSeq(String workspaceId) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select event_seq from workspace_counters where workspace_id = ?")) {
            query.setString(1, workspaceId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
