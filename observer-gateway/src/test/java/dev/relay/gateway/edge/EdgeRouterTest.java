package dev.relay.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.auth.RevocationListener;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@QuarkusTestResource(StandInServices.class)
class EdgeRouterTest {

    @Inject
    RevocationListener revocations;

    private static final String AGENT = "Bearer " + StandInServices.AGENT_TOKEN;

    @AfterEach
    void restoreStandIns() {
        StandInServices.READY.replaceAll((service, ready) -> true);
        StandInServices.DROP_CONNECTIONS.replaceAll((service, drop) -> false);
    }

    @Test
    void unknownRouteAnswersTheNotFoundEnvelope() {
        given().when()
                .get("/v1/nope")
                .then()
                .statusCode(404)
                .contentType("application/json")
                .body("ok", equalTo(false))
                .body("error.code", equalTo("not_found"))
                .body("error.message", equalTo("Route not found"));
        given().when().get("/").then().statusCode(404).body("error.code", equalTo("not_found"));
        given().when().put("/v1/workspaces").then().statusCode(404).body("error.code", equalTo("not_found"));
    }

    @Test
    void internalPathsAreNeverRouted() {
        given().when().get("/internal/credentials").then().statusCode(404).body("error.code", equalTo("not_found"));
        given().when().post("/v1/internal/credentials").then().statusCode(404);
        given().when().get("/v1/channels/../../internal/x").then().statusCode(404);
    }

    @Test
    void forwardsEachRouteToItsOwnerWithMethodQueryAndBody() {
        given().contentType("application/json")
                .body("{\"name\":\"acme\"}")
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(200)
                .body("data.owner", equalTo("workspace-service"))
                .body("data.method", equalTo("POST"))
                .body("data.body", equalTo("{\"name\":\"acme\"}"));
        given().header("Authorization", AGENT)
                .when()
                .get("/v1/channels/general/messages?limit=5")
                .then()
                .statusCode(200)
                .body("data.owner", equalTo("workspace-service"))
                .body("data.uri", equalTo("/v1/channels/general/messages?limit=5"));
        given().header("Authorization", AGENT)
                .when()
                .post("/v1/deliveries/del_1_2/ack")
                .then()
                .statusCode(200)
                .body("data.owner", equalTo("delivery-service"));
    }

    @Test
    void servicesReceiveThePrincipalJwtNeverTheRawToken() {
        given().header("Authorization", AGENT)
                .header("X-Relay-Principal", "forged.jwt.value")
                .when()
                .get("/v1/agents")
                .then()
                .statusCode(200)
                .body("data.authorization", equalTo("Bearer principal-jwt-agent_token"))
                .body("data.principal", nullValue())
                .body("data.forwarded_for", equalTo("127.0.0.1"));
        given().header("Authorization", AGENT)
                .when()
                .get("/v1/workspaces/by-name/acme")
                .then()
                .statusCode(200)
                .body("data.authorization", nullValue());
    }

    @Test
    void refusalsNeverReachAServiceAndSayWhy() {
        given().when()
                .get("/v1/agent")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", equalTo("Missing or invalid Authorization header"));
        given().header("Authorization", "Token " + StandInServices.AGENT_TOKEN)
                .when()
                .get("/v1/agent")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        given().header("Authorization", "Bearer at_live_" + "f".repeat(32))
                .when()
                .get("/v1/agent")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("agent_token_invalid"))
                .body("error.message", equalTo("Agent token not recognised"))
                .body("data", nullValue());
        given().header("Authorization", "Bearer " + StandInServices.NODE_TOKEN)
                .when()
                .get("/v1/agent")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("node_token_forbidden"));
    }

    @Test
    void afterTheRevocationSubscriptionWasLostAndIsBackNothingCachedIsTrusted() throws Exception {
        String token = "Bearer " + StandInServices.AGENT_TOKEN;
        given().header("Authorization", token).when().get("/v1/inbox").then().statusCode(200);
        int calls = StandInServices.VERIFY_CALLS.get();

        revocations.subscriptionLost(); // broadcasts sent while it was gone are lost; it subscribes again in 1 s

        long deadline = System.currentTimeMillis() + 3_000;
        while (StandInServices.VERIFY_CALLS.get() == calls && System.currentTimeMillis() < deadline) {
            given().header("Authorization", token).when().get("/v1/inbox").then().statusCode(200);
            Thread.sleep(100);
        }
        assertEquals(calls + 1, StandInServices.VERIFY_CALLS.get(), "the cache must be dropped once it is back");
        // and broadcasts arrive again on the new subscription
        RevocationBroadcast.publish(StandInServices.AGENT_TOKEN);
        int afterGap = StandInServices.VERIFY_CALLS.get();
        deadline = System.currentTimeMillis() + 1_000;
        while (StandInServices.VERIFY_CALLS.get() == afterGap && System.currentTimeMillis() < deadline) {
            given().header("Authorization", token).when().get("/v1/inbox").then().statusCode(200);
            Thread.sleep(50);
        }
        assertEquals(afterGap + 1, StandInServices.VERIFY_CALLS.get(), "a revocation after the gap drops the cache");
    }

    @Test
    void aCachedVerificationIsDroppedWhenAuthServiceAnnouncesARevocation() throws Exception {
        String token = "Bearer " + StandInServices.AGENT_TOKEN;
        given().header("Authorization", token).when().get("/v1/inbox").then().statusCode(200);
        int calls = StandInServices.VERIFY_CALLS.get();
        given().header("Authorization", token).when().get("/v1/inbox").then().statusCode(200);
        assertEquals(calls, StandInServices.VERIFY_CALLS.get(), "second request must use the cached verification");

        RevocationBroadcast.publish(StandInServices.AGENT_TOKEN);
        long deadline = System.currentTimeMillis() + 1_000;
        while (StandInServices.VERIFY_CALLS.get() == calls && System.currentTimeMillis() < deadline) {
            given().header("Authorization", token).when().get("/v1/inbox").then().statusCode(200);
            Thread.sleep(50);
        }
        assertEquals(calls + 1, StandInServices.VERIFY_CALLS.get(), "revocation must drop the cache within 1 s");
    }

    @Test
    void plainGetOnAWebSocketPathAnswers426() {
        given().when()
                .get("/v1/node/ws")
                .then()
                .statusCode(426)
                .header("Upgrade", "websocket")
                .body("error.code", equalTo("upgrade_required"));
        given().when().get("/v1/ws").then().statusCode(426).body("error.code", equalTo("upgrade_required"));
    }

    @Test
    void proxiesWebSocketUpgradesWithoutTheRawToken() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            List<String> received = new CopyOnWriteArrayList<>();
            WebSocketConnectOptions options = new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(RestAssured.port)
                    .setURI("/v1/node/ws?origin_client=sdk&token=" + StandInServices.NODE_TOKEN)
                    .addHeader("X-Relay-Principal", "forged");
            // The handler is set on the event loop as the socket opens, before the owner's first frame can arrive.
            WebSocket socket = vertx.createHttpClient()
                    .webSocket(options)
                    .onSuccess(opened -> opened.textMessageHandler(received::add))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            socket.writeTextMessage("{\"type\":\"node.heartbeat\"}");
            long deadline = System.currentTimeMillis() + 5_000;
            while (received.size() < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            JsonObject hello = new JsonObject(received.get(0));
            assertEquals("delivery-service", hello.getString("owner"));
            assertEquals("/v1/node/ws", hello.getString("path"));
            assertFalse(received.get(0).contains(StandInServices.NODE_TOKEN), "raw token passed the edge");
            assertEquals(null, hello.getString("principal"), "a client-sent principal header must not pass the edge");
            assertEquals("delivery-service:{\"type\":\"node.heartbeat\"}", received.get(1));
            socket.close();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRefusedUpgradeIsAn401EnvelopeBeforeTheUpgrade() {
        given().header("Connection", "Upgrade")
                .header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .when()
                .get("/v1/node/ws?token=nt_live_" + "0".repeat(48))
                .then()
                .statusCode(401)
                .body("error.code", equalTo("agent_token_invalid"));
    }

    @Test
    void anUnreachableOwnerAnswers503NamingIt() {
        StandInServices.DROP_CONNECTIONS.put("workspace-service", true);
        given().header("Authorization", AGENT)
                .when()
                .get("/v1/channels")
                .then()
                .statusCode(503)
                .contentType("application/json")
                .body("ok", equalTo(false))
                .body("error.code", equalTo("handler_unavailable"))
                .body("error.message", containsString("workspace-service"));
    }

    @Test
    void healthReportsEveryServiceAndNamesTheOneThatIsNotReady() {
        given().when()
                .get("/health")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.status", equalTo("ok"))
                .body("data.services.'observer-gateway'.status", equalTo("up"))
                .body("data.services.'auth-service'.status", equalTo("up"))
                .body("data.services.'workspace-service'.status", equalTo("up"))
                .body("data.services.'delivery-service'.status", equalTo("up"));

        StandInServices.READY.put("delivery-service", false);
        given().when()
                .get("/health")
                .then()
                .statusCode(503)
                .body("ok", equalTo(false))
                .body("data.services.'delivery-service'.status", equalTo("down"))
                .body("data.services.'delivery-service'.failing[0]", equalTo("Database connections health check"))
                .body("error.message", containsString("delivery-service"));
    }
}
