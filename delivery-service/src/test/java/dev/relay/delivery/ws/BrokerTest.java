package dev.relay.delivery.ws;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
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
import dev.relay.delivery.support.NodeSocket.Closed;
import dev.relay.delivery.support.Outbox;
import dev.relay.delivery.support.RowLock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * A broker on `/v1/node/ws` (contract §5.2.1, §6.2, §6.6): its provider, agents it registers, syncs and deregisters
 * over the socket, deliveries to them, and provider-instance arbitration.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class BrokerTest {

    @Inject
    Outbox outbox;

    @Inject
    Pool pool;

    private Ws ws;
    private Agent bob;
    private NodeCredential broker;

    @BeforeEach
    void broker() {
        ws = Fixtures.workspace();
        bob = Fixtures.agent(ws, "bob");
        broker = Fixtures.enrol(ws, Map.of("name", "fleet"));
    }

    private JsonObject register(String instanceId) {
        return register("broker", instanceId);
    }

    private JsonObject register(String provider, String instanceId) {
        return new JsonObject().put("v", 1)
                .put("id", "reg-" + instanceId)
                .put("type", "node.register")
                .put("node_id", broker.nodeId())
                .put("name", "fleet")
                .put("provider", new JsonObject().put("name", provider).put("instance_id", instanceId))
                .put("capabilities", new JsonArray().add(new JsonObject().put("name", "relay:delivery-cursor-v1")
                        .put("kind", "capacity")))
                .put("max_agents", 0)
                .put("tags", new JsonArray())
                .put("version", "agent-relay/1.0")
                .put("resume_cursor", null);
    }

    private NodeSocket connect(String instanceId) {
        NodeSocket socket = NodeSocket.open(broker.bearer());
        JsonObject reply = socket.request(register(instanceId));
        assertThat(reply.encode(), reply.getString("type"), equalTo("reply"));
        return socket;
    }

    private static JsonObject agentRegister(String id, String name) {
        return new JsonObject().put("v", 1).put("id", id).put("type", "agent.register").put("name", name);
    }

    private Agent registerAgent(NodeSocket socket, String name) {
        JsonObject reply = socket.request(agentRegister("ar-" + name, name));
        assertThat(reply.encode(), reply.getString("type"), equalTo("reply"));
        JsonObject data = reply.getJsonObject("data");
        return new Agent(data.getString("agent_id"), ws.id(), name);
    }

    private void bind(String agentName) {
        given().contentType(io.restassured.http.ContentType.JSON)
                .header("Authorization", ws.key())
                .body(Map.of("agent_name", agentName))
                .when()
                .post("/v1/nodes/fleet/agents")
                .then()
                .statusCode(201);
    }

    /** The node's active bindings (`GET /v1/nodes/:name/agents`, 200 expected). */
    private ValidatableResponse bindings(String node) {
        return given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/" + node + "/agents")
                .then()
                .statusCode(200);
    }

    private void send(String messageId, Agent to) {
        outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, "work on " + messageId, List.of(to)));
    }

    private static JsonObject ack(String agent, long upToSeq) {
        return new JsonObject().put("v", 1).put("type", "delivery.ack").put("agent", agent).put("up_to_seq", upToSeq);
    }

    /** Whether a `pong` arrives within {@code timeout} (other frames are passed over). */
    private static boolean pong(NodeSocket socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if ("pong".equals(socket.next(Duration.ofMillis(50)).getString("type"))) {
                    return true;
                }
            } catch (AssertionError nothingYet) {
                // no frame within 50 ms: look again until the deadline
            }
        }
        return false;
    }

    @Test
    void acksBehindOneWaitingOnTheDatabaseAreStillReadAndControlFramesWaitForThem() throws InterruptedException {
        try (NodeSocket socket = connect("i1")) {
            Agent ada = registerAgent(socket, "ada");
            send("6101", ada);
            send("6102", ada);
            socket.next("deliver");
            socket.next("deliver");
            try (RowLock held = RowLock.hold(pool, "select 1 from ack_cursors where agent_id = $1 for update",
                    ada.id())) {
                socket.send(ack("ada", 1)); // its write waits for the lock
                socket.send(ack("ada", 2)); // read at once all the same
                socket.send(new JsonObject().put("v", 1).put("id", "p1").put("type", "ping"));
                assertThat("a control frame waits for the acks before it", pong(socket, Duration.ofMillis(500)),
                        equalTo(false));
                // Past the write-back delay (1 s): the row the second ack covers is not marked delivered, since the
                // socket read that ack (a socket that read one frame at a time would not have).
                Thread.sleep(1_500);
                assertThat(Fixtures.deliveries(ada, "delivered"), empty());
            }
            assertThat("answered once the acks are written", pong(socket, Await.TIMEOUT), equalTo(true));
            Await.until("both rows acked", () -> Fixtures.deliveries(ada, "acked").size() == 2);
        }
    }

    @Test
    void theProviderAndItsCursorCapabilityAreAccepted() {
        try (NodeSocket socket = NodeSocket.open(broker.bearer())) {
            JsonObject reply = socket.request(register("i1"));

            JsonObject data = reply.getJsonObject("data");
            assertThat(data.getString("id"), equalTo(broker.nodeId()));
            assertThat(data.getString("role"), equalTo("broker"));
            assertThat(data.getString("status"), equalTo("online"));
            assertThat(data.getJsonObject("provider"), equalTo(new JsonObject().put("name", "broker")
                    .put("instance_id", "i1")));
            assertThat(data.getJsonArray("accepted_capabilities"), equalTo(new JsonArray().add(new JsonObject()
                    .put("name", "relay:delivery-cursor-v1")
                    .put("kind", "capacity")
                    .put("accepted", true))));
        }
    }

    @Test
    void anAgentRegisteredOverTheSocketGetsItsMessagesThere() {
        try (NodeSocket socket = connect("i1")) {
            JsonObject reply = socket.request(agentRegister("a1", "worker-1"));

            assertThat(reply.getString("type"), equalTo("reply"));
            assertThat(reply.getString("id"), equalTo("a1"));
            JsonObject data = reply.getJsonObject("data");
            assertThat(data.getString("agent_id"), notNullValue());
            assertThat(data.getString("token"), matchesPattern("at_live_[0-9a-f]{32}"));
            assertThat(data.getString("name"), equalTo("worker-1"));
            assertThat(data.getLong("delivery_ack_seq"), equalTo(0L));

            StandInWorkspaceService.Agent created = StandInWorkspaceService.agent(ws.id(), "worker-1").orElseThrow();
            assertThat(created.agentId(), equalTo(data.getString("agent_id")));
            assertThat(created.metadata().getString("provider_name"), equalTo("broker"));
            assertThat(created.metadata().getString("origin_node_id"), equalTo(broker.nodeId()));
            bindings("fleet").body("data.agent_name", equalTo(List.of("worker-1")));

            Agent worker = new Agent(data.getString("agent_id"), ws.id(), "worker-1");
            send("1001", worker);
            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getString("agent"), equalTo("worker-1"));
            assertThat(deliver.getString("agent_id"), equalTo(worker.id()));
            assertThat(deliver.getLong("seq"), equalTo(1L));
            assertThat(deliver.getString("delivery_id"), equalTo("del_1001_" + worker.id()));

            socket.send(new JsonObject().put("v", 1)
                    .put("type", "delivery.ack")
                    .put("agent", "worker-1")
                    .put(
                            "up_to_seq", 1));
            Await.until("acked", () -> Fixtures.deliveries(worker, "acked").size() == 1);
        }
    }

    @Test
    void aTakenAgentNameIsRefused() {
        Fixtures.agent(ws, "taken");
        try (NodeSocket socket = connect("i1")) {
            JsonObject error = socket.request(agentRegister("a1", "taken"));

            assertThat(error.getString("type"), equalTo("error"));
            assertThat(error.getString("code"), equalTo("agent_already_exists"));
        }
    }

    @Test
    void inventorySyncRebindsListedAgentsAndReplaysTheirDeliveries() {
        Agent old = Fixtures.agent(ws, "old-1");
        send("2001", old);
        Await.until("a queued row for old-1", () -> Fixtures.deliveries(old, "queued").size() == 1);

        try (NodeSocket socket = connect("i1")) {
            JsonObject reply = socket.request(new JsonObject().put("v", 1)
                    .put("id", "s1")
                    .put("type", "inventory.sync")
                    .put("agents", new JsonArray().add(new JsonObject().put("agent_id", old.id())
                            .put("name", "old-1"))));

            assertThat(reply.getString("type"), equalTo("reply"));
            JsonObject data = reply.getJsonObject("data");
            assertThat(data.getJsonArray("rebound_agents"), equalTo(new JsonArray().add(new JsonObject()
                    .put("agent_id", old.id())
                    .put("name", "old-1"))));
            assertThat(data.getJsonArray("open_invocations"), equalTo(new JsonArray()));
            assertThat(data.getJsonArray("completed_invocations"), equalTo(new JsonArray()));
            assertThat(data.getJsonArray("rescheduled_invocations"), equalTo(new JsonArray()));

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getString("agent"), equalTo("old-1"));
            assertThat(deliver.getLong("seq"), equalTo(1L));
            assertThat(deliver.getString("msg_id"), equalTo("2001"));

            JsonObject mismatch = socket.request(new JsonObject().put("v", 1)
                    .put("id", "s2")
                    .put("type", "inventory.sync")
                    .put("agents", new JsonArray().add(new JsonObject().put("agent_id", "999")
                            .put("name", "old-1"))));
            assertThat(mismatch.getString("type"), equalTo("error"));
            assertThat(mismatch.getString("code"), equalTo("agent_identity_mismatch"));
        }
    }

    @Test
    void withoutTheCursorCapabilityRegisterReplaysTheBoundAgents() {
        Agent ada = Fixtures.agent(ws, "ada");
        bind("ada");
        send("4001", ada);
        Await.until("a queued row for ada", () -> Fixtures.deliveries(ada, "queued").size() == 1);

        try (NodeSocket socket = NodeSocket.open(broker.bearer())) {
            JsonObject legacy = register("i1").put("capabilities", new JsonArray());
            assertThat(socket.request(legacy).getString("type"), equalTo("reply"));

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getString("agent"), equalTo("ada"));
            assertThat(deliver.getString("msg_id"), equalTo("4001"));
            assertThat(deliver.getLong("seq"), equalTo(1L));
        }
    }

    @Test
    void bindingAnAgentToAConnectedNodeSendsItsQueuedDeliveries() {
        Agent ada = Fixtures.agent(ws, "ada");
        send("5001", ada);
        Await.until("a queued row for ada", () -> Fixtures.deliveries(ada, "queued").size() == 1);

        try (NodeSocket socket = NodeSocket.open(broker.bearer())) {
            assertThat(socket.request(register("i1").put("capabilities", new JsonArray())).getString("type"),
                    equalTo("reply"));
            bind("ada");

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getString("agent"), equalTo("ada"));
            assertThat(deliver.getString("msg_id"), equalTo("5001"));
        }
    }

    @Test
    void recoveringAnAgentRotatesItsTokenAndResumesFromItsCursor() {
        try (NodeSocket socket = connect("i1")) {
            Agent worker = registerAgent(socket, "worker-1");
            send("6001", worker);
            assertThat(socket.next("deliver").getLong("seq"), equalTo(1L));
            socket.send(new JsonObject().put("v", 1)
                    .put("type", "delivery.ack")
                    .put("agent", "worker-1")
                    .put(
                            "up_to_seq", 1));
            Await.until("acked", () -> Fixtures.deliveries(worker, "acked").size() == 1);
            String before = StandInWorkspaceService.agent(ws.id(), "worker-1").orElseThrow().token();

            JsonObject reply = socket.request(new JsonObject().put("v", 1)
                    .put("id", "rec-1")
                    .put("type", "agent.recover")
                    .put("name", "worker-1")
                    .put("expected_agent_id", worker.id()));

            assertThat(reply.getString("type"), equalTo("reply"));
            assertThat(reply.getJsonObject("data").getString("agent_id"), equalTo(worker.id()));
            assertThat(reply.getJsonObject("data").getLong("delivery_ack_seq"), equalTo(1L));
            String after = reply.getJsonObject("data").getString("token");
            assertThat(after, equalTo(StandInWorkspaceService.agent(ws.id(), "worker-1").orElseThrow().token()));
            assertThat(after.equals(before), equalTo(false));

            JsonObject mismatch = socket.request(new JsonObject().put("v", 1)
                    .put("id", "rec-2")
                    .put("type", "agent.recover")
                    .put("name", "worker-1")
                    .put("expected_agent_id", "999"));
            assertThat(mismatch.getString("code"), equalTo("agent_identity_mismatch"));
        }
    }

    @Test
    void anInventoryThatNoLongerListsAnAgentReleasesItAsMissingFromInventory() {
        bind("bob"); // bound over REST by the operator: not the provider's to release
        try (NodeSocket socket = connect("i1")) {
            Agent kept = registerAgent(socket, "worker-1");
            Agent gone = registerAgent(socket, "worker-2");

            JsonObject reply = socket.request(new JsonObject().put("v", 1)
                    .put("id", "s1")
                    .put("type", "inventory.sync")
                    .put("agents", new JsonArray().add(new JsonObject().put("agent_id", kept.id())
                            .put("name", "worker-1"))));

            assertThat(reply.getString("type"), equalTo("reply"));
            Event exited = Await.value("agent.exited recorded",
                    () -> StandInWorkspaceService.events(ws.id(), "agent.exited"), list -> !list.isEmpty())
                    .getFirst();
            assertThat(exited.data().getString("agent_id"), equalTo(gone.id()));
            assertThat(exited.data().getString("agent_name"), equalTo("worker-2"));
            assertThat(exited.data().getString("reason"), equalTo("missing_from_inventory"));
            assertThat(StandInWorkspaceService.agent(ws.id(), "worker-2").orElseThrow().status(), equalTo("offline"));
            bindings("fleet").body("data.agent_name", containsInAnyOrder("bob", "worker-1"));
            assertThat(StandInWorkspaceService.events(ws.id(), "agent.exited").size(), equalTo(1));
        }
    }

    @Test
    void deregisteringAnAgentReleasesItAndRecordsAgentExited() {
        try (NodeSocket socket = connect("i1")) {
            Agent worker = registerAgent(socket, "worker-1");

            socket.send(new JsonObject().put("v", 1).put("type", "agent.deregister").put("name", "worker-1"));

            Event exited = Await.value("agent.exited recorded",
                    () -> StandInWorkspaceService.events(ws.id(), "agent.exited"), list -> !list.isEmpty())
                    .getFirst();
            assertThat(exited.data().getString("agent_id"), equalTo(worker.id()));
            assertThat(exited.data().getString("agent_name"), equalTo("worker-1"));
            assertThat(exited.data().getString("node_id"), equalTo(broker.nodeId()));
            assertThat(exited.data().getString("reason"), equalTo("deregistered"));
            assertThat(StandInWorkspaceService.agent(ws.id(), "worker-1").orElseThrow().status(), equalTo("offline"));
            bindings("fleet").body("data", empty());
        }
    }

    @Test
    void aDeregisteredAgentIsRehomedOnItsDirectNodeAndItsLaterDeliveriesLeaveTheBroker() {
        Agent ada = Fixtures.agent(ws, "ada");
        NodeCredential direct = Fixtures.directNode(ada);
        try (NodeSocket socket = connect("i1")) {
            JsonObject recovered = socket.request(new JsonObject().put("v", 1)
                    .put("id", "rec-ada")
                    .put("type", "agent.recover")
                    .put("name", "ada"));
            assertThat(recovered.encode(), recovered.getString("type"), equalTo("reply"));
            send("7001", ada);
            assertThat(socket.next("deliver").getString("msg_id"), equalTo("7001"));

            socket.send(new JsonObject().put("v", 1).put("type", "agent.deregister").put("agent_id", ada.id()));
            Await.until("agent.exited recorded", () -> !StandInWorkspaceService.events(ws.id(), "agent.exited")
                    .isEmpty());
            bindings(direct.nodeName()).body("data.agent_id", equalTo(List.of(ada.id())))
                    .body("data.status", equalTo(List.of("active")));
            bindings("fleet").body("data", empty());

            send("7002", ada);
            Await.until("a row for 7002", () -> Fixtures.deliveries(ada, null).size() == 2);
            socket.send(new JsonObject().put("v", 1).put("type", "ping").put("id", "after"));
            assertThat(socket.next("pong").getString("id"), equalTo("after"));
            assertThat(socket.drain(), empty());
        }
        // Back on its direct node, ada gets what the broker never acknowledged and what came after, in order.
        try (NodeSocket own = Fixtures.connectDirect(direct)) {
            assertThat(own.next("deliver").getString("msg_id"), equalTo("7001"));
            JsonObject second = own.next("deliver");
            assertThat(second.getString("msg_id"), equalTo("7002"));
            assertThat(second.getLong("seq"), equalTo(2L));
        }
    }

    @Test
    void theSameInstanceReconnectingSupersedesTheOldSocket() {
        NodeSocket first = connect("i1");
        try (NodeSocket second = NodeSocket.open(broker.bearer())) {
            JsonObject reply = second.request(register("i1"));
            assertThat(reply.getString("type"), equalTo("reply"));

            Closed closed = first.awaitClosed(Duration.ofSeconds(5));
            assertThat(closed.code(), equalTo(1000));
            assertThat(closed.reason(), equalTo("superseded"));

            // The node stays online and the new socket carries what the broker registers from now on.
            Agent worker = registerAgent(second, "worker-1");
            send("3001", worker);
            assertThat(second.next("deliver").getString("msg_id"), equalTo("3001"));
            // The first may still ride on the replay after agent.register; the second can only be routed here.
            send("3002", worker);
            assertThat(second.next("deliver").getString("msg_id"), equalTo("3002"));
            assertThat(Fixtures.node(ws, "fleet").getString("data.status"), equalTo("online"));
            assertThat(StandInWorkspaceService.events(ws.id(), "node.status.offline"), empty());
        }
    }

    @Test
    void aDifferentLiveInstanceOfTheSameProviderIsAConflict() {
        try (NodeSocket first = connect("i1"); NodeSocket second = NodeSocket.open(broker.bearer())) {
            JsonObject error = second.request(register("i2"));

            assertThat(error.getString("type"), equalTo("error"));
            assertThat(error.getString("id"), equalTo("reg-i2"));
            assertThat(error.getString("code"), equalTo("provider_instance_conflict"));
            first.send(new JsonObject().put("v", 1).put("type", "ping").put("id", "still-here"));
            assertThat(first.next("pong").getString("id"), equalTo("still-here"));
            assertThat(first.isClosed(), equalTo(false));
        }
    }

    @Test
    void anotherProviderSharesTheNode() {
        try (NodeSocket first = connect("i1"); NodeSocket second = NodeSocket.open(broker.bearer())) {
            JsonObject reply = second.request(register("tools", "t1"));

            assertThat(reply.getString("type"), equalTo("reply"));
            assertThat(reply.getJsonObject("data").getJsonObject("provider").getString("name"), equalTo("tools"));
            first.send(new JsonObject().put("v", 1).put("type", "ping").put("id", "p"));
            assertThat(first.next("pong").getString("id"), equalTo("p"));
        }
    }
}
