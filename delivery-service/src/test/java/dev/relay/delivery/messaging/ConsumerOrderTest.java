package dev.relay.delivery.messaging;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.Outbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The consumer writes entries for disjoint recipients concurrently, yet every agent's deliveries get their seqs in
 * stream order: a burst of interleaved messages to overlapping recipient sets comes out, per agent, gapless and in
 * the order the messages were added. (It guards gaps, losses and duplicates under concurrent batches; an ordering
 * bug shows up here only when the database happens to commit out of order, so it is not a reliable trap for one:
 * with the per-agent dependencies removed it still passed.)
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class ConsumerOrderTest {

    @Inject
    Outbox outbox;

    @Inject
    EventConsumer consumer;

    @Inject
    Pool pool;

    @Test
    void eachAgentsSeqsFollowStreamOrderWhateverRunsConcurrently() {
        Ws ws = Fixtures.workspace();
        Agent sender = Fixtures.agent(ws, "sender");
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            agents.add(Fixtures.agent(ws, "a" + i));
        }
        // Message k goes to one of several overlapping groups: pairs that share nobody, and pairs that straddle them.
        List<List<Agent>> groups = List.of(List.of(agents.get(0), agents.get(1)), List.of(agents.get(2),
                agents.get(3)), List.of(agents.get(4), agents.get(5)), List.of(agents.get(1), agents.get(2)),
                List.of(agents.get(5)), List.of(agents.get(0), agents.get(3), agents.get(4)));
        Map<String, List<Long>> expected = new java.util.HashMap<>();
        int messages = 120;
        // The whole burst is in the stream before the consumer reads again, so it comes as full batches.
        pauseConsumer(sender);
        try {
            for (int k = 0; k < messages; k++) {
                long messageId = 880_000L + k;
                List<Agent> to = groups.get(k % groups.size());
                outbox.add(Outbox.messageCreated(ws.id(), String.valueOf(messageId), sender, "m" + k, to));
                to.forEach(agent -> expected.computeIfAbsent(agent.id(), id -> new ArrayList<>()).add(messageId));
            }
        } finally {
            consumer.start();
        }
        for (Agent agent : agents) {
            List<Long> want = expected.get(agent.id());
            Await.until(agent.name() + " to get " + want.size() + " deliveries", Duration.ofSeconds(20),
                    () -> deliveries(agent).size() == want.size());
            List<Row> rows = deliveries(agent);
            List<Long> seqs = rows.stream().map(row -> row.getLong("seq")).toList();
            List<Long> order = rows.stream().map(row -> Long.parseLong(row.getString("message_id"))).toList();
            assertThat(agent.name() + " seqs", seqs, equalTo(java.util.stream.LongStream.rangeClosed(1,
                    want.size()).boxed().toList()));
            assertThat(agent.name() + " messages in seq order", order, equalTo(want));
        }
    }

    /** Stops the read loop and waits until it has ended: a blocked read is woken by a no-op entry. */
    private void pauseConsumer(Agent anyone) {
        consumer.stop();
        Map<String, String> wake = new java.util.LinkedHashMap<>(Outbox.reacted(anyone.workspaceId(), "0", anyone, "-",
                List.of()));
        wake.put("type", "channel.updated");
        outbox.add(wake);
        try {
            Thread.sleep(2500); // longer than the read's block time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private List<Row> deliveries(Agent agent) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery("select seq, message_id from deliveries where agent_id = $1 order by seq")
                .execute(Tuple.of(agent.id()))
                .await()
                .indefinitely()
                .forEach(rows::add);
        return rows;
    }
}
