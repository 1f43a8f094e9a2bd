package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.MessageEvent;
import dev.relay.delivery.service.DeliveryStore.Recipient;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Queued rows that no nudge delivered (a lost hand-over) are routed again by the sweep (contract §6.4). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class RedriveTest {

    @Inject
    DeliveryStore store;

    @Test
    void aRowCreatedWithoutANudgeStillReachesTheConnectedAgent() {
        Ws ws = Fixtures.workspace();
        Agent ada = Fixtures.agent(ws, "ada");
        NodeCredential node = Fixtures.directNode(ada);
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            assertThat(socket.request(node.register("r1")).getString("type"), equalTo("reply"));
            // Created as the consumer would, but nobody tells the socket: only the re-drive sweep can.
            String data = new JsonObject().put("id", "m-redrive").put("text", "late but delivered").encode();
            store.create(new MessageEvent("evt_redrive_" + ws.id(), ws.id(), "message.created", null, "m-redrive",
                    data, "wait", List.of(new Recipient(ada.id(), ada.name(), "message"))))
                    .await()
                    .atMost(Duration.ofSeconds(5));

            JsonObject deliver = socket.next(Duration.ofSeconds(15));
            assertThat(deliver.encode(), deliver.getString("type"), equalTo("deliver"));
            assertThat(deliver.getLong("seq"), equalTo(1L));
            assertThat(deliver.getJsonObject("payload").getJsonObject("data").getString("text"),
                    equalTo("late but delivered"));
        }
    }
}
