package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;

/**
 * Signs of life delivery-service reports for the agents its node sockets carry (`POST
 * /internal/workspaces/:id/presence`): a report refreshes presence like a heartbeat, brings an offline agent back with
 * exactly one `agent.status.active`, ignores ids of no agent of the workspace, and refuses malformed reports. Runs
 * with the 3-second TTL of {@link PresenceTest}.
 */
@QuarkusTest
@TestProfile(PresenceTest.ShortTtl.class)
@WithTestResource(StandInAuthService.class)
class PresenceReportTest {

    private Ws ws;
    private Member alice;
    private Member bob;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        alice = Fixtures.agent(ws, "alice");
        bob = Fixtures.agent(ws, "bob");
    }

    private static ValidatableResponse report(String workspaceId, Object body) {
        return given().header("Authorization", PrincipalJwts.service("delivery-service"))
                .contentType(JSON)
                .body(body)
                .when()
                .post("/internal/workspaces/" + workspaceId + "/presence")
                .then();
    }

    private static ValidatableResponse report(Ws ws, Member... agents) {
        return report(ws.id(), Map.of("agent_ids", List.of(agents).stream().map(Member::id).toList()));
    }

    @Test
    void aReportKeepsAnAgentAboutToExpireOnline() {
        long heartbeatAt = System.currentTimeMillis();
        given().header("Authorization", alice.bearer()).post("/v1/agents/heartbeat").then().statusCode(200);
        sleepUntil(heartbeatAt + 2_000);

        report(ws, alice).statusCode(200).body("ok", equalTo(true)).body("data.came_online", empty());

        // Past the TTL after the heartbeat, within it after the report.
        sleepUntil(heartbeatAt + 4_200);
        assertEquals("online", presence(ws).get("alice"));
        assertEquals(List.of(), statusEvents(ws, "agent.status.offline"));
        assertEquals(1, statusEvents(ws, "agent.status.active").size());
    }

    @Test
    void anOfflineAgentReportedComesBackActiveWithOneEvent() {
        given().header("Authorization", alice.bearer()).post("/v1/agents/disconnect").then().statusCode(200);
        agent(ws, "alice").body("data.status", equalTo("offline"));

        report(ws, alice, bob).statusCode(200).body("data.came_online", containsInAnyOrder(alice.id(), bob.id()));
        report(ws, alice, bob).statusCode(200).body("data.came_online", empty());
        report(ws, alice).statusCode(200).body("data.came_online", empty());

        Map<String, String> presence = presence(ws);
        assertEquals("online", presence.get("alice"));
        assertEquals("online", presence.get("bob"));
        agent(ws, "alice").body("data.status", equalTo("active"));
        List<Map<String, Object>> active = statusEvents(ws, "agent.status.active");
        assertEquals(2, active.size(), active.toString());
        assertEquals(Set.of(alice.id(), bob.id()), active.stream()
                .map(PresenceReportTest::subject)
                .collect(
                        Collectors.toSet()));
    }

    @Test
    void repeatedIdsInOneReportAreOneSignOfLife() {
        report(ws.id(), Map.of("agent_ids", List.of(alice.id(), alice.id(), alice.id()))).statusCode(200)
                .body("data.came_online", contains(alice.id()))
                .body("data.ignored", empty());

        assertEquals(1, statusEvents(ws, "agent.status.active").size());
    }

    @Test
    void idsOfNoAgentOfTheWorkspaceAreIgnoredAndListed() {
        Ws other = Fixtures.workspace();
        Member stranger = Fixtures.agent(other, "stranger");

        report(ws.id(), Map.of("agent_ids", List.of(alice.id(), stranger.id(), "no-such-agent"))).statusCode(200)
                .body("data.came_online", contains(alice.id()))
                .body("data.ignored", contains(stranger.id(), "no-such-agent"));

        assertEquals("offline", presence(other).get("stranger"));
        assertEquals(List.of(), statusEvents(other, "agent.status.active"));
        report(ws.id(), Map.of("agent_ids", List.of())).statusCode(200)
                .body("data.came_online", empty())
                .body("data.ignored", empty());
    }

    @Test
    void malformedReportsAreRefusedWithPreciseCodes() {
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= InternalPresenceResource.MOST_AGENTS; i++) {
            tooMany.add(alice.id());
        }
        for (Object body : List.of(Map.of(), Map.of("agent_ids", "x"), Map.of("agent_ids", List.of(1)),
                Map.of("agent_ids", List.of(alice.id(), "")), Map.of("agent_ids", List.of(Map.of("id", "a"))),
                Map.of("agent_ids", tooMany), List.of(alice.id()))) {
            report(ws.id(), body).statusCode(400)
                    .body("ok", equalTo(false))
                    .body("error.code",
                            equalTo("invalid_request"));
        }
        report(ws.id(), "{\"agent_ids\": [").statusCode(400).body("error.code", equalTo("invalid_json"));
        assertEquals(List.of(), statusEvents(ws, "agent.status.active"), "a refused report records nothing");
    }

    @Test
    void onlyDeliveryServiceMayReport() {
        given().header("Authorization", PrincipalJwts.service("observer-gateway"))
                .contentType(JSON)
                .body(Map.of("agent_ids", List.of(alice.id())))
                .when()
                .post("/internal/workspaces/" + ws.id() + "/presence")
                .then()
                .statusCode(403);
        given().header("Authorization", alice.bearer())
                .contentType(JSON)
                .body(Map.of("agent_ids", List.of(alice.id())))
                .when()
                .post("/internal/workspaces/" + ws.id() + "/presence")
                .then()
                .statusCode(401);
        given().contentType(JSON)
                .body(Map.of("agent_ids", List.of(alice.id())))
                .when()
                .post("/internal/workspaces/" + ws.id() + "/presence")
                .then()
                .statusCode(401);

        assertEquals("offline", presence(ws).get("alice"));
    }

    private static ValidatableResponse agent(Ws ws, String name) {
        return given().header("Authorization", ws.key()).when().get("/v1/agents/" + name).then().statusCode(200);
    }

    private static Map<String, String> presence(Ws ws) {
        List<Map<String, Object>> rows = given().header("Authorization", ws.key())
                .when()
                .get("/v1/agents/presence")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data");
        Map<String, String> byName = new java.util.HashMap<>();
        rows.forEach(row -> byName.put((String) row.get("agent_name"), (String) row.get("status")));
        return byName;
    }

    private static List<Map<String, Object>> statusEvents(Ws ws, String type) {
        return ConversationFixtures.eventsOfType(ws.key(), type);
    }

    @SuppressWarnings("unchecked")
    private static String subject(Map<String, Object> event) {
        return (String) ((Map<String, Object>) event.get("payload")).get("subject_agent_id");
    }

    private static void sleepUntil(long epochMillis) {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait <= 0) {
            return;
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
