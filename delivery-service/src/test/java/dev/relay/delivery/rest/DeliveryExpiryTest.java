package dev.relay.delivery.rest;

import static dev.relay.delivery.support.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.service.DeliveryExpiry;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.Outbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Mailbox TTL (contract §6.3, §6.5): queued or delivered rows past `expires_at` become `dead_lettered` (lazily when
 * the agent lists its deliveries, and by the bounded sweep), and the message's sender gets one `delivery.failed`
 * `ttl_expired` notice per row, even when sweeps run concurrently.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DeliveryExpiryTest {

    @Inject
    Outbox outbox;

    @Inject
    Pool pool;

    @Inject
    DeliveryExpiry expiry;

    private Ws ws;
    private Agent ada;
    private Agent bob;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    /** Moves the rows' expiry into the past, as if the mailbox TTL had run out. */
    private void expire(List<String> ids) {
        pool.preparedQuery("update deliveries set expires_at = now() - interval '1 second' where id = any($1)")
                .execute(Tuple.of(ids.toArray(String[]::new)))
                .await()
                .indefinitely();
    }

    private List<JsonObject> notices() {
        return StandInWorkspaceService.events(ws.id(), "delivery.failed").stream().map(e -> e.data()).toList();
    }

    @Test
    void listingDeadLettersExpiredRowsAndTellsTheSenderOnce() {
        outbox.add(Outbox.messageCreated(ws.id(), "8201", bob, "old", List.of(ada)));
        outbox.add(Outbox.messageCreated(ws.id(), "8202", bob, "fresh", List.of(ada)));
        Await.until("two rows", () -> Fixtures.deliveries(ada, null).size() == 2);
        String old = "del_8201_" + ada.id();
        expire(List.of(old));

        List<Map<String, Object>> active = Fixtures.deliveries(ada, null);
        assertThat(active, hasSize(1));
        assertThat(active.getFirst().get("message_id"), equalTo("8202"));
        given().header("Authorization", ada.bearer())
                .queryParam("status", "dead_lettered")
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(200)
                .body("data", hasSize(1))
                .body("data[0].id", equalTo(old))
                .body("data[0].status", equalTo("dead_lettered"))
                .body("data[0].error", equalTo("delivery TTL expired"))
                .body("data[0].retryable", equalTo(false))
                .body("data[0].dead_lettered_at", matchesPattern(ISO_MILLIS))
                .body("data[0].message.text", equalTo("old"));

        List<JsonObject> notices = notices();
        assertThat(notices, hasSize(1));
        JsonObject notice = notices.getFirst();
        assertThat(notice.getString("delivery_id"), equalTo(old));
        assertThat(notice.getString("message_id"), equalTo("8201"));
        assertThat(notice.getString("target_agent_id"), equalTo(ada.id()));
        assertThat(notice.getString("target_agent_name"), equalTo("ada"));
        assertThat(notice.getLong("seq"), equalTo(1L));
        assertThat(notice.getString("reason"), equalTo("ttl_expired"));
        assertThat(notice.getString("error"), equalTo("delivery TTL expired"));
        assertThat(notice.getBoolean("retryable"), equalTo(false));
        assertThat("addressed to the sender", notice.getString("agent_id"), equalTo(bob.id()));
        assertThat(notice.getString("agent_name"), equalTo("bob"));
    }

    @Test
    void settledRowsNeverExpire() {
        outbox.add(Outbox.messageCreated(ws.id(), "8301", bob, "acked", List.of(ada)));
        outbox.add(Outbox.messageCreated(ws.id(), "8302", bob, "failed", List.of(ada)));
        Await.until("two rows", () -> Fixtures.deliveries(ada, null).size() == 2);
        String acked = "del_8301_" + ada.id();
        String failed = "del_8302_" + ada.id();
        given().header("Authorization", ada.bearer()).post("/v1/deliveries/" + acked + "/ack").then().statusCode(200);
        given().header("Authorization", ada.bearer()).post("/v1/deliveries/" + failed + "/fail").then().statusCode(200);
        expire(List.of(acked, failed));

        while (expiry.sweepOnce().await().indefinitely() > 0) {
            // drains whatever other tests left expired
        }
        assertThat(Fixtures.deliveries(ada, "acked"), hasSize(1));
        assertThat(Fixtures.deliveries(ada, "failed"), hasSize(1));
        assertThat(Fixtures.deliveries(ada, "dead_lettered"), hasSize(0));
        assertThat(notices().stream().filter(n -> "ttl_expired".equals(n.getString("reason"))).toList(), hasSize(0));
    }

    @Test
    void concurrentSweepsDeadLetterEachRowOnceInBatchesOfFifty() {
        List<Agent> recipients = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            recipients.add(Fixtures.agent(ws, "r" + i));
        }
        outbox.add(Outbox.messageCreated(ws.id(), "8401", bob, "to many", recipients));
        List<String> ids = recipients.stream().map(r -> "del_8401_" + r.id()).toList();
        Await.until("sixty rows", () -> rows(ids, "queued") == 60);
        expire(ids);

        List<Integer> batches = new ArrayList<>();
        while (rows(ids, "queued") > 0) {
            List<Integer> counts = Uni.join()
                    .all(expiry.sweepOnce(), expiry.sweepOnce(), expiry.sweepOnce())
                    .andFailFast()
                    .await()
                    .indefinitely();
            batches.addAll(counts);
        }
        assertThat(batches, everyItem(lessThanOrEqualTo(DeliveryExpiry.BATCH)));
        assertThat(rows(ids, "dead_lettered"), equalTo(60L));

        List<JsonObject> notices = Await.value("sixty notices", this::notices, list -> list.size() >= 60);
        Set<String> noticed = new HashSet<>();
        notices.forEach(n -> noticed.add(n.getString("delivery_id")));
        assertThat(notices, hasSize(60));
        assertThat(noticed, equalTo(new HashSet<>(ids)));
        assertThat(notices.stream().map(n -> n.getString("agent_id")).distinct().toList(), equalTo(List.of(bob.id())));
    }

    private long rows(List<String> ids, String status) {
        return pool.preparedQuery("select count(*) from deliveries where id = any($1) and status = $2")
                .execute(Tuple.of(ids.toArray(String[]::new), status))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }
}
