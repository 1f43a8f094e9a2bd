package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Concurrent writers in one workspace (ARCHITECTURE.md, "Events"): every event gets a unique seq, the seqs have no
 * gaps, and no event becomes visible with a seq below one already visible, so a reader paging with `since` never sees a
 * later seq before an earlier one and never skips an event. Writers store events without a seq; the outbox relay
 * sequences them, here with two more drains running alongside as other replicas would. Seqs taken outside the counter
 * row's lock, or committed apart from it, let a higher seq become visible first, which the reader below sees as a hole.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class EventSeqConcurrencyTest {

    private static final int WRITERS = 8;
    private static final int WRITES_EACH = 20;
    private static final int OTHER_REPLICAS = 2;

    @Inject
    AgroalDataSource database;

    @Inject
    OutboxRelay relay;

    @Inject
    Vertx vertx;

    @Test
    void concurrentAppendsGetGaplessUniqueSeqsVisibleInSeqOrder() throws Exception {
        Ws ws = Fixtures.workspace();
        Member ada = Fixtures.agent(ws, "ada");
        Fixtures.agent(ws, "bob");
        long start = ConversationFixtures.latestSeq(ws);
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> answeredIds = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + OTHER_REPLICAS + 1);
        try {
            Future<List<Long>> reader = pool.submit(() -> readInPages(ws.id(), start, writing));
            List<Future<?>> replicas = new ArrayList<>();
            for (int r = 0; r < OTHER_REPLICAS; r++) {
                replicas.add(pool.submit(() -> {
                    while (writing.get()) {
                        drainAsAnotherReplica();
                    }
                }));
            }
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < WRITES_EACH; i++) {
                        // Half post messages (the hot path), half append through delivery-service's route.
                        if (writer % 2 == 0) {
                            ConversationFixtures.post(ada, "general", "w" + writer + " #" + i);
                        } else {
                            answeredIds.add(appendNodeEvent(ws, writer, i));
                        }
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
            ConversationFixtures.awaitSequenced();
            writing.set(false);
            List<Long> seen = reader.get();
            for (Future<?> replica : replicas) {
                replica.get();
            }

            // Posting also marks the poster present, which may append a status event or two of its own.
            long latest = ConversationFixtures.latestSeq(ws);
            assertTrue(latest >= start + WRITERS * WRITES_EACH, "every write appended its event: " + latest);
            assertEquals(range(start + 1, latest), seen, "the reader saw every event once, in seq order");
            Map<String, Long> logged = seqsById(ws.id());
            assertEquals(range(1, latest), logged.values().stream().sorted().toList(),
                    "the log holds exactly the gapless seqs");
            assertEquals(WRITERS / 2 * WRITES_EACH, answeredIds.stream().distinct().count(),
                    "each append answered its own event id");
            assertTrue(logged.keySet().containsAll(answeredIds), "every answered event has its seq");
        } finally {
            pool.shutdownNow();
        }
    }

    /** One drain as another replica's relay runs it: on a (safe) Vert.x context of its own. */
    private void drainAsAnotherReplica() {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> relay.drain().subscribe().with(done::complete, done::completeExceptionally));
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Long> range(long first, long last) {
        List<Long> seqs = new ArrayList<>();
        for (long seq = first; seq <= last; seq++) {
            seqs.add(seq);
        }
        return seqs;
    }

    private static String appendNodeEvent(Ws ws, int writer, int i) {
        return given().header("Authorization", PrincipalJwts.service("delivery-service"))
                .contentType(JSON)
                .body(Map.of("type", "node.status.online", "payload", Map.of("node", "n" + writer + "-" + i)))
                .when()
                .post("/internal/workspaces/" + ws.id() + "/events")
                .then()
                .statusCode(201)
                .extract()
                .path("data.event_id");
    }

    /**
     * Pages through the log as a `since` reader does while the writers run: each page read must continue exactly at
     * the cursor, with no hole, or an event committed later with a lower seq would be skipped for good.
     */
    private List<Long> readInPages(String workspaceId, long start, AtomicBoolean writing)
            throws SQLException, InterruptedException {
        List<Long> seen = new ArrayList<>();
        long cursor = start;
        boolean last = false;
        while (!last) {
            // One more read after the writers finished picks up what they committed last.
            last = !writing.get();
            for (long seq : seqsAfter(workspaceId, cursor)) {
                assertEquals(cursor + 1, seq, "a later seq was visible before seq " + (cursor + 1));
                seen.add(seq);
                cursor = seq;
            }
            Thread.sleep(2);
        }
        return seen;
    }

    private Map<String, Long> seqsById(String workspaceId) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select event_id, seq from workspace_events where workspace_id = ?")) {
            query.setString(1, workspaceId);
            Map<String, Long> seqs = new HashMap<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    seqs.put(rows.getString(1), rows.getLong(2));
                }
            }
            return seqs;
        }
    }

    private List<Long> seqsAfter(String workspaceId, long cursor) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select seq from workspace_events where workspace_id = ? and seq > ? order by seq")) {
            query.setString(1, workspaceId);
            query.setLong(2, cursor);
            List<Long> seqs = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    seqs.add(rows.getLong(1));
                }
            }
            return seqs;
        }
    }

}
