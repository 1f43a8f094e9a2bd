package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.common.token.TokenKind;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.SigningKey;
import dev.relay.workspace.standin.StandInAuthService;
import dev.relay.workspace.standin.StandInLedger;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** `POST /v1/workspaces` with a workspace key: the SDK's `ensureWorkspace` (contract §3.1, §10). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class RepeatCreateWorkspaceTest {

    private final StandInLedger auth = StandInAuthService.ledger();

    @Test
    void theSameNameWithThatWorkspacesKeyAnswersTheExistingWorkspace() {
        Ws ws = Fixtures.workspace();
        int mints = auth.count("mint");

        given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(Map.of("name", ws.name()))
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.workspace_id", equalTo(ws.id()))
                .body("data.created_at", equalTo(ws.createdAt()))
                .body("data", not(hasKey("api_key")));
        assertThat(auth.count("mint"), equalTo(mints));
    }

    @Test
    void anotherNameWithAWorkspaceKeyCreatesANewWorkspace() {
        Ws ws = Fixtures.workspace();
        String otherName = Fixtures.unique("second");

        String id = given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(Map.of("name", otherName))
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(201)
                .body("data.workspace_id", not(equalTo(ws.id())))
                .body("data.api_key", matchesPattern("rk_live_[0-9a-f]{32}"))
                .extract()
                .path("data.workspace_id");
        given().when().get("/v1/workspaces/by-name/" + otherName).then().statusCode(200).body("data.id", equalTo(id));
    }

    @Test
    void aForgedBearerIsRefusedRatherThanTreatedAsAnonymous() {
        String name = Fixtures.unique("forged");
        SigningKey stranger = SigningKey.generate(StandInAuthService.key().keyId());
        String forged = stranger.sign(PrincipalJwts.claims(TokenKind.WORKSPACE_KEY, "1", "1", "x", List.of(),
                Map.of()));

        given().contentType(JSON)
                .header("Authorization", PrincipalJwts.bearer(forged))
                .body(Map.of("name", name))
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(401)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("unauthorized"));
        given().when().get("/v1/workspaces/by-name/" + name).then().statusCode(404);
    }
}
