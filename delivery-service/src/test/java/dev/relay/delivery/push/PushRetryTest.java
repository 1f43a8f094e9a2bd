package dev.relay.delivery.push;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.push.PushDispatcher.Outcome;
import dev.relay.delivery.service.DeliveryExpiry;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.Outbox;
import dev.relay.delivery.support.Receiver;
import dev.relay.delivery.support.Receiver.Reply;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * When a POST fails (contract §6.7): the row stays queued with the reason, the sweep POSTs it again once its retry is
 * due, redirects are never followed, a row that keeps failing is dead-lettered by its TTL, the depth cap still holds,
 * and dispatchers racing for the same rows never POST one twice.
 */
@QuarkusTest
@TestProfile(PushProfile.class)
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class PushRetryTest {

    @Inject
    Outbox outbox;

    @Inject
    Pool pool;

    @Inject
    PushSweep sweeper;

    @Inject
    DeliveryExpiry expiry;

    private Receiver receiver;
    private Ws ws;
    private Agent ada;
    private Agent bob;

    @BeforeEach
    void setUp() throws Exception {
        receiver = Receiver.start();
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    private void hook(String path, Agent... agents) {
        Fixtures.enrol(ws, Map.of("name", "hook", "kind", "http_push", "role", "broker", "delivery",
                Map.of("url", receiver.url(path))));
        for (Agent agent : agents) {
            Fixtures.bind(ws, "hook", agent);
        }
    }

    private String send(String messageId, List<Agent> to) {
        outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, "m" + messageId, to));
        return "del_" + messageId + "_" + to.getFirst().id();
    }

    /** The row once its first POST has failed. */
    private Map<String, Object> failedOnce(Agent agent, String deliveryId) {
        return Await.value(deliveryId + " failed", () -> row(agent, deliveryId),
                row -> row != null && row.get("last_dispatch_error") != null);
    }

    private static Map<String, Object> row(Agent agent, String deliveryId) {
        return Fixtures.deliveries(agent, null)
                .stream()
                .filter(row -> deliveryId.equals(row.get("id")))
                .findFirst()
                .orElse(null);
    }

    /** As if the 30 s retry interval had passed for these rows. */
    private void due(Collection<String> ids) {
        pool.preparedQuery("update deliveries set next_attempt_at = now() - interval '1 second' where id = any($1)")
                .execute(Tuple.of(ids.toArray(String[]::new)))
                .await()
                .indefinitely();
    }

    private List<Outcome> sweep() {
        return sweeper.sweepOnce().await().atMost(java.time.Duration.ofSeconds(10));
    }

    @Test
    void aFailedPostStaysQueuedAndTheSweepRetriesIt() {
        hook("/flaky", ada);
        receiver.answer("/flaky", Reply.status(500));
        String id = send("9001", List.of(ada));

        Map<String, Object> failed = failedOnce(ada, id);
        assertThat(failed.get("status"), equalTo("queued"));
        assertThat(failed.get("last_dispatch_error"), equalTo("HTTP 500"));
        assertThat(failed.get("dispatch_attempts"), equalTo(1));
        assertThat("due again after relay.delivery.push.retry-after (45 s)",
                java.time.Instant.parse((String) failed.get("next_attempt_at"))
                        .isAfter(java.time.Instant.now().plusSeconds(40)),
                equalTo(true));
        sweep();
        assertThat("not due yet", receiver.hitsOf(id), hasSize(1));

        receiver.answer("/flaky", Reply.status(204));
        due(List.of(id));
        sweep();

        Map<String, Object> delivered = Await.value("delivered", () -> row(ada, id),
                row -> "delivered".equals(row.get("status")));
        assertThat(delivered.get("dispatch_attempts"), equalTo(2));
        assertThat(delivered.get("last_dispatch_error"), nullValue());
        assertThat(receiver.hitsOf(id), hasSize(2));
    }

    @Test
    void aTimeoutIsAFailureRetriedLater() {
        hook("/slow", ada);
        receiver.answer("/slow", Reply.after(3_000));
        String id = send("9101", List.of(ada));

        assertThat(failedOnce(ada, id).get("last_dispatch_error"), equalTo("timeout after 1s"));

        receiver.answer("/slow", Reply.status(200));
        due(List.of(id));
        sweep();
        Await.until("delivered after the retry", () -> "delivered".equals(row(ada, id).get("status")));
        assertThat(receiver.hitsOf(id), hasSize(2));
    }

    @Test
    void aRedirectIsNeverFollowed() {
        hook("/moved", ada);
        receiver.answer("/moved", Reply.redirect(receiver.url("/elsewhere")));
        String id = send("9201", List.of(ada));

        Map<String, Object> failed = failedOnce(ada, id);
        assertThat(failed.get("last_dispatch_error"), equalTo("redirect not followed (HTTP 302)"));
        assertThat(failed.get("status"), equalTo("queued"));
        assertThat(receiver.hits("/elsewhere"), hasSize(0));
    }

    @Test
    void aRowThatKeepsFailingIsDeadLetteredByItsTtlAndNeverPostedAgain() {
        hook("/down", ada);
        receiver.answer("/down", Reply.status(503));
        String id = send("9301", List.of(ada));
        failedOnce(ada, id);

        pool.preparedQuery("update deliveries set expires_at = now() - interval '1 second' where id = $1")
                .execute(Tuple.of(id))
                .await()
                .indefinitely();
        while (expiry.sweepOnce().await().indefinitely() > 0) {
            // drains whatever other tests left expired
        }
        assertThat(Fixtures.deliveries(ada, "dead_lettered").getFirst().get("id"), equalTo(id));
        assertThat(StandInWorkspaceService.events(ws.id(), "delivery.failed")
                .stream()
                .filter(e -> "ttl_expired".equals(e.data().getString("reason")))
                .toList(), hasSize(1));

        due(List.of(id));
        sweep();
        assertThat(receiver.hitsOf(id), hasSize(1));
    }

    @Test
    void theDepthCapStillRefusesRowsForAPushAgent() {
        hook("/full", ada);
        receiver.answer("/full", Reply.status(500));
        for (int i = 1; i <= 5; i++) {
            send("940" + i, List.of(ada));
        }
        Await.until("the depth_cap notice", () -> !StandInWorkspaceService.events(ws.id(), "delivery.failed")
                .isEmpty());
        Await.until("four POSTs", () -> receiver.hits("/full").size() == 4);

        assertThat(Fixtures.deliveries(ada, null).stream().map(row -> row.get("message_id")).toList(),
                equalTo(List.of("9401", "9402", "9403", "9404")));
        assertThat(StandInWorkspaceService.events(ws.id(), "delivery.failed").getFirst().data().getString("reason"),
                equalTo("depth_cap"));
        assertThat(receiver.hits("/full")
                .stream()
                .map(hit -> hit.header("X-Relaycast-Delivery"))
                .distinct()
                .toList(), hasSize(4));
    }

    /**
     * Eight sweeps start at once over the same due rows (each on its own thread, claiming on its own pooled
     * connection): every row is POSTed by exactly one of them.
     */
    @Test
    void racingSweepsPostEachRowOnce() throws Exception {
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            agents.add(Fixtures.agent(ws, "racer" + i));
        }
        hook("/race", agents.toArray(Agent[]::new));
        receiver.answer("/race", Reply.status(500));
        List<String> ids = new ArrayList<>();
        for (int m = 1; m <= 3; m++) {
            String messageId = "950" + m;
            outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, "race", agents));
            agents.forEach(agent -> ids.add("del_" + messageId + "_" + agent.id()));
        }
        for (int i = 0; i < ids.size(); i++) {
            failedOnce(agents.get(i % agents.size()), ids.get(i));
        }
        assertThat(receiver.hits("/race"), hasSize(ids.size()));

        receiver.answer("/race", Reply.status(200));
        due(ids);
        int sweeps = 8;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(sweeps);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < sweeps; i++) {
                running.add(threads.submit(() -> {
                    start.await();
                    outcomes.addAll(sweep());
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> sweep : running) {
                sweep.get(20, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        for (String id : ids) {
            assertThat(id + " POSTed once by the sweeps after its failed first POST", receiver.hitsOf(id), hasSize(2));
        }
        assertThat(outcomes.stream().filter(o -> o == Outcome.SETTLED).count(), equalTo((long) ids.size()));
        for (int i = 0; i < ids.size(); i++) {
            assertThat(row(agents.get(i % agents.size()), ids.get(i)).get("status"), equalTo("delivered"));
        }
    }
}
