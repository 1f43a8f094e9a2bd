package dev.relay.delivery.ws;

import static dev.relay.delivery.support.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

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
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.Outbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Durable deliveries from the workspace event stream to a connected direct node (contract §6.3–§6.5), and the
 * agent's own view of them over HTTP (§3.9).
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DeliveryFlowTest {

    @Inject
    Outbox outbox;

    @Inject
    Pool pool;

    private Ws ws;
    private Agent ada;
    private Agent bob;
    private NodeCredential node;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
        node = Fixtures.directNode(ada);
    }

    private String send(String messageId, String text) {
        return outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, text, List.of(ada)));
    }

    private static JsonObject ack(String agent, long upToSeq) {
        return new JsonObject().put("v", 1).put("type", "delivery.ack").put("agent", agent).put("up_to_seq", upToSeq);
    }

    private long rows(String agentId) {
        return pool.preparedQuery("select count(*) from deliveries where agent_id = $1")
                .execute(Tuple.of(agentId))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }

    @Test
    void aMessageReachesTheRecipientsNodeAndIsAckedCumulatively() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            send("1001", "hello ada");

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getInteger("v"), equalTo(1));
            assertThat(deliver.getLong("seq"), equalTo(1L));
            assertThat(deliver.getString("agent"), equalTo("ada"));
            assertThat(deliver.getString("agent_id"), equalTo(ada.id()));
            assertThat(deliver.getString("msg_id"), equalTo("1001"));
            assertThat(deliver.getString("delivery_id"), equalTo("del_1001_" + ada.id()));
            assertThat(deliver.getString("mode"), equalTo("wait"));
            JsonObject payload = deliver.getJsonObject("payload");
            assertThat(payload.getString("type"), equalTo("message.created"));
            assertThat(payload.getJsonObject("data").getString("text"), equalTo("hello ada"));
            assertThat(payload.getJsonObject("data").getString("id"), equalTo("1001"));
            assertThat(payload.getJsonObject("data").getString("agent_name"), equalTo("bob"));
            assertThat(payload.getJsonObject("data").getString("channel_name"), equalTo("general"));

            List<Map<String, Object>> active = Await.value("the row marked delivered",
                    () -> Fixtures.deliveries(ada, null), list -> list.size() == 1 && "delivered".equals(list
                            .getFirst()
                            .get("status")));
            Map<String, Object> row = active.getFirst();
            assertThat(row.get("id"), equalTo("del_1001_" + ada.id()));
            assertThat(row.get("message_id"), equalTo("1001"));
            assertThat(row.get("agent_id"), equalTo(ada.id()));
            assertThat(row.get("seq"), equalTo(1));
            assertThat(row.get("route_node_id"), equalTo(node.nodeId()));
            assertThat(row.get("route_node_kind"), equalTo("ws"));
            assertThat(row.get("route_node_role"), equalTo("direct"));
            assertThat(row.get("delivery_adapter"), equalTo("ws.node.v1"));
            assertThat(row.get("location_type"), equalTo("via_node"));
            assertThat(row.get("reason"), equalTo("message"));
            assertThat(row.get("priority"), equalTo("normal"));
            assertThat((String) row.get("delivered_at"), matchesPattern(ISO_MILLIS));
            assertThat((String) row.get("expires_at"), matchesPattern(ISO_MILLIS));
            @SuppressWarnings("unchecked")
            Map<String, Object> message = (Map<String, Object>) row.get("message");
            assertThat(message.get("text"), equalTo("hello ada"));
            assertThat(message.get("agent_name"), equalTo("bob"));

            socket.send(ack("ada", 1));

            Await.until("no active deliveries left", () -> Fixtures.deliveries(ada, null).isEmpty());
            List<Map<String, Object>> acked = Fixtures.deliveries(ada, "acked");
            assertThat(acked, hasSize(1));
            assertThat(acked.getFirst().get("id"), equalTo("del_1001_" + ada.id()));
            assertThat((String) acked.getFirst().get("acked_at"), matchesPattern(ISO_MILLIS));
        }
    }

    @Test
    void seqIsGaplessPerAgentAcrossMessages() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            send("2001", "one");
            send("2002", "two");
            send("2003", "three");

            for (int i = 1; i <= 3; i++) {
                JsonObject deliver = socket.next("deliver");
                assertThat(deliver.getLong("seq"), equalTo((long) i));
                assertThat(deliver.getString("msg_id"), equalTo("200" + i));
            }
            socket.send(ack("ada", 3));
            Await.until("all three acked", () -> Fixtures.deliveries(ada, "acked").size() == 3);
        }
    }

    @Test
    void theLastMessageOfEveryBurstArrivesWithoutAnotherNudge() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            // Each round's second message lands while the first is being written back as delivered: it must not wait
            // for a later message (or a reconnect) to be sent.
            for (int round = 0; round < 15; round++) {
                send("8" + round + "1", "first of round " + round);
                send("8" + round + "2", "second of round " + round);
                assertThat(socket.next("deliver").getLong("seq"), equalTo(2L * round + 1));
                assertThat(socket.next("deliver").getLong("seq"), equalTo(2L * round + 2));
            }
        }
    }

    @Test
    void theSameEventTwiceCreatesOneDelivery() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            send("3001", "once");
            send("3001", "once");
            send("3002", "next");

            JsonObject first = socket.next("deliver");
            JsonObject second = socket.next("deliver");
            assertThat(first.getString("msg_id"), equalTo("3001"));
            assertThat(first.getLong("seq"), equalTo(1L));
            assertThat(second.getString("msg_id"), equalTo("3002"));
            assertThat(second.getLong("seq"), equalTo(2L));
            assertThat(rows(ada.id()), equalTo(2L));
        }
    }

    @Test
    void everyRecipientGetsItsOwnSeqAndASteerMessageKeepsItsMode() {
        Agent cy = Fixtures.agent(ws, "cy");
        NodeCredential cyNode = Fixtures.directNode(cy);
        try (NodeSocket adaSocket = Fixtures.connectDirect(node);
                NodeSocket cySocket = Fixtures.connectDirect(cyNode)) {
            send("4001", "to ada only");
            assertThat(adaSocket.next("deliver").getLong("seq"), equalTo(1L));

            outbox.add(Outbox.message("message.created", ws.id(), "4002", bob, "stop that", "steer", List.of(ada, cy)));

            JsonObject toAda = adaSocket.next("deliver");
            JsonObject toCy = cySocket.next("deliver");
            assertThat(toAda.getLong("seq"), equalTo(2L));
            assertThat(toAda.getString("mode"), equalTo("steer"));
            assertThat(toCy.getLong("seq"), equalTo(1L));
            assertThat(toCy.getString("agent"), equalTo("cy"));
            assertThat(toCy.getString("delivery_id"), equalTo("del_4002_" + cy.id()));
        }
    }

    @Test
    void aThreadReplyIsDeliveredToo() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            outbox.add(Outbox.message("thread.reply", ws.id(), "5001", bob, "in a thread", "wait", List.of(ada)));

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getJsonObject("payload").getString("type"), equalTo("thread.reply"));
            assertThat(deliver.getLong("seq"), equalTo(1L));
        }
    }

    @Test
    void anAckForAnAgentTheNodeDoesNotHostIsAnError() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            socket.send(ack("bob", 1).put("id", "k1"));

            JsonObject error = socket.next("error");
            assertThat(error.getString("id"), equalTo("k1"));
            assertThat(error.getString("code"), notNullValue());

            socket.send(ack("ada", -1).put("id", "k2"));
            assertThat(socket.next("error").getString("code"), equalTo("invalid_message"));
        }
    }

    @Test
    void oneDeliveryIsAckedOverHttp() {
        send("6001", "ack me over http");
        Await.until("the row exists", () -> Fixtures.deliveries(ada, null).size() == 1);
        String id = "del_6001_" + ada.id();

        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/deliveries/" + id + "/ack")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.id", equalTo(id))
                .body("data.status", equalTo("acked"))
                .body("data.acked_at", matchesPattern(ISO_MILLIS));
        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/deliveries/" + id + "/ack")
                .then()
                .statusCode(200)
                .body("data.status", equalTo("acked"));
        assertThat(Fixtures.deliveries(ada, null), empty());

        given().header("Authorization", bob.bearer())
                .when()
                .post("/v1/deliveries/" + id + "/ack")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("delivery_not_found"));
        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/deliveries/del_nope/ack")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("delivery_not_found"));
    }

    @Test
    void theDeliveryListValidatesItsQueryAndTakesOnlyAnAgentToken() {
        given().header("Authorization", ada.bearer())
                .queryParam("status", "pending")
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        given().header("Authorization", ada.bearer())
                .queryParam("limit", 0)
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        given().header("Authorization", ada.bearer())
                .queryParam("limit", 201)
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));

        send("7001", "a");
        send("7002", "b");
        Await.until("two rows", () -> Fixtures.deliveries(ada, null).size() == 2);
        given().header("Authorization", ada.bearer())
                .queryParam("limit", 1)
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(200)
                .body("data.message_id", equalTo(List.of("7001")));
        assertThat(Fixtures.deliveries(ada, "queued"), hasSize(2));
        assertThat(Fixtures.deliveries(bob, null), empty());
    }
}
