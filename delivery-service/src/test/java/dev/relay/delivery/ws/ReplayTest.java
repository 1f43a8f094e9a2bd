package dev.relay.delivery.ws;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.util.List;

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

/** Replay after (re)connect from the agent's ack cursor (contract §6.5, §6.6). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class ReplayTest {

    @Inject
    Outbox outbox;

    private Ws ws;
    private Agent ada;
    private Agent bob;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    private void send(String messageId) {
        outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, "text of " + messageId, List.of(ada)));
    }

    private static JsonObject ack(long upToSeq) {
        return new JsonObject().put("v", 1).put("type", "delivery.ack").put("agent", "ada").put("up_to_seq", upToSeq);
    }

    private static void expectDelivers(NodeSocket socket, long... seqs) {
        for (long seq : seqs) {
            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.encode(), deliver.getLong("seq"), equalTo(seq));
        }
    }

    /** Reconnects as the SDK does: a fresh node token, a new socket, `node.register`. */
    private NodeSocket reconnect() {
        return Fixtures.connectDirect(Fixtures.directNode(ada));
    }

    @Test
    void deliveriesCreatedWhileDisconnectedAreSentAfterRegisterInSeqOrder() {
        NodeCredential node = Fixtures.directNode(ada);
        send("1001");
        send("1002");
        send("1003");
        Await.until("three queued rows", () -> Fixtures.deliveries(ada, "queued").size() == 3);

        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            assertThat(socket.request(node.register("r1")).getString("type"), equalTo("reply"));

            for (int i = 1; i <= 3; i++) {
                JsonObject deliver = socket.next("deliver");
                assertThat(deliver.getLong("seq"), equalTo((long) i));
                assertThat(deliver.getString("msg_id"), equalTo("100" + i));
            }
            Await.until("all three delivered", () -> Fixtures.deliveries(ada, "delivered").size() == 3);
        }
    }

    @Test
    void unackedDeliveriesAreSentAgainButAckedOnesAreNot() {
        NodeSocket first = reconnect();
        send("2001");
        send("2002");
        send("2003");
        expectDelivers(first, 1, 2, 3);
        first.send(ack(1));
        Await.until("seq 1 acked", () -> Fixtures.deliveries(ada, "acked").size() == 1);
        Fixtures.disconnect(first, ws, "direct-" + ada.id());

        try (NodeSocket second = reconnect()) {
            // Seq 2 and 3 were delivered but never acked: at least once means they come again.
            expectDelivers(second, 2, 3);
            second.send(ack(3));
            Await.until("all acked", () -> Fixtures.deliveries(ada, "acked").size() == 3);
            send("2004");
            expectDelivers(second, 4);
        }
    }

    @Test
    void aLowerAckNeverMovesTheCursorBack() {
        NodeSocket first = reconnect();
        send("3001");
        send("3002");
        send("3003");
        expectDelivers(first, 1, 2, 3);
        first.send(ack(3));
        first.send(ack(1));
        // Frames are handled in order: once the pong is back, both acks have been processed.
        first.send(new JsonObject().put("v", 1).put("type", "ping").put("id", "barrier"));
        assertThat(first.next("pong").getString("id"), equalTo("barrier"));
        Await.until("all acked", () -> Fixtures.deliveries(ada, "acked").size() == 3);
        Fixtures.disconnect(first, ws, "direct-" + ada.id());

        try (NodeSocket second = reconnect()) {
            send("3004");
            // Had seq 1..3 been replayed they would come before 4: the stream sends in seq order.
            JsonObject next = second.next("deliver");
            assertThat(next.getLong("seq"), equalTo(4L));
            assertThat(next.getString("msg_id"), equalTo("3004"));
        }
        assertThat(Fixtures.deliveries(ada, "acked"), hasSize(3));
    }

    @Test
    void anAckAboveTheHighestSeqDoesNotAckLaterDeliveries() {
        NodeSocket first = reconnect();
        send("6001");
        expectDelivers(first, 1);
        first.send(ack(99));
        Await.until("seq 1 acked", () -> Fixtures.deliveries(ada, "acked").size() == 1);

        send("6002");
        expectDelivers(first, 2);
        Fixtures.disconnect(first, ws, "direct-" + ada.id());
        try (NodeSocket second = reconnect()) {
            // The cursor stopped at the highest seq issued (1): seq 2 is unacked and comes again.
            expectDelivers(second, 2);
        }
    }

    @Test
    void anHttpAckDoesNotMoveTheCursor() {
        NodeSocket first = reconnect();
        send("4001");
        send("4002");
        expectDelivers(first, 1, 2);
        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/deliveries/del_4002_" + ada.id() + "/ack")
                .then()
                .statusCode(200);
        Fixtures.disconnect(first, ws, "direct-" + ada.id());

        try (NodeSocket second = reconnect()) {
            // Seq 1 is still below no cursor and unacked: it comes again; seq 2 was acked and does not.
            JsonObject replayed = second.next("deliver");
            assertThat(replayed.getLong("seq"), equalTo(1L));
            send("4003");
            assertThat(second.next("deliver").getLong("seq"), equalTo(3L));
        }
    }

    @Test
    void aSocketThatAttachesWhileThePreviousOneIsClosingStillGetsNewDeliveries() {
        NodeCredential node = Fixtures.directNode(ada);
        NodeSocket first = Fixtures.connectDirect(node);
        // A client reconnecting with the same token: the new socket is open, not yet registered, when the old one's
        // close is finally noticed.
        try (NodeSocket second = NodeSocket.open(node.bearer())) {
            Fixtures.disconnect(first, ws, node.nodeName());
            assertThat(second.request(node.register("r2")).getString("type"), equalTo("reply"));

            send("5001");
            assertThat(second.next("deliver").getString("msg_id"), equalTo("5001"));
            // The first may still ride on the replay that follows register; the second can only be routed here.
            send("5002");
            JsonObject deliver = second.next("deliver");
            assertThat(deliver.getLong("seq"), equalTo(2L));
            assertThat(deliver.getString("msg_id"), equalTo("5002"));
        }
    }
}
