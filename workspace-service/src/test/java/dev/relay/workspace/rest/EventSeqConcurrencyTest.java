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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Concurrent writers in one workspace (ARCHITECTURE.md, "Events"): every event gets a unique seq, the seqs have no
 * gaps, and seq order is commit order, so a reader paging with `since` never sees a later seq before an earlier one
 * and never skips an event. A seq taken outside the counter row's lock, or a lock released before commit, lets a
 * higher seq commit first, which the reader below sees as a hole.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class EventSeqConcurrencyTest {

    private static final int WRITERS = 8;
    private static final int WRITES_EACH = 20;

    @Inject
    AgroalDataSource database;

    @Test
    void concurrentAppendsGetGaplessUniqueSeqsCommittedInSeqOrder() throws Exception {
        Ws ws = Fixtures.workspace();
        Member ada = Fixtures.agent(ws, "ada");
        Fixtures.agent(ws, "bob");
        long start = ConversationFixtures.latestSeq(ws);
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Long> answeredSeqs = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
        try {
            Future<List<Long>> reader = pool.submit(() -> readInPages(ws.id(), start, writing));
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < WRITES_EACH; i++) {
                        // Half post messages (the hot path), half append through delivery-service's route.
                        if (writer % 2 == 0) {
                            ConversationFixtures.post(ada, "general", "w" + writer + " #" + i);
                        } else {
                            answeredSeqs.add(appendNodeEvent(ws, writer, i));
                        }
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
            writing.set(false);
            List<Long> seen = reader.get();

            // Posting also marks the poster present, which may append a status event or two of its own.
            long latest = ConversationFixtures.latestSeq(ws);
            assertTrue(latest >= start + WRITERS * WRITES_EACH, "every write appended its event: " + latest);
            assertEquals(range(start + 1, latest), seen, "the reader saw every event once, in seq order");
            assertEquals(range(1, latest), seqsAfter(ws.id(), 0), "the log holds exactly the gapless seqs");
            assertEquals(WRITERS / 2 * WRITES_EACH, answeredSeqs.stream().distinct().count(),
                    "each append answered its own seq");
            assertTrue(seen.containsAll(answeredSeqs));
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Long> range(long first, long last) {
        List<Long> seqs = new ArrayList<>();
        for (long seq = first; seq <= last; seq++) {
            seqs.add(seq);
        }
        return seqs;
    }

    private static long appendNodeEvent(Ws ws, int writer, int i) {
        Number seq = given().header("Authorization", PrincipalJwts.service("delivery-service"))
                .contentType(JSON)
                .body(Map.of("type", "node.status.online", "payload", Map.of("node", "n" + writer + "-" + i)))
                .when()
                .post("/internal/workspaces/" + ws.id() + "/events")
                .then()
                .statusCode(201)
                .extract()
                .path("data.seq");
        return seq.longValue();
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
