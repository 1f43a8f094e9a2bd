package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import dev.relay.workspace.standin.StandInLedger;
import dev.relay.workspace.standin.StandInLedger.Credential;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Registration when auth-service fails or two registrations race: no agent without a token, no token unowned. */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class AgentCompensationTest {

    private final StandInLedger auth = StandInAuthService.ledger();
    private Ws ws;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
    }

    @AfterEach
    void mintsAnswerPromptlyAgain() {
        auth.delayMints(Duration.ZERO);
    }

    @Test
    void aFailedMintAnswersAnErrorAndLeavesNoAgent() {
        auth.failNextMint();

        register().then()
                .statusCode(503)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("handler_unavailable"))
                .body("error.message", not(containsString("Exception")));

        given().header("Authorization", ws.key()).get("/v1/agents").then().statusCode(200).body("data", empty());
        given().header("Authorization", ws.key()).get("/v1/agents/scout").then().statusCode(404);
        register().then().statusCode(201);
    }

    @Test
    void twoRacingRegistrationsOfOneNameGiveOneAgentAndOneConflict() throws InterruptedException {
        auth.delayMints(Duration.ofSeconds(1));

        List<Response> responses;
        try (ExecutorService clients = Executors.newFixedThreadPool(2)) {
            responses = clients.invokeAll(List.<Callable<Response>>of(this::register, this::register))
                    .stream()
                    .map(AgentCompensationTest::join)
                    .toList();
        }
        List<Integer> statuses = responses.stream().map(Response::statusCode).toList();

        assertThat(statuses, containsInAnyOrder(201, 409));
        Response conflict = responses.stream().filter(r -> r.statusCode() == 409).findFirst().orElseThrow();
        assertThat(conflict.path("error.code"), equalTo("agent_already_exists"));
        String id = given().header("Authorization", ws.key()).get("/v1/agents/scout").path("data.id");
        List<Credential> credentials = auth.credentialsOf(ws.id(), id);
        assertThat(credentials, hasSize(1));
        assertThat(credentials.getFirst().status(), equalTo("active"));
        given().header("Authorization", ws.key()).get("/v1/agents").then().body("data", hasSize(1));
        List<String> loserStatuses = auth.callsWith("mint", "workspace_id", ws.id())
                .stream()
                .map(call -> call.body().getString("subject_id"))
                .filter(subject -> !subject.equals(id) && !subject.equals(ws.id()))
                .flatMap(subject -> auth.credentialsOf(ws.id(), subject).stream())
                .map(Credential::status)
                .toList();
        assertThat(loserStatuses, equalTo(List.of("revoked")));
    }

    private static Response join(Future<Response> response) {
        try {
            return response.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private Response register() {
        return given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(Map.of("name", "scout"))
                .when()
                .post("/v1/agents");
    }
}
