package dev.relay.delivery.support;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.relay.delivery.standin.PrincipalJwts;
import dev.relay.delivery.standin.SigningKey;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The workspaces, agents and nodes tests start from; every test uses fresh workspace ids. */
public final class Fixtures {

    /** ISO-8601 in UTC with exactly three fraction digits, as JavaScript's `toISOString()` writes it. */
    public static final String ISO_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    private static volatile SigningKey keysLoadedFor;

    private Fixtures() {
    }

    /** A workspace (it lives at workspace-service; here only its id matters). */
    public record Ws(String id) {

        /** `Bearer` + a fresh principal JWT of this workspace's key. */
        public String key() {
            return PrincipalJwts.workspaceKey(id);
        }
    }

    /** An agent of a workspace, known to the stand-in workspace-service. */
    public record Agent(String id, String workspaceId, String name) {

        /** `Bearer` + a fresh principal JWT of this agent's token. */
        public String bearer() {
            return PrincipalJwts.agent(workspaceId, id, name);
        }
    }

    /** A node and the raw token it was just given, with the credential that holds it at auth-service. */
    public record NodeCredential(String workspaceId, String nodeId, String nodeName, String token,
            String credentialId) {

        /** `Bearer` + the principal the gateway forwards for this token. */
        public String bearer() {
            return PrincipalJwts.node(workspaceId, nodeId, nodeName, credentialId, token);
        }

        /** A `node.register` frame as the SDK's `AgentClient` sends it for its direct node. */
        public JsonObject register(String id) {
            return new JsonObject().put("v", 1)
                    .put("id", id)
                    .put("type", "node.register")
                    .put("node_id", nodeId)
                    .put("name", nodeName)
                    .put("capabilities", new JsonArray())
                    .put("max_agents", 1)
                    .put("tags", new JsonArray(List.of("implicit", "direct", "sdk")))
                    .put("version", "sdk-typescript/6.0.2");
        }
    }

    /** A fresh workspace id, once the service has loaded the stand-in's signing key. */
    public static Ws workspace() {
        awaitAuthKeys();
        return new Ws(String.valueOf(ThreadLocalRandom.current().nextLong(100_000_000_000L, 999_999_999_999L)));
    }

    /** An agent registered at the stand-in workspace-service. */
    public static Agent agent(Ws ws, String name) {
        StandInWorkspaceService.Agent agent = StandInWorkspaceService.seed(ws.id(), name);
        return new Agent(agent.agentId(), ws.id(), agent.name());
    }

    /** `POST /v1/agent/node-token` for the agent: its implicit direct node with a freshly rotated token. */
    public static NodeCredential directNode(Agent agent) {
        JsonPath data = given().header("Authorization", agent.bearer())
                .when()
                .post("/v1/agent/node-token")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String token = data.getString("data.token");
        return new NodeCredential(agent.workspaceId(), data.getString("data.node_id"), data.getString("data.node_name"),
                token, StandInAuthService.ledger().credentialOf(token).id());
    }

    /** `POST /v1/nodes` with this body (201 expected). */
    public static NodeCredential enrol(Ws ws, Map<String, Object> body) {
        JsonPath data = given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(body)
                .when()
                .post("/v1/nodes")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        String token = data.getString("data.token");
        return new NodeCredential(ws.id(), data.getString("data.id"), data.getString("data.name"), token,
                StandInAuthService.ledger().credentialOf(token).id());
    }

    /** Binds the agent to the node (`POST /v1/nodes/:name/agents`, 201 expected). */
    public static void bind(Ws ws, String nodeName, Agent agent) {
        given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(Map.of("agent_name", agent.name()))
                .when()
                .post("/v1/nodes/" + nodeName + "/agents")
                .then()
                .statusCode(201);
    }

    /** Opens the node's socket and registers it as the SDK does; the reply must be ok. */
    public static NodeSocket connectDirect(NodeCredential node) {
        NodeSocket socket = NodeSocket.open(node.bearer());
        JsonObject reply = socket.request(node.register("reg-1"));
        if (!"reply".equals(reply.getString("type"))) {
            throw new AssertionError("node.register failed: " + reply.encode());
        }
        return socket;
    }

    /**
     * Opens a broker's socket for the node and registers it as provider "broker" (instance i1) speaking the cursor
     * capability, as the agent-relay broker does.
     */
    public static NodeSocket connectBroker(NodeCredential node) {
        NodeSocket socket = NodeSocket.open(node.bearer());
        JsonObject reply = socket.request(new JsonObject().put("v", 1)
                .put("id", "reg")
                .put("type", "node.register")
                .put("node_id", node.nodeId())
                .put("name", node.nodeName())
                .put("provider", new JsonObject().put("name", "broker").put("instance_id", "i1"))
                .put("capabilities", new JsonArray().add(new JsonObject()
                        .put("name", "relay:delivery-cursor-v1")
                        .put("kind", "capacity"))));
        if (!"reply".equals(reply.getString("type"))) {
            throw new AssertionError("node.register failed: " + reply.encode());
        }
        return socket;
    }

    /** Registers a worker over a broker's socket ({@code agent.register}); answers its agent id. */
    public static String registerWorker(NodeSocket socket, String name) {
        JsonObject reply = socket.request(new JsonObject().put("v", 1)
                .put("id", "ar-" + name)
                .put("type", "agent.register")
                .put("name", name));
        if (!"reply".equals(reply.getString("type"))) {
            throw new AssertionError("agent.register failed: " + reply.encode());
        }
        return reply.getJsonObject("data").getString("agent_id");
    }

    /** The node's roster entry as the workspace sees it. */
    public static JsonPath node(Ws ws, String name) {
        return given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/" + name)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** Closes the socket and waits until the service has taken the node offline (its detach is complete). */
    public static void disconnect(NodeSocket socket, Ws ws, String nodeName) {
        socket.close();
        Await.until("node " + nodeName + " offline", () -> "offline".equals(node(ws, nodeName).getString(
                "data.status")));
    }

    /** The agent's deliveries (`GET /v1/deliveries`, with {@code status} when not null). */
    public static List<Map<String, Object>> deliveries(Agent agent, String status) {
        var request = given().header("Authorization", agent.bearer());
        if (status != null) {
            request = request.queryParam("status", status);
        }
        return request.when().get("/v1/deliveries").then().statusCode(200).extract().jsonPath().getList("data");
    }

    /**
     * Waits until the service has loaded the stand-in's JWKS: it fetches the keys when a JWT names an unknown key id,
     * so the very first request could otherwise race it.
     */
    private static void awaitAuthKeys() {
        SigningKey current = StandInAuthService.key();
        if (keysLoadedFor == current) {
            return;
        }
        Await.until("the service to load the stand-in auth-service's keys", java.time.Duration.ofSeconds(15),
                () -> given().header("Authorization", PrincipalJwts.workspaceKey("0"))
                        .get("/v1/nodes")
                        .statusCode() == 200);
        keysLoadedFor = current;
    }
}
