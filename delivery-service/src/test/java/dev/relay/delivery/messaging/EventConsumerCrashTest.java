package dev.relay.delivery.messaging;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.MessageEvent;
import dev.relay.delivery.service.DeliveryStore.Recipient;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.Outbox;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The event consumer's crash safety, as far as one JVM can show it: an entry is acknowledged on the stream only once
 * its rows are committed, processing an entry again changes nothing, a failing entry stays pending without blocking
 * the ones after it (also after a restart), and rows made while no socket was open are replayed on register.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class EventConsumerCrashTest {

    @Inject
    EventConsumer consumer;

    @Inject
    Outbox outbox;

    @Inject
    RedisDataSource redis;

    @Inject
    Pool pool;

    @Inject
    DeliveryStore store;

    private Ws ws;
    private Agent ada;
    private Agent bob;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    private List<Row> rows(String agentId) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery("select id, seq, status from deliveries where agent_id = $1 order by seq")
                .execute(Tuple.of(agentId))
                .await()
                .indefinitely()
                .forEach(rows::add);
        return rows;
    }

    /** The stream ids the group has read but not acknowledged. */
    private List<String> pending() {
        Response answer = redis.execute("XPENDING", outbox.stream(), EventConsumer.GROUP, "-", "+", "1000");
        List<String> ids = new ArrayList<>();
        for (Response entry : answer) {
            ids.add(entry.get(0).toString());
        }
        return ids;
    }

    private void acknowledge(String id) {
        redis.execute("XACK", outbox.stream(), EventConsumer.GROUP, id);
    }

    @Test
    void processingTheSameEntryTwiceCreatesOneDelivery() {
        Map<String, String> entry = Outbox.messageCreated(ws.id(), "1001", bob, "once", List.of(ada));

        consumer.process(entry).await().atMost(Duration.ofSeconds(5));
        consumer.process(entry).await().atMost(Duration.ofSeconds(5));

        List<Row> rows = rows(ada.id());
        assertThat(rows.size(), equalTo(1));
        assertThat(rows.getFirst().getLong("seq"), equalTo(1L));
        consumer.process(Outbox.messageCreated(ws.id(), "1002", bob, "twice", List.of(ada)))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertThat(rows(ada.id()).stream().map(r -> r.getLong("seq")).toList(), equalTo(List.of(1L, 2L)));
    }

    @Test
    void aConsumedEntryIsAcknowledgedOnTheStream() {
        String id = outbox.add(Outbox.messageCreated(ws.id(), "2001", bob, "hi", List.of(ada)));

        Await.until("the row", () -> rows(ada.id()).size() == 1);
        Await.until("the entry acknowledged", () -> !pending().contains(id));
    }

    @Test
    void aFailingEntryStaysPendingAndDoesNotBlockTheNextOnes() {
        Map<String, String> poison = Outbox.messageCreated(ws.id(), "3001", bob, "poison", List.of(ada));
        poison.remove("event_id");
        String poisonId = outbox.add(poison);
        try {
            Await.until("the failed entry pending", () -> pending().contains(poisonId));

            outbox.add(Outbox.messageCreated(ws.id(), "3002", bob, "fine", List.of(ada)));
            Await.until("the next entry consumed", () -> rows(ada.id()).size() == 1);
            assertThat(rows(ada.id()).getFirst().getString("id"), equalTo("del_3002_" + ada.id()));
            assertThat(pending(), hasItem(poisonId));
        } finally {
            acknowledge(poisonId);
        }
    }

    @Test
    void afterARestartPendingEntriesAreReprocessedAndAPermanentFailureDoesNotStopConsumption() {
        // A transient failure: the message already has a row for ada, made under another event id, so this entry's
        // insert violates "one delivery per message and agent" until that row is gone.
        store.create(new MessageEvent("other-event-" + ws.id(), ws.id(), "message.created", "ch-1", "4001",
                new JsonObject().put("id", "4001").encode(), "wait", List.of(new Recipient(ada.id(), "ada",
                        "message"))))
                .await()
                .atMost(Duration.ofSeconds(5));
        String transientId = outbox.add(Outbox.messageCreated(ws.id(), "4001", bob, "retry me", List.of(ada)));
        Map<String, String> poison = Outbox.messageCreated(ws.id(), "4002", bob, "poison", List.of(ada));
        poison.remove("event_id");
        String poisonId = outbox.add(poison);
        try {
            Await.until("both failed entries pending", () -> pending().containsAll(List.of(transientId, poisonId)));
            pool.preparedQuery("delete from deliveries where message_id = '4001' and agent_id = $1")
                    .execute(Tuple.of(ada.id()))
                    .await()
                    .indefinitely();

            restartConsumer();

            Await.until("the transient failure reprocessed and acknowledged", () -> !pending().contains(transientId)
                    && rows(ada.id()).size() == 1);
            outbox.add(Outbox.messageCreated(ws.id(), "4003", bob, "after restart", List.of(ada)));
            Await.until("the entry after the restart consumed", () -> rows(ada.id()).size() == 2);
            assertThat(pending(), hasItem(poisonId));
        } finally {
            acknowledge(poisonId);
        }
    }

    /**
     * Stops the consumer, waits for its read loop to end (a blocked read is woken by a no-op entry, read and
     * acknowledged; an idle loop ends at its next turn), then starts it again as a restarted replica would: its own
     * pending entries first, then new ones.
     */
    private void restartConsumer() {
        consumer.stop();
        try {
            Map<String, String> wake = new java.util.LinkedHashMap<>(Outbox.reacted(ws.id(), "0", bob, "-", List.of()));
            wake.put("type", "channel.updated");
            String wakeId = outbox.add(wake);
            Await.until("the read loop to end", Duration.ofSeconds(3), () -> lastDelivered().equals(wakeId)
                    && !pending().contains(wakeId));
        } catch (AssertionError idle) {
            // Nothing read the no-op entry within 3 s: the loop had already ended.
        } finally {
            consumer.start();
        }
    }

    private String lastDelivered() {
        Response groups = redis.execute("XINFO", "GROUPS", outbox.stream());
        for (Response group : groups) {
            if (EventConsumer.GROUP.equals(group.get("name").toString())) {
                return group.get("last-delivered-id").toString();
            }
        }
        return "";
    }

    @Test
    void rowsMadeWhileNoSocketWasOpenAreReplayedOnRegister() {
        NodeCredential node = Fixtures.directNode(ada);
        consumer.process(Outbox.messageCreated(ws.id(), "5001", bob, "while away", List.of(ada)))
                .await()
                .atMost(Duration.ofSeconds(5));
        consumer.process(Outbox.messageCreated(ws.id(), "5002", bob, "still away", List.of(ada)))
                .await()
                .atMost(Duration.ofSeconds(5));

        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            JsonObject first = socket.next("deliver");
            JsonObject second = socket.next("deliver");
            assertThat(first.getString("msg_id"), equalTo("5001"));
            assertThat(first.getLong("seq"), equalTo(1L));
            assertThat(second.getString("msg_id"), equalTo("5002"));
            assertThat(second.getLong("seq"), equalTo(2L));
        }
    }
}
