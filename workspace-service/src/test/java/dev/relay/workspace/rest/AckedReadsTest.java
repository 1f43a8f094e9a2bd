package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

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

    private ValidatableResponse report(String workspaceId, Object body) {
        return given().header("Authorization", PrincipalJwts.service("delivery-service"))
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

    private String readAt(String messageId, Member member) {
        List<Map<String, Object>> reads = given().header("Authorization", ws.key())
                .get("/v1/messages/" + messageId + "/readers")
                .then()
                .statusCode(200)
                .extract()
                .path("data");
        return (String) reads.stream()
                .filter(read -> member.name().equals(read.get("agent_name")))
                .findFirst()
                .orElseThrow()
                .get("read_at");
    }

    private String marker(Member member) {
        return marker("general", member);
    }

    private String marker(String channel, Member member) {
        List<Map<String, Object>> status = given().header("Authorization", ws.key())
                .get("/v1/channels/" + channel + "/read-status")
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
    void oneReportOfManyAgentsWithOverlappingMessagesRecordsEachReadOnce() {
        Member cat = Fixtures.agent(ws, "cat");
        ConversationFixtures.channel(bob.bearer(), "build");
        String first = ConversationFixtures.post(ada, "general", "one");
        String second = ConversationFixtures.post(ada, "general", "two");
        String third = ConversationFixtures.post(ada, "general", "three");
        String built = ConversationFixtures.post(bob, "build", "green");
        Member stranger = Fixtures.agent(Fixtures.workspace(), "stranger");
        report(ws.id(), Map.of("reads", List.of(Map.of("agent_id", bob.id(), "message_ids", List.of(first, third)))))
                .statusCode(204);
        String bobReadFirstAt = readAt(first, bob);
        long before = ConversationFixtures.latestSeq(ws);

        report(ws.id(), Map.of("reads", List.of(
                Map.of("agent_id", bob.id(), "message_ids", List.of(second, first, built)),
                Map.of("agent_id", cat.id(), "message_ids", List.of(first, second, first, built)),
                Map.of("agent_id", stranger.id(), "message_ids", List.of(first, second)),
                Map.of("agent_id", ada.id(), "message_ids", List.of(second)),
                Map.of("agent_id", cat.id(), "message_ids", List.of(second, "999999999999999999")))))
                .statusCode(204);

        org.hamcrest.MatcherAssert.assertThat(readers(first), contains("bob", "cat"));
        org.hamcrest.MatcherAssert.assertThat(readers(second), containsInAnyOrder("ada", "bob", "cat"));
        org.hamcrest.MatcherAssert.assertThat(readers(third), contains("bob"));
        // cat is no member of #build, yet its ack counts as a read, as a single agent's did.
        org.hamcrest.MatcherAssert.assertThat(readers(built), containsInAnyOrder("bob", "cat"));
        org.hamcrest.MatcherAssert.assertThat("the first read stays", readAt(first, bob), equalTo(bobReadFirstAt));
        org.hamcrest.MatcherAssert.assertThat("bob's marker does not move back", marker(bob), equalTo(third));
        org.hamcrest.MatcherAssert.assertThat(marker(cat), equalTo(second));
        org.hamcrest.MatcherAssert.assertThat(marker(ada), equalTo(second));
        org.hamcrest.MatcherAssert.assertThat(marker("build", bob), equalTo(built));
        org.hamcrest.MatcherAssert.assertThat(
                ConversationFixtures.events(ws.key(), before).getList("data.type"), not(hasItem("message.read")));
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
        given().header("Authorization", PrincipalJwts.service("workspace-service"))
                .contentType(JSON)
                .body(Map.of("reads", List.of()))
                .when()
                .post("/internal/workspaces/" + ws.id() + "/reads")
                .then()
                .statusCode(403);
    }
}
