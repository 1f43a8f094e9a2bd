package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.auth.PrincipalClaims;
import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.smallrye.jwt.build.Jwt;

/**
 * Reads implied by acknowledged deliveries (contract §6.5), reported by delivery-service: each is recorded once, the
 * channel read marker moves forward only, no `message.read` event is written, and foreign or unknown messages are
 * skipped.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class AckedReadsTest {

    private Ws ws;
    private Member ada;
    private Member bob;

    @BeforeEach
    void twoAgents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    private static String service(String name) {
        return "Bearer " + StandInAuthService.key()
                .sign(Jwt.issuer(PrincipalClaims.ISSUER)
                        .audience(PrincipalClaims.SERVICE_AUDIENCE)
                        .subject(name)
                        .expiresAt(Instant.now().plusSeconds(300))
                        .groups(PrincipalClaims.serviceRole(name)));
    }

    private ValidatableResponse report(String workspaceId, Object body) {
        return given().header("Authorization", service("delivery-service"))
                .contentType(JSON)
                .body(body)
                .when()
                .post("/internal/workspaces/" + workspaceId + "/reads")
                .then();
    }

    private List<String> readers(String messageId) {
        return given().header("Authorization", ada.bearer())
                .get("/v1/messages/" + messageId + "/readers")
                .then()
                .statusCode(200)
                .extract()
                .path("data.agent_name");
    }

    private String marker(Member member) {
        List<Map<String, Object>> status = given().header("Authorization", ws.key())
                .get("/v1/channels/general/read-status")
                .then()
                .statusCode(200)
                .extract()
                .path("data");
        return (String) status.stream()
                .filter(s -> member.name().equals(s.get("agent_name")))
                .findFirst()
                .orElseThrow()
                .get("last_read_id");
    }

    @Test
    void ackedMessagesAreReadOnceAndTheMarkerOnlyMovesForward() {
        String first = ConversationFixtures.post(ada, "general", "one");
        String second = ConversationFixtures.post(ada, "general", "two");
        String third = ConversationFixtures.post(ada, "general", "three");
        long before = ConversationFixtures.latestSeq(ws);

        report(ws.id(), Map.of("reads", List.of(Map.of("agent_id", bob.id(), "message_ids", List.of(second, first,
                "999999999999999999"))))).statusCode(204);
        report(ws.id(), Map.of("reads", List.of(Map.of("agent_id", bob.id(), "message_ids", List.of(first)))))
                .statusCode(204);

        org.hamcrest.MatcherAssert.assertThat(readers(first), contains("bob"));
        org.hamcrest.MatcherAssert.assertThat(readers(second), contains("bob"));
        org.hamcrest.MatcherAssert.assertThat(readers(third), empty());
        org.hamcrest.MatcherAssert.assertThat(marker(bob), equalTo(second));
        org.hamcrest.MatcherAssert.assertThat(
                ConversationFixtures.events(ws.key(), before).getList("data.type"), not(hasItem("message.read")));

        report(ws.id(), Map.of("reads", List.of(Map.of("agent_id", bob.id(), "message_ids", List.of(third)))))
                .statusCode(204);
        org.hamcrest.MatcherAssert.assertThat(marker(bob), equalTo(third));
    }

    @Test
    void anotherWorkspacesMessagesAreSkipped() {
        String message = ConversationFixtures.post(ada, "general", "mine");
        Ws other = Fixtures.workspace();
        report(other.id(), Map.of("reads", List.of(Map.of("agent_id", bob.id(), "message_ids", List.of(message)))))
                .statusCode(204);
        org.hamcrest.MatcherAssert.assertThat(readers(message), empty());
    }

    @Test
    void malformedReportsAreRefusedAndOnlyDeliveryServiceMayReport() {
        for (Object body : List.of(Map.of(), Map.of("reads", "x"), Map.of("reads", List.of(Map.of("agent_id", 1,
                "message_ids", List.of()))), Map.of("reads", List.of(
                        Map.of("agent_id", "a", "message_ids",
                                List.of(1)))))) {
            report(ws.id(), body).statusCode(400).body("error.code", equalTo("invalid_request"));
        }
        given().header("Authorization", service("workspace-service"))
                .contentType(JSON)
                .body(Map.of("reads", List.of()))
                .when()
                .post("/internal/workspaces/" + ws.id() + "/reads")
                .then()
                .statusCode(403);
    }
}
