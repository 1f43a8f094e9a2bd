package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.event.StableEventId;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * DMs reach their recipient (contract §6.3, §8.2): a `dm.received` or `group_dm.received` entry shaped exactly as
 * workspace-service logs it (the message nested under `message`, the sender's name in `from_name`) becomes one
 * delivery per recipient, reason `dm`, with the message's id, and the `deliver` frame carries its mode.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DmDeliveryTest {

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

    @Test
    void aDmIsDeliveredToItsRecipientWithItsMode() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            outbox.add(entry("dm.received", "8001", "deploy?", "steer"));

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getString("msg_id"), equalTo("8001"));
            assertThat(deliver.getString("delivery_id"), equalTo("del_8001_" + ada.id()));
            assertThat(deliver.getString("mode"), equalTo("steer"));
            JsonObject payload = deliver.getJsonObject("payload");
            assertThat(payload.getString("type"), equalTo("dm.received"));
            assertThat(payload.getJsonObject("data").getString("conversation_id"), equalTo("dm_" + ws.id()));
            assertThat(payload.getJsonObject("data").getJsonObject("message").getString("agent_name"),
                    equalTo("bob"));

            Map<String, Object> row = Await.value("the delivery row", () -> Fixtures.deliveries(ada, null),
                    list -> list.size() == 1).getFirst();
            assertThat(row.get("reason"), equalTo("dm"));
            assertThat(row.get("message_id"), equalTo("8001"));
            @SuppressWarnings("unchecked")
            Map<String, Object> message = (Map<String, Object>) row.get("message");
            assertThat(message.get("text"), equalTo("deploy?"));
            assertThat(message.get("agent_id"), equalTo(bob.id()));
            assertThat(message.get("agent_name"), equalTo("bob"));
        }
    }

    @Test
    void aGroupDmMessageIsDeliveredToo() {
        outbox.add(entry("group_dm.received", "8101", "standup", "wait"));

        Map<String, Object> row = Await.value("the delivery row", () -> Fixtures.deliveries(ada, null),
                list -> list.size() == 1).getFirst();
        assertThat(row.get("id"), equalTo("del_8101_" + ada.id()));
        assertThat(row.get("reason"), equalTo("dm"));
    }

    /** The stream entry workspace-service's outbox relay adds for a DM from bob to ada. */
    private Map<String, String> entry(String type, String messageId, String text, String mode) {
        String createdAt = Instant.now().toString();
        JsonObject core = new JsonObject().put("id", messageId)
                .put("agent_id", bob.id())
                .put("agent_name", "bob")
                .put("agent_type", "agent")
                .put("text", text)
                .put("injection_mode", mode)
                .put("attachments", new JsonArray());
        JsonObject data = new JsonObject().put("conversation_id", "dm_" + ws.id())
                .put("message", core)
                .put("created_at", createdAt)
                .put("id", messageId)
                .put("agent_id", bob.id())
                .put("text", text)
                .put("injection_mode", mode)
                .put("attachments", new JsonArray())
                .put("from_name", "bob");
        if (type.equals("dm.received")) {
            data.put("from_agent_id", bob.id()).put("to", "ada");
        }
        JsonArray recipients = new JsonArray().add(new JsonObject().put("agent_id", ada.id())
                .put("agent_name", "ada")
                .put("reason", "dm"));
        Map<String, String> entry = new LinkedHashMap<>();
        // Test message ids are short and reused across workspaces: the workspace id keeps the event id unique.
        String eventId = StableEventId.of(ws.id(), messageId);
        entry.put("event_id", eventId);
        entry.put("workspace_id", ws.id());
        entry.put("seq", "1");
        entry.put("type", type);
        entry.put("channel_id", "dmch_" + ws.id());
        entry.put("data", data.encode());
        entry.put("recipients", recipients.encode());
        entry.put("created_at", createdAt);
        entry.put("event", new JsonObject().put("event_id", eventId)
                .put("workspace_id", ws.id())
                .put("seq", 1)
                .put("type", type)
                .put("payload", new JsonObject())
                .encode());
        return entry;
    }
}
