package dev.relay.delivery.messaging;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

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
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The mailbox depth cap (contract §6.3), here 2: a recipient holding that many active rows gets no row for a new
 * message, the others still do, and the sender receives `delivery.failed` `depth_cap` with no delivery id. Acked and
 * expired rows free their place, and a refused message leaves no gap in the recipient's seqs.
 */
@QuarkusTest
@TestProfile(DepthCapTest.SmallMailbox.class)
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DepthCapTest {

    /** Mailboxes of two active rows. */
    public static class SmallMailbox implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.delivery.mailbox-depth-cap", "2");
        }
    }

    @Inject
    Outbox outbox;

    @Inject
    Pool pool;

    private Ws ws;
    private Agent ada;
    private Agent bob;
    private Agent cy;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
        cy = Fixtures.agent(ws, "cy");
    }

    private void send(String messageId, List<Agent> to) {
        outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, "m" + messageId, to));
    }

    private List<JsonObject> notices() {
        return StandInWorkspaceService.events(ws.id(), "delivery.failed").stream().map(e -> e.data()).toList();
    }

    @Test
    void aFullMailboxRefusesTheMessageAndTheSenderIsTold() {
        send("5001", List.of(ada));
        send("5002", List.of(ada));
        send("5003", List.of(ada, cy));
        Await.until("cy's row", () -> Fixtures.deliveries(cy, null).size() == 1);

        List<Map<String, Object>> rows = Fixtures.deliveries(ada, null);
        assertThat(rows.stream().map(row -> row.get("message_id")).toList(), equalTo(List.of("5001", "5002")));
        assertThat(Fixtures.deliveries(cy, null).getFirst().get("message_id"), equalTo("5003"));

        List<JsonObject> notices = Await.value("the depth_cap notice", this::notices, list -> !list.isEmpty());
        assertThat(notices, hasSize(1));
        JsonObject notice = notices.getFirst();
        assertThat(notice.containsKey("delivery_id"), equalTo(true));
        assertThat(notice.getValue("delivery_id"), nullValue());
        assertThat(notice.getString("message_id"), equalTo("5003"));
        assertThat(notice.getString("reason"), equalTo("depth_cap"));
        assertThat(notice.getString("error"), equalTo("mailbox depth cap exceeded"));
        assertThat(notice.getBoolean("retryable"), equalTo(false));
        assertThat(notice.getString("target_agent_id"), equalTo(ada.id()));
        assertThat("addressed to the sender", notice.getString("agent_id"), equalTo(bob.id()));
    }

    @Test
    void ackedAndExpiredRowsFreeTheirPlaceWithoutASeqGap() {
        send("5101", List.of(ada));
        send("5102", List.of(ada));
        send("5103", List.of(ada));
        Await.until("the refusal", () -> notices().size() == 1);

        given().header("Authorization", ada.bearer())
                .post("/v1/deliveries/del_5101_" + ada.id() + "/ack")
                .then()
                .statusCode(200);
        send("5104", List.of(ada));
        Await.until("5104 accepted", () -> Fixtures.deliveries(ada, null).size() == 2 && Fixtures.deliveries(ada,
                null).get(1).get("message_id").equals("5104"));
        assertThat(((Number) Fixtures.deliveries(ada, null).get(1).get("seq")).longValue(), equalTo(3L));

        pool.preparedQuery("update deliveries set expires_at = now() - interval '1 second' where id = $1")
                .execute(Tuple.of("del_5102_" + ada.id()))
                .await()
                .indefinitely();
        send("5105", List.of(ada));
        Await.until("5105 accepted", () -> Fixtures.deliveries(ada, null)
                .stream()
                .anyMatch(row -> "5105".equals(row.get("message_id"))));
        assertThat(notices().stream().filter(n -> "depth_cap".equals(n.getString("reason"))).toList(), hasSize(1));
    }
}
