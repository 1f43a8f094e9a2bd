package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import dev.relay.workspace.standin.StandInLedger;
import dev.relay.workspace.standin.StandInLedger.Call;
import dev.relay.workspace.standin.StandInLedger.Credential;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** `PATCH` and `DELETE /v1/agents/:name` (contract §3.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class AgentChangeTest {

    private final StandInLedger auth = StandInAuthService.ledger();
    private Ws ws;
    private Member scout;

    @BeforeEach
    void anAgentWithMetadata() {
        ws = Fixtures.workspace();
        scout = Fixtures.agent(ws, Map.of("name", "scout", "metadata", Map.of("team", "core", "tier", 1),
                "capabilities", Map.of("tools", List.of("grep"))));
    }

    @Test
    void theLegacyStatusOnlineIsStoredAsActive() {
        patch("{\"status\":\"idle\"}").statusCode(200).body("data.status", equalTo("idle"));
        patch("{\"status\":\"online\"}").statusCode(200).body("data.status", equalTo("active"));
        detail().body("data.status", equalTo("active"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"status\":\"away\"}", "{\"status\":\"ONLINE\"}", "{\"status\":3}",
            "{\"status\":null}", "{\"persona\":5}", "{\"metadata\":\"x\"}", "{\"metadata\":null}",
            "{\"capabilities\":[1]}"})
    void badValuesAreRefusedAndChangeNothing(String body) {
        patch(body).statusCode(400).body("ok", equalTo(false)).body("error.code", equalTo("invalid_request"));
        detail().body("data.status", equalTo("active")).body("data.metadata.team", equalTo("core"));
    }

    @Test
    void aStatusChangeIsAnAgentStatusEventAndARepeatIsNot() {
        patch("{\"status\":\"blocked\"}").statusCode(200);
        patch("{\"status\":\"blocked\"}").statusCode(200);
        patch("{\"persona\":\"Terse\"}").statusCode(200);

        ConversationFixtures.awaitSequenced();
        List<Map<String, Object>> events = given().header("Authorization", ws.key())
                .get("/v1/workspace/events?since=0")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data.events");
        List<Map<String, Object>> status = events.stream()
                .filter(e -> ((String) e.get("type")).startsWith("agent.status."))
                .toList();
        assertThat(status, hasSize(1));
        assertThat(status.get(0).get("type"), equalTo("agent.status.blocked"));
        assertThat(status.get(0).get("payload"), equalTo(Map.of("agent", Map.of("name", "scout", "id", scout.id()),
                "status", "blocked", "created_at", ((Map<?, ?>) status.get(0).get("payload")).get("created_at"))));
    }

    @Test
    void personaIsSetAndCleared() {
        patch("{\"persona\":\"Terse\"}").statusCode(200).body("data.persona", equalTo("Terse"));
        patch("{\"persona\":null}").statusCode(200).body("data.persona", nullValue());
    }

    @Test
    void metadataIsMergedIntoWhatIsStored() {
        patch("{\"metadata\":{\"tier\":2,\"region\":\"eu\"}}").statusCode(200)
                .body("data.metadata", equalTo(Map.of("team", "core", "tier", 2, "region", "eu")));
        detail().body("data.metadata", equalTo(Map.of("team", "core", "tier", 2, "region", "eu")));
    }

    @Test
    void capabilitiesAreReplacedAndNullClearsThem() {
        patch("{\"capabilities\":{\"model\":\"large\"}}").statusCode(200)
                .body("data.capabilities", equalTo(Map.of("model", "large")));
        patch("{\"capabilities\":null}").statusCode(200).body("data.capabilities", anEmptyMap());
    }

    @Test
    void patchingAnUnknownAgentIsAgentNotFound() {
        given().contentType(JSON)
                .header("Authorization", ws.key())
                .body("{\"status\":\"idle\"}")
                .patch("/v1/agents/nobody")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("agent_not_found"));
    }

    @Test
    void deletingRevokesTheAgentsTokenThenForgetsIt() {
        given().header("Authorization", ws.key())
                .when()
                .delete("/v1/agents/scout")
                .then()
                .statusCode(204)
                .body(emptyString());

        List<Call> revokes = auth.callsWith("revoke-subject", "subject_id", scout.id());
        assertThat(revokes, hasSize(1));
        assertThat(revokes.getFirst().body().getString("workspace_id"), equalTo(ws.id()));
        assertThat(revokes.getFirst().body().getString("reason"), equalTo("agent deleted"));
        assertThat(auth.credentialsOf(ws.id(), scout.id()).stream().map(Credential::status).toList(),
                equalTo(List.of("revoked")));
        given().header("Authorization", ws.key()).get("/v1/agents/scout").then().statusCode(404);
        given().header("Authorization", ws.key())
                .delete("/v1/agents/scout")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("agent_not_found"));
        given().header("Authorization", scout.bearer())
                .get("/v1/agent")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("agent_not_found"));
    }

    @Test
    void aDeletedAgentsNameCanBeRegisteredAgain() {
        given().header("Authorization", ws.key()).delete("/v1/agents/scout").then().statusCode(204);

        Member again = Fixtures.agent(ws, "scout");
        detail().body("data.id", equalTo(again.id())).body("data.metadata", anEmptyMap());
    }

    private ValidatableResponse patch(String body) {
        return given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(body)
                .when()
                .patch("/v1/agents/scout")
                .then();
    }

    private ValidatableResponse detail() {
        return given().header("Authorization", ws.key()).get("/v1/agents/scout").then().statusCode(200);
    }
}
