package dev.relay.workspace.rest;

import static dev.relay.workspace.rest.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** `GET /v1/workspaces/by-name/:name`: public, answers the newest workspace of that name (contract §3.1). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class WorkspaceLookupTest {

    @Test
    void findsAWorkspaceByNameWithoutAnyToken() {
        Ws ws = Fixtures.workspace(Fixtures.unique("team alpha"));

        given().when()
                .get("/v1/workspaces/by-name/{name}", ws.name())
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.id", equalTo(ws.id()))
                .body("data.name", equalTo(ws.name()))
                .body("data.created_at", matchesPattern(ISO_MILLIS))
                .body("data.created_at", equalTo(ws.createdAt()))
                .body("data.size()", equalTo(3));
    }

    @Test
    void namesAreNotUniqueAndTheNewestWins() {
        String name = Fixtures.unique("shared");
        Fixtures.workspace(name);
        Ws newest = Fixtures.workspace(name);

        given().when()
                .get("/v1/workspaces/by-name/{name}", name)
                .then()
                .statusCode(200)
                .body("data.id", equalTo(newest.id()));
    }

    @Test
    void anUnknownNameIsWorkspaceNotFound() {
        String name = Fixtures.unique("nobody");

        given().when()
                .get("/v1/workspaces/by-name/{name}", name)
                .then()
                .statusCode(404)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("workspace_not_found"))
                .body("error.message", containsString(name));
    }
}
