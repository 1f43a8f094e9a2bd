package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.Outbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Ephemeral node traffic (contract §6.8): reactions and reads as seq-0 `deliver` frames, never rows. */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class EphemeralDeliverTest {

    @Inject
    Outbox outbox;

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

    /** Connects and waits for a first durable delivery, so the socket is known to carry ada. */
    private NodeSocket carrying() {
        NodeSocket socket = Fixtures.connectDirect(node);
        outbox.add(Outbox.messageCreated(ws.id(), "1001", bob, "hi", List.of(ada)));
        assertThat(socket.next("deliver").getLong("seq"), equalTo(1L));
        return socket;
    }

    @Test
    void aReactionIsASeqZeroDeliver() {
        try (NodeSocket socket = carrying()) {
            outbox.add(Outbox.reacted(ws.id(), "1001", bob, "thumbsup", List.of(ada)));

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getLong("seq"), equalTo(0L));
            assertThat(deliver.getString("delivery_id"), startsWith("evt_"));
            assertThat(deliver.getString("delivery_id").endsWith("_" + ada.id()), equalTo(true));
            assertThat(deliver.getString("agent"), equalTo("ada"));
            assertThat(deliver.getString("agent_id"), equalTo(ada.id()));
            assertThat(deliver.getString("msg_id"), equalTo("1001"));
            assertThat(deliver.getJsonObject("payload").getString("type"), equalTo("message.reacted"));
            assertThat(deliver.getJsonObject("payload").getJsonObject("data").getString("emoji"),
                    equalTo("thumbsup"));
            assertThat(Fixtures.deliveries(ada, null), hasSize(1));
        }
    }

    @Test
    void acknowledgingSeqZeroChangesNothing() {
        try (NodeSocket socket = carrying()) {
            outbox.add(Outbox.reacted(ws.id(), "1001", bob, "eyes", List.of(ada)));
            assertThat(socket.next("deliver").getLong("seq"), equalTo(0L));

            socket.send(new JsonObject().put("v", 1)
                    .put("type", "delivery.ack")
                    .put("agent", "ada")
                    .put("up_to_seq",
                            0));
            socket.send(new JsonObject().put("v", 1).put("type", "ping").put("id", "p"));

            assertThat(socket.next().getString("type"), equalTo("pong"));
            assertThat(Fixtures.deliveries(ada, null), hasSize(1));
            assertThat(Fixtures.deliveries(ada, "acked"), hasSize(0));
        }
    }

    @Test
    void aReadReceiptIsASeqZeroDeliverToo() {
        try (NodeSocket socket = carrying()) {
            java.util.Map<String, String> read = Outbox.reacted(ws.id(), "1001", bob, "-", List.of(ada));
            read.put("type", "message.read");
            outbox.add(read);

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getLong("seq"), equalTo(0L));
            assertThat(deliver.getJsonObject("payload").getString("type"), equalTo("message.read"));
            assertThat(deliver.getString("msg_id"), equalTo("1001"));
        }
    }
}
