package dev.relay.delivery.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.delivery.service.DeliveredWriter.Written;
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
 * Sockets' write-backs are marked delivered by group commit against real PostgreSQL: write-backs that arrive while a
 * flush is in flight share the next statement, every row they name is marked, and a row acked first stays acked. A
 * flush is held in flight by locking the table from the test, so which write-backs share a flush never depends on
 * timing; those tests hand write-backs to the group commit at once, and one more checks the wait before it.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DeliveredWriterTest {

    @Inject
    DeliveredWriter writer;

    @Inject
    AckWriter acks;

    @Inject
    Outbox outbox;

    @Inject
    Pool pool;

    @Test
    void writeBacksArrivingDuringAFlushShareTheNextOne() {
        Ws ws = Fixtures.workspace();
        Agent sender = Fixtures.agent(ws, "sender");
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            agents.add(Fixtures.agent(ws, "agent" + i));
        }
        outbox.add(Outbox.messageCreated(ws.id(), ws.id() + "1", sender, "one", agents));
        outbox.add(Outbox.messageCreated(ws.id(), ws.id() + "2", sender, "two", agents));
        Await.until("16 queued rows", Duration.ofSeconds(10), () -> rows(ws, "queued").size() == 16);
        Agent first = agents.getFirst();
        Agent acker = agents.getLast();
        acks.ackUpTo(acker.id(), 1).await().indefinitely();
        String ackedVersion = version(id(ws, acker, 1));

        long before = writer.flushes();
        List<CompletableFuture<Void>> writeBacks = new ArrayList<>();
        String held = id(ws, first, 1);
        try (RowLock lock = RowLock.table(pool, "deliveries")) {
            writeBacks.add(mark(List.of(held)));
            writeBacks.add(mark(List.of(id(ws, first, 2))));
            for (Agent agent : agents.subList(1, agents.size())) {
                writeBacks.add(mark(List.of(id(ws, agent, 1), id(ws, agent, 2))));
            }
        }
        writeBacks.forEach(CompletableFuture::join);

        assertThat("flushes for " + writeBacks.size() + " write-backs", writer.flushes() - before, equalTo(2L));
        assertThat(rows(ws, "delivered").size(), equalTo(15));
        assertThat("the row acked before its write-back stays acked", rows(ws, "acked"), equalTo(List.of(id(ws,
                acker, 1))));
        assertThat("and is not written again (no new row version)", version(id(ws, acker, 1)),
                equalTo(ackedVersion));
    }

    @Test
    void aRowAnotherStatementHoldsIsSkippedNotWaitedFor() {
        Ws ws = Fixtures.workspace();
        Agent sender = Fixtures.agent(ws, "sender");
        Agent a = Fixtures.agent(ws, "a");
        Agent b = Fixtures.agent(ws, "b");
        outbox.add(Outbox.messageCreated(ws.id(), ws.id() + "1", sender, "one", List.of(a, b)));
        Await.until("2 queued rows", Duration.ofSeconds(10), () -> rows(ws, "queued").size() == 2);

        try (RowLock lock = RowLock.hold(pool, "select 1 from deliveries where id = $1 for update", id(ws, a, 1))) {
            // An ack settling a's row holds it: the write-back must not wait for it (nor deadlock with it).
            mark(List.of(id(ws, a, 1), id(ws, b, 1))).orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
            assertThat(rows(ws, "delivered"), equalTo(List.of(id(ws, b, 1))));
        }
        assertThat("the held row was left to its holder", rows(ws, "queued"), equalTo(List.of(id(ws, a, 1))));
    }

    /** The row version's creating transaction: it changes whenever the row is updated (or locked and updated). */
    private String version(String deliveryId) {
        return pool.preparedQuery("select xmin::text from deliveries where id = $1")
                .execute(Tuple.of(deliveryId))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getString(0);
    }

    @Test
    void aWriteBackWaitsBeforeItIsWritten() {
        Ws ws = Fixtures.workspace();
        Agent sender = Fixtures.agent(ws, "sender");
        Agent a = Fixtures.agent(ws, "a");
        outbox.add(Outbox.messageCreated(ws.id(), ws.id() + "1", sender, "one", List.of(a)));
        Await.until("1 queued row", Duration.ofSeconds(10), () -> rows(ws, "queued").size() == 1);

        long start = System.nanoTime();
        CompletableFuture<Void> writeBack = writer.markDelivered(List.of(new Written(id(ws, a, 1), 1)), () -> 0)
                .subscribeAsCompletionStage();
        assertThat("still queued right after the send", rows(ws, "queued"), equalTo(List.of(id(ws, a, 1))));
        writeBack.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();

        assertThat(rows(ws, "delivered"), equalTo(List.of(id(ws, a, 1))));
        assertThat("waited relay.delivery.mark-delivered-after (1 s) first",
                Duration.ofNanos(System.nanoTime() - start).toMillis() >= 900, equalTo(true));
    }

    @Test
    void rowsTheAgentHasAckedByThenAreDroppedWithoutAStatement() {
        Ws ws = Fixtures.workspace();
        Agent sender = Fixtures.agent(ws, "sender");
        Agent a = Fixtures.agent(ws, "a");
        outbox.add(Outbox.messageCreated(ws.id(), ws.id() + "1", sender, "one", List.of(a)));
        outbox.add(Outbox.messageCreated(ws.id(), ws.id() + "2", sender, "two", List.of(a)));
        Await.until("2 queued rows", Duration.ofSeconds(10), () -> rows(ws, "queued").size() == 2);
        AtomicLong acked = new AtomicLong();

        CompletableFuture<Void> writeBack = writer.markDelivered(
                List.of(new Written(id(ws, a, 1), 1), new Written(id(ws, a, 2), 2)), acked::get)
                .subscribeAsCompletionStage();
        acked.set(1); // the agent acks seq 1 during the wait
        writeBack.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();

        assertThat("only the unacked row was marked", rows(ws, "delivered"), equalTo(List.of(id(ws, a, 2))));
        assertThat("the row the agent acked was not touched", rows(ws, "queued"), equalTo(List.of(id(ws, a, 1))));

        long flushes = writer.flushes();
        acked.set(2);
        writer.markDelivered(List.of(new Written(id(ws, a, 2), 2)), acked::get).await().atMost(Duration.ofSeconds(10));
        assertThat("a write-back of acked rows only runs no statement", writer.flushes(), equalTo(flushes));
    }

    /** Straight to the group commit: these tests are about its flushes, not the wait before them. */
    private CompletableFuture<Void> mark(List<String> ids) {
        return writer.markNow(ids).subscribeAsCompletionStage();
    }

    /** The id of the agent's row for the workspace's message {@code n}. */
    private static String id(Ws ws, Agent agent, int n) {
        return "del_" + ws.id() + n + "_" + agent.id();
    }

    private List<String> rows(Ws ws, String status) {
        List<String> ids = new ArrayList<>();
        pool.preparedQuery("select id from deliveries where workspace_id = $1 and status = $2 order by id")
                .execute(Tuple.of(ws.id(), status))
                .await()
                .indefinitely()
                .forEach(row -> ids.add(row.getString(0)));
        return ids;
    }
}
