package dev.relay.auth.observer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
class ObserverTokenResourceTest {

    private String adminJwt;

    @BeforeEach
    void newWorkspace() {
        String workspaceKey = InternalApi.mint("workspace_key", "ws_" + UUID.randomUUID(), "key");
        adminJwt = InternalApi.principalJwt(workspaceKey, "workspace_key");
    }

    private RequestSpecification admin() {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + adminJwt);
    }

    private Map<String, Object> create(Map<String, Object> body) {
        return admin().body(body).when().post("/v1/observer-tokens").then().statusCode(201).extract().path("data");
    }

    @Test
    void createReturnsTheTokenOnceWithNormalisedFilters() {
        Map<String, Object> created = create(Map.of("name", "dash", "scopes", List.of("stream:read", "messages:read",
                "stream:read"), "filters",
                Map.of("channel_names", List.of("general", "general"), "agent_ids", List.of())));
        org.junit.jupiter.api.Assertions.assertTrue(((String) created.get("token")).matches("ot_live_[0-9a-f]{48}"));
        String id = (String) created.get("id");
        admin().when()
                .get("/v1/observer-tokens/" + id)
                .then()
                .statusCode(200)
                .body("data.id", matchesPattern("ot_[0-9]+"))
                .body("data.name", equalTo("dash"))
                .body("data.status", equalTo("active"))
                .body("data.scopes", equalTo(List.of("stream:read", "messages:read")))
                .body("data.filters.include_dms", equalTo(false))
                .body("data.filters.channel_names", equalTo(List.of("general")))
                .body("data.filters", not(hasKey("agent_ids")))
                .body("data", not(hasKey("token")));
        admin().when()
                .get("/v1/observer-tokens")
                .then()
                .statusCode(200)
                .body("data.id", hasItems(id))
                .body("data[0]", not(hasKey("token")));
    }

    @Test
    void theTokenVerifiesWithItsScopesAndFilters() {
        Map<String, Object> created = create(Map.of("name", "scoped", "scopes", List.of("stream:read"),
                "filters", Map.of("include_dms", true)));
        InternalApi.verify((String) created.get("token"), List.of("observer_token"), List.of("stream:read"))
                .body("data.outcome", equalTo("verified"))
                .body("data.principal.filters.include_dms", equalTo(true));
        InternalApi.verify((String) created.get("token"), List.of("observer_token"), List.of("messages:read"))
                .body("data.reason", equalTo("missing_scope"))
                .body("data.error.code", equalTo("insufficient_scope"));
    }

    @Test
    void validationAnswersPreciseErrors() {
        expect400(Map.of("scopes", List.of("stream:read")), "name is required");
        expect400(Map.of("name", "x", "scopes", List.of()), "scopes must be a non-empty array");
        expect400(Map.of("name", "x", "scopes", List.of("stream:write")), "Unknown scope 'stream:write'");
        expect400(Map.of("name", "x", "scopes", List.of("stream:read"), "filters", Map.of("channel", "x")),
                "Unknown filter 'channel'");
        expect400(Map.of("name", "x", "scopes", List.of("stream:read"), "filters", Map.of("include_dms", "yes")),
                "filters.include_dms must be a boolean");
        expect400(Map.of("name", "x", "scopes", List.of("stream:read"), "filters", Map.of("agent_ids", "a1")),
                "filters.agent_ids must be an array");
        expect400(Map.of("name", "x", "scopes", List.of("stream:read"), "expires_at", "2020-01-01T00:00:00Z"),
                "expires_at must be in the future");
        expect400(Map.of("name", "x", "scopes", List.of("stream:read"), "expires_at", "tomorrow"),
                "expires_at must be an ISO-8601 timestamp");
        admin().body("{\"name\":")
                .when()
                .post("/v1/observer-tokens")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_json"));
        admin().body("[]")
                .when()
                .post("/v1/observer-tokens")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        admin().when().get("/v1/observer-tokens").then().statusCode(200).body("data", equalTo(List.of()));
    }

    @Test
    void namesAreUniquePerWorkspace() {
        create(Map.of("name", "same", "scopes", List.of("stream:read")));
        admin().body(Map.of("name", "same", "scopes", List.of("stream:read")))
                .when()
                .post("/v1/observer-tokens")
                .then()
                .statusCode(409)
                .body("error.code", equalTo("observer_token_name_conflict"))
                .body("error.message", containsString("'same'"));
    }

    @Test
    void patchChangesOnlyWhatItNames() {
        String id = (String) create(Map.of("name", "p", "description", "d", "scopes", List.of("stream:read")))
                .get("id");
        String later = Instant.now().plusSeconds(3600).toString();
        admin().body(Map.of("scopes", List.of("agents:read"), "expires_at", later))
                .when()
                .patch("/v1/observer-tokens/" + id)
                .then()
                .statusCode(200)
                .body("data.name", equalTo("p"))
                .body("data.description", equalTo("d"))
                .body("data.scopes", equalTo(List.of("agents:read")))
                .body("data.expires_at", equalTo(Instant.parse(later)
                        .toString()
                        .replaceAll("(\\.\\d{3})\\d*Z$",
                                "$1Z")));
        admin().body("{\"description\":null}")
                .when()
                .patch("/v1/observer-tokens/" + id)
                .then()
                .statusCode(200)
                .body("data.description", nullValue());
    }

    @Test
    void rotateInvalidatesTheOldTokenAtOnce() {
        Map<String, Object> created = create(Map.of("name", "r", "scopes", List.of("stream:read")));
        String id = (String) created.get("id");
        String rotated = admin().body("{}")
                .when()
                .post("/v1/observer-tokens/" + id + "/rotate")
                .then()
                .statusCode(200)
                .extract()
                .path("data.token");
        InternalApi.verify((String) created.get("token"), List.of("observer_token"), List.of())
                .body("data.reason", equalTo("rotated_out"));
        InternalApi.verify(rotated, List.of("observer_token"), List.of()).body("data.outcome", equalTo("verified"));
    }

    @Test
    void revokeIsTerminal() {
        Map<String, Object> created = create(Map.of("name", "gone", "scopes", List.of("stream:read")));
        String id = (String) created.get("id");
        admin().when().delete("/v1/observer-tokens/" + id).then().statusCode(204);
        admin().when()
                .get("/v1/observer-tokens/" + id)
                .then()
                .statusCode(200)
                .body("data.status", equalTo("revoked"))
                .body("data.revoked_at", not(nullValue()));
        admin().when()
                .delete("/v1/observer-tokens/" + id)
                .then()
                .statusCode(404)
                .body("error.code", equalTo("observer_token_not_found"));
        admin().body(Map.of("name", "again")).when().patch("/v1/observer-tokens/" + id).then().statusCode(404);
        admin().body("{}").when().post("/v1/observer-tokens/" + id + "/rotate").then().statusCode(404);
        InternalApi.verify((String) created.get("token"), List.of("observer_token"), List.of())
                .body("data.reason", equalTo("revoked"));
    }

    @Test
    void anotherWorkspaceSeesNothing() {
        String id = (String) create(Map.of("name", "mine", "scopes", List.of("stream:read"))).get("id");
        String otherKey = InternalApi.mint("workspace_key", "ws_" + UUID.randomUUID(), "key");
        given().header("Authorization", "Bearer " + InternalApi.principalJwt(otherKey, "workspace_key"))
                .when()
                .get("/v1/observer-tokens/" + id)
                .then()
                .statusCode(404)
                .body("error.code", equalTo("observer_token_not_found"));
    }

    @Test
    void onlyAWorkspaceKeyPrincipalGetsIn() {
        given().when().get("/v1/observer-tokens").then().statusCode(401).body("error.code", equalTo("unauthorized"));
        given().header("Authorization", "Bearer not.a.jwt")
                .when()
                .get("/v1/observer-tokens")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        String agentToken = InternalApi.mint("agent_token", "ws_" + UUID.randomUUID(), "a1");
        given().header("Authorization", "Bearer " + InternalApi.principalJwt(agentToken, "agent_token"))
                .when()
                .get("/v1/observer-tokens")
                .then()
                .statusCode(401)
                .body("error.message", containsString("Workspace key required"));
    }

    private void expect400(Map<String, Object> body, String message) {
        admin().body(body)
                .when()
                .post("/v1/observer-tokens")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", containsString(message));
    }
}
