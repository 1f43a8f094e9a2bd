package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

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
import io.restassured.response.ValidatableResponse;

/** `GET /v1/agents`, `GET /v1/agents/:name` and `GET /v1/agent` (contract §3.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class AgentQueryTest {

    private Ws ws;
    private Member scout;
    private Member ada;

    @BeforeEach
    void twoAgents() {
        ws = Fixtures.workspace();
        scout = Fixtures.agent(ws, "scout");
        ada = Fixtures.agent(ws, "ada");
    }

    @Test
    void theWorkspaceKeyListsEveryAgentInRegistrationOrder() {
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/agents")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.name", contains("scout", "ada"))
                .body("data[0].id", equalTo(scout.id()))
                .body("data[0].handle", equalTo("@scout"))
                .body("data[0].type", equalTo("agent"))
                .body("data[0].status", equalTo("active"))
                .body("data[0].persona", nullValue())
                .body("data[0].capabilities", anEmptyMap())
                .body("data[0].metadata", anEmptyMap())
                .body("data[0]", hasKey("last_seen"))
                .body("data[0]", not(hasKey("token")));
    }

    @Test
    void agentsAndObserversListToo() {
        for (String bearer : List.of(scout.bearer(), PrincipalJwts.observer(ws.id(), List.of("agents:read"),
                Map.of()))) {
            given().header("Authorization", bearer)
                    .get("/v1/agents")
                    .then()
                    .statusCode(200)
                    .body("data.name", contains("scout", "ada"));
        }
    }

    @Test
    void statusFiltersOnTheStoredValue() {
        given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(Map.of("status", "idle"))
                .patch("/v1/agents/ada")
                .then()
                .statusCode(200);

        list("idle").body("data.name", contains("ada"));
        list("active").body("data.name", contains("scout"));
        list("all").body("data.name", contains("scout", "ada"));
        list("blocked").body("data", empty());
    }

    @Test
    void oneAgentsDetail() {
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/agents/ada")
                .then()
                .statusCode(200)
                .body("data.id", equalTo(ada.id()))
                .body("data.workspace_id", equalTo(ws.id()))
                .body("data.name", equalTo("ada"))
                .body("data.handle", equalTo("@ada"))
                .body("data.channels.name", contains("general"))
                .body("data.actions_provided", empty())
                .body("data.actions_available_to", empty())
                .body("data.pending_deliveries", empty());
    }

    @Test
    void anUnknownAgentIsAgentNotFound() {
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/agents/nobody")
                .then()
                .statusCode(404)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("agent_not_found"))
                .body("error.message", equalTo("Agent 'nobody' not found"));
    }

    @Test
    void anotherWorkspacesAgentsAreInvisible() {
        Ws other = Fixtures.workspace();

        given().header("Authorization", other.key()).get("/v1/agents").then().statusCode(200).body("data", empty());
        given().header("Authorization", other.key()).get("/v1/agents/scout").then().statusCode(404);
    }

    @Test
    void anObserverFilteredByAgentIdsSeesOnlyThoseAgents() {
        String observer = PrincipalJwts.observer(ws.id(), List.of("agents:read"),
                Map.of("agent_ids", List.of(ada.id())));

        given().header("Authorization", observer)
                .get("/v1/agents")
                .then()
                .statusCode(200)
                .body("data.name",
                        contains("ada"));
        given().header("Authorization", observer)
                .get("/v1/agents/ada")
                .then()
                .statusCode(200)
                .body("data.id",
                        equalTo(ada.id()));
        given().header("Authorization", observer)
                .get("/v1/agents/scout")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("agent_not_found"));
    }

    @Test
    void anAgentReadsItsOwnDetail() {
        given().header("Authorization", scout.bearer())
                .when()
                .get("/v1/agent")
                .then()
                .statusCode(200)
                .body("data.id", equalTo(scout.id()))
                .body("data.name", equalTo("scout"))
                .body("data.workspace_id", equalTo(ws.id()))
                .body("data.channels.name", contains("general"));
    }

    @Test
    void meTakesOnlyAnAgentToken() {
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/agent")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", equalTo("This route takes agent token (at_live_...)"));
    }

    private ValidatableResponse list(String status) {
        return given().header("Authorization", ws.key())
                .queryParam("status", status)
                .get("/v1/agents")
                .then()
                .statusCode(200);
    }
}
