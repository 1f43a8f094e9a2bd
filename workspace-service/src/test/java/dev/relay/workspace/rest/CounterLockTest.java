package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Writers into one workspace do not wait for each other (ARCHITECTURE.md, "Events"): a write takes no lock on the
 * workspace's event counter, which only the outbox relay's sequencing takes. With the counter row held locked from
 * outside, as a long sequencing transaction would hold it, a post still commits and answers 201; its event waits in
 * the log without a seq, out of the `since` log, and gets the next seq once the lock is gone.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class CounterLockTest {

    @Inject
    AgroalDataSource database;

    @Test
    void aPostCommitsWhileTheCounterRowIsLockedAndGetsItsSeqAfterwards() throws Exception {
        Ws ws = Fixtures.workspace();
        Member ada = Fixtures.agent(ws, "ada");
        Fixtures.agent(ws, "bob");
        ConversationFixtures.post(ada, "general", "before");
        long before = ConversationFixtures.latestSeq(ws);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        String messageId;
        try (Connection holder = database.getConnection()) {
            holder.setAutoCommit(false);
            try {
                lockCounter(holder, ws.id());
                Future<String> posted = pool.submit(() -> ConversationFixtures.post(ada, "general", "while locked"));
                messageId = posted.get(10, TimeUnit.SECONDS);

                assertEquals(Optional.empty(), seqOf(messageId), "the event is committed, without a seq");
                JsonPath page = given().header("Authorization", ws.key())
                        .queryParam("since", before)
                        .get("/v1/workspace/events")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath();
                assertEquals(List.of(), page.getList("data.events"), "not in the log before it has a seq");
                assertEquals(before, page.getLong("data.latest_seq"));
            } finally {
                holder.rollback();
            }
        } finally {
            pool.shutdownNow();
        }

        JsonPath log = ConversationFixtures.events(ws.key(), before);
        assertTrue(log.getList("data.events.payload.message.id").contains(messageId), log.prettify());
        long seq = seqOf(messageId).orElseThrow();
        assertTrue(seq > before, "the next seq after " + before + ": " + seq);
    }

    private static void lockCounter(Connection holder, String workspaceId) throws SQLException {
        try (PreparedStatement lock = holder.prepareStatement(
                "select event_seq from workspace_counters where workspace_id = ? for update")) {
            lock.setString(1, workspaceId);
            try (ResultSet row = lock.executeQuery()) {
                assertTrue(row.next(), "the workspace has a counter");
            }
        }
    }

    /** The seq of the message's event; a missing event fails, one without a seq is empty. */
    private Optional<Long> seqOf(String messageId) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement("select seq from workspace_events where "
                        + "type = 'message.created' and payload::jsonb #>> '{message,id}' = ?")) {
            query.setString(1, messageId);
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next(), "the message's event is in the log");
                Long seq = row.getObject(1, Long.class);
                return Optional.ofNullable(seq);
            }
        }
    }
}
