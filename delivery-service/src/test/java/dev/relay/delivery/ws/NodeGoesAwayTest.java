package dev.relay.delivery.ws;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.standin.StandInWorkspaceService.Event;
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

/** When a node's last socket closes, the agents located on it go offline at workspace-service (contract §5.2.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class NodeGoesAwayTest {

    @Inject
    Outbox outbox;

    private Ws ws;
    private NodeCredential broker;

    @BeforeEach
    void broker() {
        ws = Fixtures.workspace();
        broker = Fixtures.enrol(ws, Map.of("name", "fleet"));
    }

    private NodeSocket connect() {
        NodeSocket socket = NodeSocket.open(broker.bearer());
        JsonObject reply = socket.request(new JsonObject().put("v", 1)
                .put("id", "reg")
                .put("type", "node.register")
                .put("node_id", broker.nodeId())
                .put("name", "fleet")
                .put("provider", new JsonObject().put("name", "broker").put("instance_id", "i1"))
                .put("capabilities", new JsonArray().add(new JsonObject().put("name", "relay:delivery-cursor-v1")
                        .put("kind", "capacity"))));
        assertThat(reply.encode(), reply.getString("type"), equalTo("reply"));
        return socket;
    }

    private static String registerAgent(NodeSocket socket, String name) {
        JsonObject reply = socket.request(new JsonObject().put("v", 1)
                .put("id", "ar-" + name)
                .put("type", "agent.register")
                .put("name", name));
        assertThat(reply.encode(), reply.getString("type"), equalTo("reply"));
        return reply.getJsonObject("data").getString("agent_id");
    }

    @Test
    void theAgentsOfANodeThatGoesAwayGoOffline() {
        NodeSocket socket = connect();
        registerAgent(socket, "worker-1");

        Fixtures.disconnect(socket, ws, "fleet");

        Await.until("worker-1 offline",
                () -> "offline".equals(StandInWorkspaceService.agent(ws.id(), "worker-1").orElseThrow().status()));
    }
}
