package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import dev.relay.workspace.standin.StandInLedger;
import dev.relay.workspace.standin.StandInLedger.Call;
import dev.relay.workspace.standin.StandInLedger.Credential;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** `DELETE /v1/workspace` and `DELETE /v1/workspaces/:id` (contract §3.1). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class DeleteWorkspaceTest {

    private final StandInLedger auth = StandInAuthService.ledger();

    @Test
    void deletingRevokesEveryCredentialAtAuthServiceThenForgetsTheWorkspace() {
        Ws ws = Fixtures.workspace();
        Member agent = Fixtures.agent(ws, "scout");

        given().header("Authorization", ws.key())
                .when()
                .delete("/v1/workspace")
                .then()
                .statusCode(204)
                .body(emptyString());

        List<Call> revokes = auth.callsWith("revoke-workspace", "workspace_id", ws.id());
        assertThat(revokes, hasSize(1));
        assertThat(revokes.getFirst().body().getString("reason"), equalTo("workspace deleted"));
        List<String> statuses = List.of(auth.credentialsOf(ws.id(), ws.id()), auth.credentialsOf(ws.id(), agent.id()))
                .stream()
                .flatMap(List::stream)
                .map(Credential::status)
                .toList();
        assertThat(statuses, everyItem(equalTo("revoked")));
        given().get("/v1/workspaces/by-name/{name}", ws.name()).then().statusCode(404);
        given().header("Authorization", ws.key())
                .get("/v1/workspace")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("workspace_not_found"));
        given().header("Authorization", ws.key()).get("/v1/agents").then().statusCode(200).body("data", empty());
    }

    @Test
    void deleteByIdDeletesTheCallersOwnWorkspace() {
        Ws ws = Fixtures.workspace();

        given().header("Authorization", ws.key())
                .when()
                .delete("/v1/workspaces/{id}", ws.id())
                .then()
                .statusCode(204)
                .body(emptyString());
        assertThat(auth.callsWith("revoke-workspace", "workspace_id", ws.id()), hasSize(1));
        given().get("/v1/workspaces/by-name/{name}", ws.name()).then().statusCode(404);
    }

    @Test
    void deleteByIdOfAnotherWorkspaceIsNotFoundAndChangesNothing() {
        Ws mine = Fixtures.workspace();
        Ws theirs = Fixtures.workspace();

        given().header("Authorization", mine.key())
                .when()
                .delete("/v1/workspaces/{id}", theirs.id())
                .then()
                .statusCode(404)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("workspace_not_found"));
        assertThat(auth.callsWith("revoke-workspace", "workspace_id", theirs.id()), empty());
        given().get("/v1/workspaces/by-name/{name}", theirs.name())
                .then()
                .statusCode(200)
                .body("data.id", equalTo(theirs.id()));
    }

    @Test
    void onlyTheWorkspaceKeyMayDelete() {
        Ws ws = Fixtures.workspace();
        Member agent = Fixtures.agent(ws, "scout");

        given().header("Authorization", agent.bearer())
                .when()
                .delete("/v1/workspace")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        assertThat(auth.callsWith("revoke-workspace", "workspace_id", ws.id()), empty());
    }
}
