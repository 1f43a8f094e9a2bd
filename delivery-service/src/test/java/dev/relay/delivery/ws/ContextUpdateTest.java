package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Ephemeral events as `context.update` frames on `/v1/node/ws` (contract §5.2.2, §6.8, §8.2): one frame per node
 * naming the recipients it hosts, to the nodes that host recipients and no others.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class ContextUpdateTest {

    @Inject
    Outbox outbox;

    private Ws ws;
    private Agent ada;
    private Agent bob;
    private Agent carol;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
        carol = Fixtures.agent(ws, "carol");
    }

    private NodeSocket connect(Agent agent) {
        return Fixtures.connectDirect(Fixtures.directNode(agent));
    }

    /** A broker node `fleet` (no provider, no cursor) hosting the named agents it registered. */
    private NodeSocket broker(String name, String... agents) {
        NodeCredential node = Fixtures.enrol(ws, Map.of("name", name));
        NodeSocket socket = NodeSocket.open(node.bearer());
        JsonObject registered = socket.request(new JsonObject().put("v", 1)
                .put("id", "reg")
                .put("type", "node.register")
                .put("node_id", node.nodeId())
                .put("name", name)
                .put("capabilities", new JsonArray())
                .put("max_agents", 0)
                .put("tags", new JsonArray())
                .put("version", "agent-relay/1.0"));
        assertThat(registered.encode(), registered.getString("type"), equalTo("reply"));
        for (String agent : agents) {
            JsonObject reply = socket.request(new JsonObject().put("v", 1)
                    .put("id", "ar-" + agent)
                    .put("type", "agent.register")
                    .put("name", agent));
            assertThat(reply.encode(), reply.getString("type"), equalTo("reply"));
        }
        return socket;
    }

    private static String id(String workspaceId, String name) {
        return StandInWorkspaceService.agent(workspaceId, name).orElseThrow().agentId();
    }

    private void presence(Agent about, String status) {
        outbox.add(Outbox.event(ws.id(), "agent.status." + status, null, new JsonObject().put("agent_id", about.id())
                .put("agent_name", about.name())
                .put("status", status), List.of()));
    }

    private static void assertUpdate(JsonObject frame, String topic, String event, List<String> agentIds) {
        assertThat(frame.encode(), frame.getInteger("v"), equalTo(1));
        assertThat(frame.encode(), frame.getString("topic"), equalTo(topic));
        assertThat(frame.encode(), frame.getString("event"), equalTo(event));
        assertThat(frame.encode(), frame.getJsonArray("agent_ids"), equalTo(new JsonArray(agentIds)));
    }

    @Test
    void aMemberEventReachesTheChannelsMembersOnTheirOwnNodesOnly() {
        try (NodeSocket adas = connect(ada); NodeSocket bobs = connect(bob); NodeSocket carols = connect(carol)) {
            outbox.add(Outbox.event(ws.id(), "member.joined", "ch-design", new JsonObject().put("agent_id", bob.id())
                    .put("agent_name", "bob")
                    .put("channel_name", "design"), List.of(ada, bob)));

            JsonObject toAda = adas.next("context.update");
            assertUpdate(toAda, "channel", "member.joined", List.of(ada.id()));
            assertThat(toAda.getString("channel_id"), equalTo("ch-design"));
            JsonObject data = toAda.getJsonObject("data");
            assertThat(data.getString("channel"), equalTo("design"));
            assertThat(data.getString("channel_name"), equalTo("design"));
            assertThat(data.getString("agent_name"), equalTo("bob"));
            assertThat(data.getString("agent_id"), equalTo(bob.id()));
            assertUpdate(bobs.next("context.update"), "channel", "member.joined", List.of(bob.id()));

            // carol is no member: the next thing her node hears is the presence event that follows.
            presence(ada, "idle");
            assertUpdate(carols.next("context.update"), "presence", "agent.status.idle", List.of(carol.id()));
        }
    }

    @Test
    void presenceReachesEveryNodeWithActiveBindingsOnceNamingItsAgents() {
        try (NodeSocket adas = connect(ada);
                NodeSocket bobs = connect(bob);
                NodeSocket fleet = broker("fleet", "worker-1", "worker-2");
                NodeSocket idle = broker("idle")) {
            presence(carol, "active");

            JsonObject toAda = adas.next("context.update");
            assertUpdate(toAda, "presence", "agent.status.active", List.of(ada.id()));
            assertThat(toAda.getValue("channel_id"), nullValue());
            assertThat(toAda.getJsonObject("data"), equalTo(new JsonObject().put("agent_id", carol.id())
                    .put("agent_name", "carol")
                    .put("status", "active")));
            assertUpdate(bobs.next("context.update"), "presence", "agent.status.active", List.of(bob.id()));
            assertUpdate(fleet.next("context.update"), "presence", "agent.status.active",
                    List.of(id(ws.id(), "worker-1"), id(ws.id(), "worker-2")));

            // A node hosting nobody hears nothing, and the broker heard the event once.
            for (NodeSocket socket : List.of(idle, fleet)) {
                socket.send(new JsonObject().put("v", 1).put("type", "ping").put("id", "after"));
                assertThat(socket.next("pong").getString("id"), equalTo("after"));
                assertThat(socket.drain(), empty());
            }
        }
    }

    @Test
    void aDeliveryEventReachesOnlyItsAgentsNode() {
        try (NodeSocket adas = connect(ada); NodeSocket bobs = connect(bob)) {
            outbox.add(Outbox.event(ws.id(), "delivery.failed", null, new JsonObject().put("delivery_id", "del_9_1")
                    .put("message_id", "9")
                    .put("error", "tool crashed")
                    .put("retryable", false)
                    .put("agent_id", bob.id())
                    .put("agent_name", "bob"), List.of()));

            JsonObject toBob = bobs.next("context.update");
            assertUpdate(toBob, "agent", "delivery.failed", List.of(bob.id()));
            assertThat(toBob.getValue("channel_id"), nullValue());
            assertThat(toBob.getJsonObject("data").getString("delivery_id"), equalTo("del_9_1"));
            assertThat(toBob.getJsonObject("data").getString("error"), equalTo("tool crashed"));

            presence(carol, "offline");
            assertUpdate(adas.next("context.update"), "presence", "agent.status.offline", List.of(ada.id()));
        }
    }

    @Test
    void workspaceWideAndDurableTypesAreNeverContextUpdates() {
        try (NodeSocket adas = connect(ada)) {
            outbox.add(Outbox.event(ws.id(), "channel.created", "ch-x", new JsonObject().put("channel", "x"),
                    List.of(ada)));
            outbox.add(Outbox.event(ws.id(), "node.status.online", null, new JsonObject().put("node_id", "n"),
                    List.of(ada)));
            presence(bob, "active");

            assertUpdate(adas.next("context.update"), "presence", "agent.status.active", List.of(ada.id()));
        }
    }
}
