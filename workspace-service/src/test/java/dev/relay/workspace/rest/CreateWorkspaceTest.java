package dev.relay.workspace.rest;

import static dev.relay.workspace.rest.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import dev.relay.workspace.standin.StandInLedger;
import dev.relay.workspace.standin.StandInLedger.Call;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@WithTestResource(StandInAuthService.class)
class CreateWorkspaceTest {

    private final StandInLedger auth = StandInAuthService.ledger();

    @Test
    void createsAWorkspaceWithAFreshKeyMintedAtAuthService() {
        String name = Fixtures.unique("acme");
        JsonPath created = given().contentType(JSON)
                .body(Map.of("name", name))
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(201)
                .body("ok", equalTo(true))
                .body("data.workspace_id", matchesPattern("\\d+"))
                .body("data.api_key", matchesPattern("rk_live_[0-9a-f]{32}"))
                .body("data.created_at", matchesPattern(ISO_MILLIS))
                .extract()
                .jsonPath();

        String id = created.getString("data.workspace_id");
        List<Call> mints = auth.callsWith("mint", "workspace_id", id);
        assertThat(mints, hasSize(1));
        JsonObject mint = mints.getFirst().body();
        assertThat(mint.getString("kind"), equalTo("workspace_key"));
        assertThat(mint.getString("subject_id"), equalTo(id));
        assertThat(mint.getString("subject_name"), equalTo(name));
        assertThat(auth.credentialsOf(id, id).getFirst().token(), equalTo(created.getString("data.api_key")));
    }

    @Test
    void aNewWorkspaceHasAGeneralChannelEveryAgentJoins() {
        Ws ws = Fixtures.workspace();
        Fixtures.agent(ws, "scout");

        given().header("Authorization", ws.key())
                .when()
                .get("/v1/agents/scout")
                .then()
                .statusCode(200)
                .body("data.channels.size()", equalTo(1))
                .body("data.channels[0].name", equalTo("general"))
                .body("data.channels[0].role", equalTo("member"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"name\":\"\"}", "{\"name\":\"   \"}", "{\"name\":null}"})
    void aNameIsRequired(String body) {
        refused(body, "invalid_request").body("error.message", equalTo("name is required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":42}", "{\"name\":true}", "{\"name\":[\"acme\"]}",
            "{\"name\":\"acme\",\"expires_in_seconds\":\"3600\"}", "{\"name\":\"acme\",\"expires_in_seconds\":3600.5}",
            "{\"name\":\"acme\",\"provenance\":\"cli\"}", "[\"acme\"]"})
    void wrongTypesAreRefused(String body) {
        refused(body, "invalid_request");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 59, 2_592_001})
    void expiryOutsideOneMinuteToThirtyDaysIsRefused(int seconds) {
        refused("{\"name\":\"acme\",\"expires_in_seconds\":" + seconds + "}", "invalid_request")
                .body("error.message", equalTo("expires_in_seconds must be between 60 and 2592000"));
    }

    @Test
    void malformedJsonIsInvalidJson() {
        refused("{\"name\":", "invalid_json").body("error.message", equalTo("Malformed JSON in request body"));
    }

    @Test
    void anExpiryIsSetAtAuthService() {
        Instant before = Instant.now();
        String id = given().contentType(JSON)
                .body(Map.of("name", Fixtures.unique("brief"), "expires_in_seconds", 3600))
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(201)
                .extract()
                .path("data.workspace_id");

        Call put = auth.calls("expiry")
                .stream()
                .filter(call -> call.path().equals("/internal/workspaces/" + id + "/expiry"))
                .findFirst()
                .orElseThrow();
        Instant expiresAt = Instant.parse(put.body().getString("expires_at"));
        assertThat(expiresAt, both(greaterThanOrEqualTo(before.plusSeconds(3600)))
                .and(lessThanOrEqualTo(Instant.now().plusSeconds(3600))));
    }

    @Test
    void theBoundariesOfTheExpiryRangeAreAccepted() {
        for (int seconds : new int[]{60, 2_592_000}) {
            given().contentType(JSON)
                    .body(Map.of("name", Fixtures.unique("edge"), "expires_in_seconds", seconds))
                    .when()
                    .post("/v1/workspaces")
                    .then()
                    .statusCode(201)
                    .body("data.api_key", matchesPattern("rk_live_[0-9a-f]{32}"));
        }
    }

    @Test
    void failedKeyMintLeavesNoWorkspace() {
        String name = Fixtures.unique("unlucky");
        auth.failNextMint();

        given().contentType(JSON)
                .body(Map.of("name", name))
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(503)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("handler_unavailable"))
                .body("error.message", not(containsString("Exception")));
        given().when().get("/v1/workspaces/by-name/" + name).then().statusCode(404);
        assertThat(auth.lastBody("mint").getString("subject_name"), equalTo(name));
    }

    private static ValidatableResponse refused(String body, String code) {
        return given().contentType(JSON)
                .body(body)
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(400)
                .body("ok", equalTo(false))
                .body("error.code", equalTo(code));
    }
}
