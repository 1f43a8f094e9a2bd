package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.standin.StandInWorkspaceService.Event;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Fleet wire v1 control frames on `/v1/node/ws` (contract §5.2.1, §5.2.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class NodeSocketFramesTest {

    private Ws ws;
    private Agent ada;
    private NodeCredential node;

    @BeforeEach
    void directNode() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        node = Fixtures.directNode(ada);
    }

    private static JsonObject ping(String id) {
        return new JsonObject().put("v", 1).put("type", "ping").put("id", id);
    }

    @Test
    void registeringRepliesWithTheRosterEntryAndTakesTheNodeOnline() {
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            JsonObject reply = socket.request(node.register("sdk-direct-1"));

            assertThat(reply.getInteger("v"), equalTo(1));
            assertThat(reply.getString("type"), equalTo("reply"));
            assertThat(reply.getBoolean("ok"), equalTo(true));
            JsonObject data = reply.getJsonObject("data");
            assertThat(data.getString("id"), equalTo(node.nodeId()));
            assertThat(data.getString("name"), equalTo(node.nodeName()));
            assertThat(data.getString("role"), equalTo("direct"));
            assertThat(data.getString("status"), equalTo("online"));
            assertThat(data.getBoolean("live"), equalTo(true));
            assertThat(data.getString("last_heartbeat_at"), notNullValue());
            assertThat(data.getJsonArray("accepted_capabilities"), equalTo(new JsonArray()));
            assertThat(data.getJsonObject("provider").getString("name"), equalTo("default"));
            assertThat(data.getJsonObject("provider").getString("instance_id"), notNullValue());

            assertThat(Fixtures.node(ws, node.nodeName()).getString("data.status"), equalTo("online"));
            Event online = Await.value("node.status.online recorded",
                    () -> StandInWorkspaceService.events(ws.id(), "node.status.online"), list -> !list.isEmpty())
                    .getFirst();
            assertThat(online.data().getString("node_id"), equalTo(node.nodeId()));
            assertThat(online.data().getString("node_name"), equalTo(node.nodeName()));
        }

        Event offline = Await.value("node.status.offline recorded",
                () -> StandInWorkspaceService.events(ws.id(), "node.status.offline"), list -> !list.isEmpty())
                .getFirst();
        assertThat(offline.data().getString("node_id"), equalTo(node.nodeId()));
        assertThat(offline.data().getString("reason"), equalTo("disconnected"));
        assertThat(Fixtures.node(ws, node.nodeName()).getString("data.status"), equalTo("offline"));
        assertThat(StandInWorkspaceService.events(ws.id(), "node.status.online"), hasSize(1));
    }

    @Test
    void aBrokerGetsItsCapabilitiesAccepted() {
        NodeCredential broker = Fixtures.enrol(ws, Map.of("name", "fleet"));
        try (NodeSocket socket = NodeSocket.open(broker.bearer())) {
            JsonObject reply = socket.request(new JsonObject().put("v", 1)
                    .put("id", "r1")
                    .put("type", "node.register")
                    .put("node_id", broker.nodeId())
                    .put("name", "fleet")
                    .put("provider", new JsonObject().put("name", "broker").put("instance_id", "i-1"))
                    .put("capabilities", new JsonArray().add(new JsonObject().put("name", "relay:delivery-cursor-v1")
                            .put("kind", "capacity"))
                            .add(new JsonObject().put("name", "summarise").put("kind", "action")))
                    .put("max_agents", 8)
                    .put("tags", new JsonArray().add("eu"))
                    .put("version", "agent-relay/1.0")
                    .put("resume_cursor", null));

            assertThat(reply.getString("type"), equalTo("reply"));
            JsonObject data = reply.getJsonObject("data");
            assertThat(data.getJsonObject("provider"), equalTo(new JsonObject().put("name", "broker")
                    .put("instance_id", "i-1")));
            assertThat(data.getJsonArray("accepted_capabilities"), equalTo(new JsonArray()
                    .add(new JsonObject().put("name", "relay:delivery-cursor-v1")
                            .put("kind", "capacity")
                            .put("accepted", true))
                    .add(new JsonObject().put("name", "summarise").put("kind", "action").put("accepted", true))));
            assertThat(data.getInteger("max_agents"), equalTo(8));
            assertThat(data.getJsonArray("tags").getList(), equalTo(List.of("eu")));
            assertThat(data.getString("version"), equalTo("agent-relay/1.0"));
            JsonPath roster = Fixtures.node(ws, "fleet");
            assertThat(roster.getList("data.capabilities.name"), equalTo(List.of("relay:delivery-cursor-v1",
                    "summarise")));
        }
    }

    @Test
    void registeringAnotherNodeIdIsRefused() {
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            JsonObject error = socket.request(node.register("r1").put("node_id", "node_someone_else"));

            assertThat(error.getString("type"), equalTo("error"));
            assertThat(error.getBoolean("ok"), equalTo(false));
            assertThat(error.getString("code"), equalTo("node_id_mismatch"));
            assertThat(error.getString("message"), notNullValue());

            JsonObject missing = node.register("r2");
            missing.remove("node_id");
            assertThat(socket.request(missing).getString("code"), equalTo("node_id_mismatch"));
            assertThat(socket.request(node.register("r3").put("name", "someone-else")).getString("code"),
                    equalTo("node_name_conflict"));
            // Still usable: a correct register afterwards succeeds.
            assertThat(socket.request(node.register("r4")).getString("type"), equalTo("reply"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "{\"type\":\"ping\"}", "{\"v\":2,\"type\":\"ping\"}",
            "{\"v\":\"1\",\"type\":\"ping\"}", "{\"v\":1}", "{\"v\":1,\"type\":\"teleport\"}",
            "{\"v\":1,\"type\":\"ping\",\"surprise\":true}", "{\"v\":1,\"type\":\"ping\",\"id\":7}"})
    void invalidFramesAnswerInvalidMessage(String text) {
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            socket.sendText(text);

            JsonObject error = socket.next("error");
            assertThat(error.getInteger("v"), equalTo(1));
            assertThat(error.getBoolean("ok"), equalTo(false));
            assertThat(error.getString("code"), equalTo("invalid_message"));
            assertThat(error.getString("id"), startsWith("srv_"));
            // The socket stays open and usable.
            socket.send(ping("p"));
            assertThat(socket.next("pong").getString("id"), equalTo("p"));
        }
    }

    @Test
    void anInvalidFrameWithAnIdGetsItsIdBack() {
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            JsonObject error = socket.request(node.register("r1").put("colour", "blue"));

            assertThat(error.getString("type"), equalTo("error"));
            assertThat(error.getString("code"), equalTo("invalid_message"));
        }
    }

    @Test
    void framesBeforeRegisterAreRefused() {
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            JsonObject error = socket.request(new JsonObject().put("v", 1)
                    .put("id", "a1")
                    .put("type", "agent.register")
                    .put("name", "x"));
            assertThat(error.getString("type"), equalTo("error"));
            assertThat(error.getString("code"), equalTo("node_not_registered"));

            socket.send(new JsonObject().put("v", 1).put("type", "node.heartbeat").put("load", 0));
            assertThat(socket.next("error").getString("code"), equalTo("node_not_registered"));

            assertThat(socket.request(node.register("r1")).getString("type"), equalTo("reply"));
        }
    }

    @Test
    void aHeartbeatHasNoReplyAndIsRecorded() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            socket.send(new JsonObject().put("v", 1)
                    .put("type", "node.heartbeat")
                    .put("node_id", node.nodeId())
                    .put("load", 0.5)
                    .put("active_agents", 1)
                    .put("handlers_live", false));
            socket.send(ping("after-heartbeat"));

            // The pong is the very next frame: the heartbeat was answered by nothing.
            assertThat(socket.next().getString("id"), equalTo("after-heartbeat"));
            JsonPath roster = Fixtures.node(ws, node.nodeName());
            assertThat(roster.getFloat("data.load"), equalTo(0.5f));
            assertThat(roster.getInt("data.active_agents"), equalTo(1));
            assertThat(roster.getString("data.last_heartbeat_at"), notNullValue());
            assertThat(roster.getString("data.status"), equalTo("online"));

            socket.send(new JsonObject().put("v", 1).put("type", "node.heartbeat").put("node_id", "node_other"));
            assertThat(socket.next("error").getString("code"), equalTo("node_id_mismatch"));
        }
    }

    @Test
    void pingIsAnsweredWithPongBeforeAndAfterRegister() {
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            socket.send(ping("p0"));
            JsonObject pong = socket.next("pong");
            assertThat(pong.getInteger("v"), equalTo(1));
            assertThat(pong.getString("id"), equalTo("p0"));

            socket.request(node.register("r1"));
            socket.send(ping("p1"));
            assertThat(socket.next("pong").getString("id"), equalTo("p1"));
        }
    }

    @Test
    void deregisteringTakesTheNodeOffline() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            socket.send(new JsonObject().put("v", 1).put("type", "node.deregister"));

            Event offline = Await.value("node.status.offline recorded",
                    () -> StandInWorkspaceService.events(ws.id(), "node.status.offline"), list -> !list.isEmpty())
                    .getFirst();
            assertThat(offline.data().getString("reason"), equalTo("deregistered"));
            assertThat(Fixtures.node(ws, node.nodeName()).getString("data.status"), equalTo("offline"));
        }
    }
}
