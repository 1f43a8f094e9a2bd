package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.service.WorkspaceService;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** `GET/PUT /v1/workspace/system-prompt` (contract §3.1). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class SystemPromptTest {

    private static final String DEFAULT = WorkspaceService.DEFAULT_SYSTEM_PROMPT;

    private Ws ws;
    private Member agent;

    @BeforeEach
    void workspaceWithAnAgent() {
        ws = Fixtures.workspace();
        agent = Fixtures.agent(ws, "scout");
    }

    @Test
    void aNewWorkspaceHasTheDefaultPromptForKeyAndAgents() {
        read(ws.key()).body("data.prompt", equalTo(DEFAULT)).body("data.is_default", equalTo(true));
        read(agent.bearer()).body("data.prompt", equalTo(DEFAULT)).body("data.is_default", equalTo(true));
    }

    @Test
    void putSetsThePromptAgentsThenRead() {
        put("{\"prompt\":\"Answer in haiku.\"}").statusCode(200)
                .body("data.prompt", equalTo("Answer in haiku."))
                .body("data.is_default", equalTo(false));

        read(agent.bearer()).body("data.prompt", equalTo("Answer in haiku.")).body("data.is_default", equalTo(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"prompt\":null}", "{\"reset\":true}", "{\"reset\":true,\"prompt\":\"ignored\"}"})
    void nullOrResetRestoresTheDefault(String body) {
        put("{\"prompt\":\"Answer in haiku.\"}").statusCode(200);

        put(body).statusCode(200).body("data.prompt", equalTo(DEFAULT)).body("data.is_default", equalTo(true));
        read(ws.key()).body("data.is_default", equalTo(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"prompt\":\"\"}", "{\"prompt\":\"   \"}", "{}", "{\"prompt\":42}",
            "{\"reset\":false}"})
    void anythingButANonEmptyPromptIsRefused(String body) {
        put("{\"prompt\":\"Keep me.\"}").statusCode(200);

        put(body).statusCode(400).body("ok", equalTo(false)).body("error.code", equalTo("invalid_request"));
        read(ws.key()).body("data.prompt", equalTo("Keep me."));
    }

    @Test
    void onlyTheWorkspaceKeyMayChangeThePrompt() {
        given().contentType(JSON)
                .header("Authorization", agent.bearer())
                .body("{\"prompt\":\"Obey me.\"}")
                .when()
                .put("/v1/workspace/system-prompt")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        read(ws.key()).body("data.prompt", not(equalTo("Obey me.")));
    }

    private static ValidatableResponse read(String bearer) {
        return given().header("Authorization", bearer).when().get("/v1/workspace/system-prompt").then().statusCode(200);
    }

    private ValidatableResponse put(String body) {
        return given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(body)
                .when()
                .put("/v1/workspace/system-prompt")
                .then();
    }
}
