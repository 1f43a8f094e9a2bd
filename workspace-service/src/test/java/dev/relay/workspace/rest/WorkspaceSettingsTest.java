package dev.relay.workspace.rest;

import static dev.relay.workspace.rest.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** `GET/PATCH /v1/workspace` (contract §3.1). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class WorkspaceSettingsTest {

    @Test
    void theWorkspaceKeyReadsItsWorkspace() {
        Ws ws = Fixtures.workspace();

        given().header("Authorization", ws.key())
                .when()
                .get("/v1/workspace")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.id", equalTo(ws.id()))
                .body("data.name", equalTo(ws.name()))
                .body("data.system_prompt", nullValue())
                .body("data.plan", equalTo("free"))
                .body("data.created_at", matchesPattern(ISO_MILLIS))
                .body("data.metadata", anEmptyMap());
    }

    @Test
    void anObserverWithAnyScopeReadsTheWorkspace() {
        Ws ws = Fixtures.workspace();

        given().header("Authorization", PrincipalJwts.observer(ws.id(), List.of("files:read"), Map.of()))
                .when()
                .get("/v1/workspace")
                .then()
                .statusCode(200)
                .body("data.id", equalTo(ws.id()));
    }

    @Test
    void anAgentTokenCannotReadTheWorkspace() {
        Ws ws = Fixtures.workspace();

        given().header("Authorization", PrincipalJwts.agent(ws.id(), "1", "scout"))
                .when()
                .get("/v1/workspace")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
    }

    @Test
    void patchRenamesAndSetsTheSystemPrompt() {
        Ws ws = Fixtures.workspace();
        String renamed = Fixtures.unique("renamed");

        patch(ws, Map.of("name", renamed, "system_prompt", "Be brief."))
                .statusCode(200)
                .body("data.id", equalTo(ws.id()))
                .body("data.name", equalTo(renamed))
                .body("data.system_prompt", equalTo("Be brief."));
        given().get("/v1/workspaces/by-name/{name}", renamed).then().statusCode(200).body("data.id", equalTo(ws.id()));

        patch(ws, "{\"system_prompt\":null}").statusCode(200)
                .body("data.name", equalTo(renamed))
                .body("data.system_prompt", nullValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"\"}", "{\"name\":\"  \"}", "{\"name\":7}", "{\"name\":null}",
            "{\"system_prompt\":5}", "{\"system_prompt\":{}}"})
    void patchRefusesBadFields(String body) {
        Ws ws = Fixtures.workspace();

        patch(ws, body).statusCode(400).body("ok", equalTo(false)).body("error.code", equalTo("invalid_request"));
        given().header("Authorization", ws.key()).get("/v1/workspace").then().body("data.name", equalTo(ws.name()));
    }

    @Test
    void patchTakesOnlyTheWorkspaceKey() {
        Ws ws = Fixtures.workspace();

        given().contentType(JSON)
                .header("Authorization", PrincipalJwts.observer(ws.id(), List.of("agents:read"), Map.of()))
                .body(Map.of("name", "taken-over"))
                .when()
                .patch("/v1/workspace")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("observer_token_forbidden"));
    }

    private static ValidatableResponse patch(Ws ws, Object body) {
        return given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(body)
                .when()
                .patch("/v1/workspace")
                .then();
    }
}
