package dev.relay.delivery.ws;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;

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

/**
 * An ack records the reads it implies (contract §6.5): the messages a cumulative ack over the node socket covers, and
 * the one message of an HTTP ack, are reported to workspace-service, batched, once each.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class ReadReceiptsTest {

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

    /** Every message id reported as read by the agent so far. */
    private List<String> reportedReads(Agent agent) {
        return StandInWorkspaceService.reads(ws.id(), agent.id());
    }

    @Test
    void aCumulativeAckReportsEveryMessageItCoversOnce() {
        NodeCredential node = Fixtures.directNode(ada);
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            for (String id : List.of("7101", "7102", "7103")) {
                outbox.add(Outbox.messageCreated(ws.id(), id, bob, "m" + id, List.of(ada)));
                socket.next("deliver");
            }
            socket.send(new JsonObject().put("v", 1)
                    .put("type", "delivery.ack")
                    .put("agent", "ada")
                    .put("up_to_seq", 2));
            Await.until("the first two reads to be reported", () -> reportedReads(ada).size() == 2);
            socket.send(new JsonObject().put("v", 1)
                    .put("type", "delivery.ack")
                    .put("agent", "ada")
                    .put("up_to_seq", 3));
            socket.send(new JsonObject().put("v", 1)
                    .put("type", "delivery.ack")
                    .put("agent", "ada")
                    .put("up_to_seq", 3));
            Await.until("the third read to be reported", () -> reportedReads(ada).size() >= 3);
            sleepPastAFlush();
            assertThat(reportedReads(ada), containsInAnyOrder("7101", "7102", "7103"));
        }
    }

    @Test
    void anHttpAckReportsItsMessage() {
        outbox.add(Outbox.messageCreated(ws.id(), "7201", bob, "poll me", List.of(ada)));
        String id = "del_7201_" + ada.id();
        Await.until("the row to exist", () -> !Fixtures.deliveries(ada, null).isEmpty());
        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/deliveries/" + id + "/ack")
                .then()
                .statusCode(200);
        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/deliveries/" + id + "/ack")
                .then()
                .statusCode(200);
        Await.until("the read to be reported", () -> !reportedReads(ada).isEmpty());
        sleepPastAFlush();
        assertThat(reportedReads(ada), containsInAnyOrder("7201"));
    }

    private static void sleepPastAFlush() {
        try {
            Thread.sleep(600);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
