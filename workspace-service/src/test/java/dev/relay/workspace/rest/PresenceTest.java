package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Presence (contract §9): heartbeats and any agent call make an agent online, disconnect and a TTL without a sign of
 * life make it offline, every transition is one durable `agent.status.*` event, and `GET /v1/agents/presence` says
 * who is online. Runs with a 3-second TTL so expiry can be watched.
 */
@QuarkusTest
@TestProfile(PresenceTest.ShortTtl.class)
@WithTestResource(StandInAuthService.class)
class PresenceTest {

    /** A TTL short enough to watch expire, swept every second. */
    public static class ShortTtl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.presence.ttl", "3s", "relay.presence.sweep-every", "1s");
        }
    }

    private Ws ws;
    private Member alice;
    private Member bob;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        alice = Fixtures.agent(ws, "alice");
        bob = Fixtures.agent(ws, "bob");
    }

    @Test
    void aHeartbeatMakesTheAgentOnlineAndAnswersOkWithoutData() {
        heartbeat(alice).statusCode(200).body("ok", equalTo(true)).body("$", not(hasKey("data")));

        Map<String, String> presence = presence(ws.key());
        assertEquals("online", presence.get("alice"));
        assertEquals("offline", presence.get("bob"));
    }

    @Test
    void goingOnlineIsOneEventHoweverManyHeartbeats() {
        heartbeat(alice).statusCode(200);
        heartbeat(alice).statusCode(200);
        heartbeat(alice).statusCode(200);

        List<Map<String, Object>> active = statusEvents("agent.status.active");
        assertEquals(1, active.size(), "events: " + active);
        Map<String, Object> payload = payload(active.get(0));
        assertEquals(Map.of("name", "alice", "id", alice.id()), payload.get("agent"));
        assertEquals("alice", payload.get("agent_name"));
        assertEquals("active", payload.get("status"));
        assertEquals(alice.id(), payload.get("subject_agent_id"));
        assertTrue(((String) payload.get("timestamp")).matches(Fixtures.ISO_MILLIS), payload.toString());
    }

    @Test
    void anyCallWithTheAgentTokenIsASignOfLife() {
        given().header("Authorization", alice.bearer()).when().get("/v1/agent").then().statusCode(200);

        awaitPresence("alice", "online", Duration.ofSeconds(2));
    }

    @Test
    void disconnectIsOfflineAtOnceAndStoresTheStatus() {
        heartbeat(alice).statusCode(200);

        given().header("Authorization", alice.bearer())
                .when()
                .post("/v1/agents/disconnect")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("$", not(hasKey("data")));

        assertEquals("offline", presence(ws.key()).get("alice"));
        assertEquals(1, statusEvents("agent.status.offline").size());
        agent("alice").body("data.status", equalTo("offline"));
    }

    @Test
    void aSignOfLifeAfterDisconnectBringsTheAgentBackActive() {
        heartbeat(alice).statusCode(200);
        given().header("Authorization", alice.bearer()).post("/v1/agents/disconnect").then().statusCode(200);

        heartbeat(alice).statusCode(200);

        assertEquals("online", presence(ws.key()).get("alice"));
        agent("alice").body("data.status", equalTo("active"));
        assertEquals(2, statusEvents("agent.status.active").size());
    }

    @Test
    void withoutASignOfLifeForTheTtlTheAgentGoesOfflineOnce() {
        heartbeat(alice).statusCode(200);

        awaitPresence("alice", "offline", Duration.ofSeconds(8));

        awaitEvents("agent.status.offline", 1, Duration.ofSeconds(3));
        // An expiry is not a goodbye: the stored status, which a live node may be keeping up, stays.
        agent("alice").body("data.status", equalTo("active"));
    }

    @Test
    void agentsMayReadPresenceToo() {
        heartbeat(bob).statusCode(200);

        Map<String, String> presence = presence(alice.bearer());
        assertEquals("online", presence.get("bob"));
    }

    @Test
    void wrongTokenKindsAreRefusedWithTheContractCodes() {
        given().header("Authorization", ws.key())
                .when()
                .post("/v1/agents/heartbeat")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        given().when().post("/v1/agents/disconnect").then().statusCode(401).body("error.code", equalTo("unauthorized"));
        given().header("Authorization", PrincipalJwts.observer(ws.id(), List.of("agents:read"), Map.of()))
                .when()
                .get("/v1/agents/presence")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("observer_token_forbidden"));
    }

    @Test
    void disconnectValidatesItsBody() {
        given().header("Authorization", alice.bearer())
                .contentType(JSON)
                .body(Map.of("deregister", "yes"))
                .when()
                .post("/v1/agents/disconnect")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        given().header("Authorization", alice.bearer())
                .contentType(JSON)
                .body("{\"deregister\":")
                .when()
                .post("/v1/agents/disconnect")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_json"));
    }

    private io.restassured.response.ValidatableResponse heartbeat(Member agent) {
        return given().header("Authorization", agent.bearer())
                .contentType(JSON)
                .body("{}")
                .when()
                .post("/v1/agents/heartbeat")
                .then();
    }

    private io.restassured.response.ValidatableResponse agent(String name) {
        return given().header("Authorization", ws.key()).when().get("/v1/agents/" + name).then().statusCode(200);
    }

    private static Map<String, String> presence(String bearer) {
        JsonPath body = given().header("Authorization", bearer)
                .when()
                .get("/v1/agents/presence")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .extract()
                .jsonPath();
        List<Map<String, Object>> rows = body.getList("data");
        Map<String, String> byName = new java.util.HashMap<>();
        for (Map<String, Object> row : rows) {
            assertTrue(row.keySet().containsAll(List.of("agent_id", "agent_name", "status")), row.toString());
            byName.put((String) row.get("agent_name"), (String) row.get("status"));
        }
        return byName;
    }

    private void awaitPresence(String name, String status, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (!status.equals(presence(ws.key()).get(name))) {
            assertTrue(Instant.now().isBefore(deadline), name + " did not become " + status + " within " + within);
            sleep();
        }
    }

    private void awaitEvents(String type, int count, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (statusEvents(type).size() != count) {
            assertTrue(Instant.now().isBefore(deadline), "no " + count + " " + type + " events within " + within
                    + ": " + statusEvents(type));
            sleep();
        }
    }

    private List<Map<String, Object>> statusEvents(String type) {
        return ConversationFixtures.eventsOfType(ws.key(), type);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(Map<String, Object> event) {
        return (Map<String, Object>) event.get("payload");
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
