package dev.relay.workspace.rest;

import static dev.relay.workspace.rest.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import dev.relay.workspace.standin.StandInLedger;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonObject;

/** `POST /v1/agents` (contract §3.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class RegisterAgentTest {

    private final StandInLedger auth = StandInAuthService.ledger();
    private Ws ws;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
    }

    @Test
    void registersAnAgentWithATokenMintedAtAuthService() {
        String id = register(Map.of("name", "scout", "capabilities", Map.of("tools", List.of("grep"))))
                .statusCode(201)
                .body("ok", equalTo(true))
                .body("data.id", matchesPattern("\\d+"))
                .body("data.workspace_id", equalTo(ws.id()))
                .body("data.name", equalTo("scout"))
                .body("data.handle", equalTo("@scout"))
                .body("data.token", matchesPattern("at_live_[0-9a-f]{32}"))
                .body("data.status", equalTo("active"))
                .body("data.capabilities.tools", equalTo(List.of("grep")))
                .body("data.created_at", matchesPattern(ISO_MILLIS))
                .extract()
                .path("data.id");

        JsonObject mint = auth.callsWith("mint", "subject_id", id).getFirst().body();
        assertThat(mint.getString("kind"), equalTo("agent_token"));
        assertThat(mint.getString("workspace_id"), equalTo(ws.id()));
        assertThat(mint.getString("subject_name"), equalTo("scout"));
        assertThat(auth.credentialsOf(ws.id(), id), hasSize(1));
    }

    @Test
    void theNewAgentJoinsGeneralAsAMember() {
        register(Map.of("name", "scout")).statusCode(201);

        given().header("Authorization", ws.key())
                .when()
                .get("/v1/agents/scout")
                .then()
                .statusCode(200)
                .body("data.channels.name", equalTo(List.of("general")))
                .body("data.channels[0].role", equalTo("member"))
                .body("data.channels[0].joined_at", matchesPattern(ISO_MILLIS));
    }

    @Test
    void typePersonaMetadataAndSkillsAreStored() {
        Map<String, Object> skill = Map.of("name", "triage", "tags", List.of("bugs"));
        register(Map.of("name", "ada", "type", "human", "persona", "Careful reviewer", "metadata", Map.of("team",
                "core"), "skills", List.of(skill))).statusCode(201);

        given().header("Authorization", ws.key())
                .when()
                .get("/v1/agents/ada")
                .then()
                .statusCode(200)
                .body("data.type", equalTo("human"))
                .body("data.persona", equalTo("Careful reviewer"))
                .body("data.metadata.team", equalTo("core"))
                .body("data.metadata.skills", equalTo(List.of(skill)));
    }

    @Test
    void aTakenNameIsAConflictThatSaysHowToReclaimIt() {
        register(Map.of("name", "scout")).statusCode(201);
        int mints = auth.count("mint");

        register(Map.of("name", "scout")).statusCode(409)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("agent_already_exists"))
                .body("error.message", allOf(containsString("'scout'"),
                        containsString("POST /v1/agents/scout/rotate-token")));
        assertThat(auth.count("mint"), equalTo(mints));
    }

    @Test
    void theSameNameInAnotherWorkspaceIsFree() {
        register(Map.of("name", "scout")).statusCode(201);
        Ws other = Fixtures.workspace();

        given().contentType(JSON)
                .header("Authorization", other.key())
                .body(Map.of("name", "scout"))
                .when()
                .post("/v1/agents")
                .then()
                .statusCode(201)
                .body("data.workspace_id", equalTo(other.id()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"name\":\"\"}", "{\"name\":\"  \"}", "{\"name\":42}", "{\"name\":\"two words\"}",
            "{\"name\":\"-dash\"}", "{\"name\":\"a/b\"}", "{\"name\":\"ünï\"}",
            "{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"})
    void invalidNamesAreRefused(String body) {
        register(body).statusCode(400).body("ok", equalTo(false)).body("error.code", equalTo("invalid_request"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"x\",\"type\":\"robot\"}", "{\"name\":\"x\",\"type\":1}",
            "{\"name\":\"x\",\"metadata\":\"team\"}", "{\"name\":\"x\",\"metadata\":[1]}",
            "{\"name\":\"x\",\"skills\":\"triage\"}", "{\"name\":\"x\",\"persona\":5}",
            "{\"name\":\"x\",\"capabilities\":[]}"})
    void badFieldsAreRefused(String body) {
        register(body).statusCode(400).body("error.code", equalTo("invalid_request"));
        given().header("Authorization", ws.key()).get("/v1/agents/x").then().statusCode(404);
    }

    @Test
    void malformedJsonIsInvalidJson() {
        register("{\"name\":\"x\"").statusCode(400)
                .body("error.code", equalTo("invalid_json"))
                .body("error.message", equalTo("Malformed JSON in request body"));
    }

    @Test
    void aNameOfSixtyFourCharactersIsAccepted() {
        String name = "a".repeat(64);
        register(Map.of("name", name)).statusCode(201).body("data.handle", equalTo("@" + name));
    }

    private ValidatableResponse register(Object body) {
        return given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(body)
                .when()
                .post("/v1/agents")
                .then();
    }
}
