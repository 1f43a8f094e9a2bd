package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import dev.relay.workspace.standin.StandInLedger;
import dev.relay.workspace.standin.StandInLedger.Credential;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** `POST /v1/agents/:name/rotate-token`: the workspace key (SDK 6.x) or the agent itself (contract §3.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class RotateTokenTest {

    private final StandInLedger auth = StandInAuthService.ledger();
    private Ws ws;
    private Member scout;

    @BeforeEach
    void anAgent() {
        ws = Fixtures.workspace();
        scout = Fixtures.agent(ws, "scout");
    }

    @Test
    void theWorkspaceKeyRotatesTheAgentsCredentialAtAuthService() {
        Credential before = onlyCredential();

        String token = rotate("scout", ws.key()).statusCode(200)
                .body("ok", equalTo(true))
                .body("data.name", equalTo("scout"))
                .body("data.token", matchesPattern("at_live_[0-9a-f]{32}"))
                .body("data.token", not(equalTo(scout.token())))
                .body("data.size()", equalTo(2))
                .extract()
                .path("data.token");

        assertThat(auth.calls("rotate").getLast().path(),
                equalTo("/internal/credentials/" + before.id() + "/rotate"));
        assertThat(onlyCredential().token(), equalTo(token));
    }

    @Test
    void theAgentItselfMayRotateItsToken() {
        String token = rotate("scout", scout.bearer()).statusCode(200)
                .body("data.name", equalTo("scout"))
                .extract()
                .path("data.token");

        assertThat(onlyCredential().token(), equalTo(token));
    }

    @Test
    void anotherAgentMayNot() {
        Member ada = Fixtures.agent(ws, "ada");
        int rotations = auth.count("rotate");

        rotate("scout", ada.bearer()).statusCode(403)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("agent_recovery_not_authorized"));
        assertThat(auth.calls("rotate"), hasSize(rotations));
        assertThat(onlyCredential().token(), equalTo(scout.token()));
    }

    @Test
    void aDeletedAgentsPrincipalCannotRotateTheTokenOfANewAgentOfTheSameName() {
        String formerScout = scout.bearer();
        given().header("Authorization", ws.key()).delete("/v1/agents/scout").then().statusCode(204);
        Member newScout = Fixtures.agent(ws, "scout");

        rotate("scout", formerScout).statusCode(403).body("error.code", equalTo("agent_recovery_not_authorized"));
        assertThat(auth.credentialsOf(ws.id(), newScout.id()).getFirst().token(), equalTo(newScout.token()));
    }

    @Test
    void rotatingAnUnknownAgentIsAgentNotFound() {
        rotate("nobody", ws.key()).statusCode(404).body("error.code", equalTo("agent_not_found"));
    }

    @Test
    void observersAndNodesCannotRotate() {
        rotate("scout", PrincipalJwts.observer(ws.id(), List.of("agents:read"), Map.of())).statusCode(401)
                .body("error.code", equalTo("observer_token_forbidden"));
        rotate("scout", PrincipalJwts.node(ws.id())).statusCode(401)
                .body("error.code", equalTo(
                        "node_token_forbidden"));
        assertThat(onlyCredential().token(), equalTo(scout.token()));
    }

    private Credential onlyCredential() {
        List<Credential> credentials = auth.credentialsOf(ws.id(), scout.id());
        assertThat(credentials, hasSize(1));
        return credentials.getFirst();
    }

    private static ValidatableResponse rotate(String name, String bearer) {
        return given().contentType(JSON)
                .header("Authorization", bearer)
                .body("{}")
                .when()
                .post("/v1/agents/{name}/rotate-token", name)
                .then();
    }
}
