package dev.relay.delivery.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.Outbox;
import dev.relay.delivery.support.RowLock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Cumulative acks are written by group commit against real PostgreSQL: acks that arrive while a flush is in flight
 * share the next one, a cursor never moves backwards whatever order the acks come in, a failed flush fails its own
 * callers and nobody else's, and every acked message is reported read once. A flush is held in flight by locking one
 * agent's ack cursor row from the test, so which acks share a flush never depends on timing.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class AckWriterTest {

    private static final int MESSAGES = 3;

    @Inject
    AckWriter writer;

    @Inject
    Outbox outbox;

    @Inject
    Pool pool;

    private Ws ws;
    private Agent sender;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
        sender = Fixtures.agent(ws, "sender");
    }

    @Test
    void acksArrivingDuringAFlushShareTheNextOneAndReportTheirReads() {
        List<Agent> agents = agentsWithMessages(12);
        Agent first = agents.getFirst();
        long before = writer.flushes();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        try (RowLock lock = lockCursor(first)) {
            acks.add(ack(first, 3));
            agents.subList(1, agents.size()).forEach(agent -> acks.add(ack(agent, 2)));
        }
        acks.forEach(CompletableFuture::join);

        assertThat("flushes for " + acks.size() + " acks", writer.flushes() - before, equalTo(2L));
        assertThat(cursor(first), equalTo(3L));
        for (Agent agent : agents.subList(1, agents.size())) {
            assertThat(agent.name() + "'s cursor", cursor(agent), equalTo(2L));
            assertThat(agent.name() + "'s acked rows", ackedSeqs(agent), equalTo(List.of(1L, 2L)));
        }
        Await.until("every agent's reads reported", () -> agents.stream()
                .allMatch(agent -> !reads(agent).isEmpty()));
        assertThat(reads(first), containsInAnyOrder(messageId(1), messageId(2), messageId(3)));
        for (Agent agent : agents.subList(1, agents.size())) {
            assertThat(agent.name() + "'s reads", reads(agent), containsInAnyOrder(messageId(1),
                    messageId(2)));
        }
    }

    @Test
    void aLowerAckAfterAHigherOneNeverMovesTheCursorBack() {
        List<Agent> agents = agentsWithMessages(3);
        Agent blocker = agents.get(0);
        Agent acrossFlushes = agents.get(1);
        Agent inOneFlush = agents.get(2);
        // The higher ack is being written when the lower one arrives: the lower goes out in the next flush.
        CompletableFuture<Void> higher = ack(acrossFlushes, 3);
        CompletableFuture<Void> lower = ack(acrossFlushes, 1);
        CompletableFuture.allOf(higher, lower).join();
        assertThat(cursor(acrossFlushes), equalTo(3L));
        assertThat(ackedSeqs(acrossFlushes), equalTo(List.of(1L, 2L, 3L)));

        // Both wait for the same flush: the agent is acked up to the higher one.
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        try (RowLock lock = lockCursor(blocker)) {
            acks.add(ack(blocker, 1));
            acks.add(ack(inOneFlush, 3));
            acks.add(ack(inOneFlush, 2));
        }
        acks.forEach(CompletableFuture::join);
        assertThat(cursor(inOneFlush), equalTo(3L));
        assertThat(ackedSeqs(inOneFlush), equalTo(List.of(1L, 2L, 3L)));
    }

    @Test
    void aFailedFlushFailsItsCallersAndLaterAcksAreWritten() {
        List<Agent> agents = agentsWithMessages(3);
        Agent blocker = agents.get(0);
        Agent poisoned = agents.get(1);
        Agent bystander = agents.get(2);
        refuseCursorUpdates(poisoned);
        try {
            CompletableFuture<Void> held;
            CompletableFuture<Void> refused;
            CompletableFuture<Void> sharing;
            try (RowLock lock = lockCursor(blocker)) {
                held = ack(blocker, 1);
                refused = ack(poisoned, 1);
                sharing = ack(bystander, 1);
            }
            held.join();
            assertThat(failureOf(refused), containsString("refused by AckWriterTest"));
            assertThat(failureOf(sharing), containsString("refused by AckWriterTest"));
            assertThat(cursor(bystander), equalTo(0L));

            ack(bystander, 2).orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(cursor(bystander), equalTo(2L));
            assertThat(ackedSeqs(bystander), equalTo(List.of(1L, 2L)));
        } finally {
            allowCursorUpdates();
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /** Agents with {@value #MESSAGES} deliveries each (seq 1..3), created by the event consumer. */
    private List<Agent> agentsWithMessages(int count) {
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            agents.add(Fixtures.agent(ws, "agent" + i));
        }
        for (int m = 1; m <= MESSAGES; m++) {
            outbox.add(Outbox.messageCreated(ws.id(), ws.id() + m, sender, "m" + m, agents));
        }
        Await.until(count * MESSAGES + " deliveries", Duration.ofSeconds(10),
                () -> scalar("select count(*) from deliveries where workspace_id = $1", ws.id()) == count
                        * MESSAGES);
        return agents;
    }

    /** The message every agent got with this seq (each message went to all of them, in order). */
    private String messageId(long seq) {
        return ws.id() + seq;
    }

    private CompletableFuture<Void> ack(Agent agent, long upTo) {
        return writer.ackUpTo(agent.id(), upTo).subscribeAsCompletionStage();
    }

    private static String failureOf(CompletableFuture<Void> ack) {
        try {
            ack.orTimeout(5, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            return String.valueOf(e.getCause().getMessage());
        }
        throw new AssertionError("the ack was written");
    }

    private long cursor(Agent agent) {
        return scalar("select ack_seq from ack_cursors where agent_id = $1", agent.id());
    }

    private List<Long> ackedSeqs(Agent agent) {
        List<Long> seqs = new ArrayList<>();
        pool.preparedQuery("select seq from deliveries where agent_id = $1 and status = 'acked' order by seq")
                .execute(Tuple.of(agent.id()))
                .await()
                .indefinitely()
                .forEach(row -> seqs.add(row.getLong(0)));
        return seqs;
    }

    private List<String> reads(Agent agent) {
        return StandInWorkspaceService.reads(ws.id(), agent.id());
    }

    private long scalar(String sql, String arg) {
        return pool.preparedQuery(sql).execute(Tuple.of(arg)).await().indefinitely().iterator().next().getLong(0);
    }

    /** Makes every update of the agent's ack cursor fail, as a broken statement would. */
    private void refuseCursorUpdates(Agent agent) {
        pool.query("create or replace function ack_writer_test_refuse() returns trigger language plpgsql as $$ begin "
                + "raise exception 'refused by AckWriterTest'; end $$").execute().await().indefinitely();
        pool.query("create trigger ack_writer_test_refuse before update on ack_cursors for each row when (old.agent_id "
                + "= '" + agent.id().replace("'", "''") + "') execute function ack_writer_test_refuse()")
                .execute()
                .await()
                .indefinitely();
    }

    private void allowCursorUpdates() {
        pool.query("drop trigger if exists ack_writer_test_refuse on ack_cursors").execute().await().indefinitely();
    }

    /** Holds the agent's ack cursor locked until closed: an ack flush naming the agent waits that long. */
    private RowLock lockCursor(Agent agent) {
        return RowLock.hold(pool, "select 1 from ack_cursors where agent_id = $1 for update", agent.id());
    }
}
