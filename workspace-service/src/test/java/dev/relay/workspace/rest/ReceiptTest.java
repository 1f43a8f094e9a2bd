package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;

/**
 * Reactions and read receipts (contract §3.6): unique per message, agent and emoji; grouped per emoji; reads recorded
 * once and moving the reader's channel marker; each real change one `message.reacted` / `message.read` event for the
 * other channel members, a repeat none.
 */
@QuarkusTest
@TestProfile(ReceiptTest.OnlyHeartbeatsAreSignsOfLife.class)
@WithTestResource(StandInAuthService.class)
class ReceiptTest {

    /** Keeps presence events out of the exact event counts below. */
    public static class OnlyHeartbeatsAreSignsOfLife implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.presence.from-calls", "false");
        }
    }

    @Inject
    AgroalDataSource database;

    private Ws ws;
    private Member ada;
    private Member bob;
    private Member cyd;
    private String message;

    @BeforeEach
    void aMessageInGeneral() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
        cyd = Fixtures.agent(ws, "cyd");
        message = given().header("Authorization", ada.bearer())
                .contentType(JSON)
                .body(Map.of("text", "ship it?"))
                .post("/v1/channels/general/messages")
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");
    }

    @Test
    void aReactionIsCreatedOnceAndGroupedPerEmoji() {
        String first = react(bob, "👍").statusCode(201)
                .body("data.message_id", equalTo(message))
                .body("data.agent_name", equalTo("bob"))
                .body("data.emoji", equalTo("👍"))
                .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .extract()
                .path("data.id");
        react(bob, "👍").statusCode(201).body("data.id", equalTo(first));
        react(cyd, "👍").statusCode(201);
        react(cyd, ":rocket:").statusCode(201).body("data.emoji", equalTo(":rocket:"));

        given().header("Authorization", ws.key())
                .get("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(200)
                .body("data", equalTo(List.of(Map.of("emoji", "👍", "count", 2, "agents", List.of("bob", "cyd")),
                        Map.of("emoji", ":rocket:", "count", 1, "agents", List.of("cyd")))));
        given().header("Authorization", ws.key())
                .get("/v1/messages/" + message)
                .then()
                .statusCode(200)
                .body("data.reactions[0].count", equalTo(2))
                .body("data.read_by_count", equalTo(0));
        assertEquals(3, events("message.reacted").size());
    }

    @Test
    void theReactedEventGoesToTheOtherMembersWithItsShape() throws SQLException {
        react(bob, "👀").statusCode(201);

        Map<String, Object> payload = payload(events("message.reacted").get(0));
        assertEquals(message, payload.get("message_id"));
        assertEquals("👀", payload.get("emoji"));
        assertEquals("bob", payload.get("agent_name"));
        assertEquals(bob.id(), payload.get("agent_id"));
        assertEquals("added", payload.get("action"));
        assertEquals("general", payload.get("channel"));
        String recipients = recipients("message.reacted");
        assertEquals(true, recipients.contains(ada.id()) && recipients.contains(cyd.id()), recipients);
        assertEquals(false, recipients.contains(bob.id()), "the reactor is not told of its own reaction");
    }

    @Test
    void removingAnswers204AndEmitsOnlyWhenSomethingWasRemoved() {
        react(bob, "👍").statusCode(201);

        unreact(bob, "👍").statusCode(204);
        unreact(bob, "👍").statusCode(204);

        given().header("Authorization", bob.bearer())
                .get("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(200)
                .body("data", empty());
        List<Map<String, Object>> reacted = events("message.reacted");
        assertEquals(2, reacted.size());
        assertEquals("removed", payload(reacted.get(1)).get("action"));
    }

    @Test
    void reactionsAreValidated() {
        given().header("Authorization", bob.bearer())
                .contentType(JSON)
                .body(Map.of("emoji", ""))
                .post("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        given().header("Authorization", bob.bearer())
                .contentType(JSON)
                .body(Map.of("emoji", 5))
                .post("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        given().header("Authorization", bob.bearer())
                .contentType(JSON)
                .body(Map.of("emoji", "x".repeat(65)))
                .post("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(400);
        react(bob, "👍", "999999999").statusCode(404).body("error.code", equalTo("message_not_found"));
        given().header("Authorization", ws.key())
                .contentType(JSON)
                .body(Map.of("emoji", "👍"))
                .post("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(401);
    }

    @Test
    void aReadIsRecordedOnceAndMovesTheReadersMarker() {
        String read = markRead(bob).statusCode(200)
                .body("data.message_id", equalTo(message))
                .body("data.agent_id", equalTo(bob.id()))
                .extract()
                .path("data.read_at");
        markRead(bob).statusCode(200).body("data.read_at", equalTo(read));
        markRead(cyd).statusCode(200);

        given().header("Authorization", ada.bearer())
                .get("/v1/messages/" + message + "/readers")
                .then()
                .statusCode(200)
                .body("data.agent_name", equalTo(List.of("bob", "cyd")))
                .body("data[0].read_at", equalTo(read));
        given().header("Authorization", ws.key())
                .get("/v1/channels/general/read-status")
                .then()
                .statusCode(200);
        given().header("Authorization", ws.key())
                .get("/v1/messages/" + message)
                .then()
                .body("data.read_by_count", equalTo(2));
        assertEquals(2, events("message.read").size());
        Map<String, Object> payload = payload(events("message.read").get(0));
        assertEquals(Map.of("message_id", message, "agent_name", "bob", "agent_id", bob.id(), "read_at", read,
                "created_at", payload.get("created_at")), payload);
        given().header("Authorization", ws.key())
                .get("/v1/channels/general/read-status")
                .then()
                .body("data.find { it.agent_name == 'bob' }.last_read_id", equalTo(message));
    }

    @Test
    void anOlderReadDoesNotMoveTheMarkerBack() {
        String newer = given().header("Authorization", ada.bearer())
                .contentType(JSON)
                .body(Map.of("text", "newer"))
                .post("/v1/channels/general/messages")
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");
        given().header("Authorization", bob.bearer()).post("/v1/messages/" + newer + "/read").then().statusCode(200);

        markRead(bob).statusCode(200);

        given().header("Authorization", ws.key())
                .get("/v1/channels/general/read-status")
                .then()
                .body("data.find { it.agent_name == 'bob' }.last_read_id", equalTo(newer));
    }

    @Test
    void readsTakeAnAgentTokenAndAKnownMessage() {
        given().header("Authorization", ws.key()).post("/v1/messages/" + message + "/read").then().statusCode(401);
        given().header("Authorization", bob.bearer())
                .post("/v1/messages/123/read")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("message_not_found"));
        given().header("Authorization", PrincipalJwts.observer(ws.id(), List.of("messages:read"), Map.of()))
                .get("/v1/messages/" + message + "/readers")
                .then()
                .statusCode(401);
    }

    @Test
    void observersNeedTheReactionsScope() {
        react(bob, "👍").statusCode(201);

        given().header("Authorization", PrincipalJwts.observer(ws.id(), List.of("reactions:read"), Map.of()))
                .get("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(200)
                .body("data[0].emoji", equalTo("👍"));
        given().header("Authorization", PrincipalJwts.observer(ws.id(), List.of("messages:read"), Map.of()))
                .get("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(404);
    }

    private ValidatableResponse react(Member agent, String emoji) {
        return react(agent, emoji, message);
    }

    private static ValidatableResponse react(Member agent, String emoji, String messageId) {
        return given().header("Authorization", agent.bearer())
                .contentType(JSON)
                .body(Map.of("emoji", emoji))
                .post("/v1/messages/" + messageId + "/reactions")
                .then();
    }

    private ValidatableResponse unreact(Member agent, String emoji) {
        return given().header("Authorization", agent.bearer())
                .delete("/v1/messages/" + message + "/reactions/" + emoji)
                .then();
    }

    private ValidatableResponse markRead(Member agent) {
        return given().header("Authorization", agent.bearer()).post("/v1/messages/" + message + "/read").then();
    }

    private List<Map<String, Object>> events(String type) {
        ConversationFixtures.awaitSequenced();
        List<Map<String, Object>> all = given().header("Authorization", ws.key())
                .get("/v1/workspace/events?since=0")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data.events");
        return all.stream().filter(e -> type.equals(e.get("type"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(Map<String, Object> event) {
        return (Map<String, Object>) event.get("payload");
    }

    private String recipients(String type) throws SQLException {
        ConversationFixtures.awaitSequenced();
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select recipients from workspace_events where workspace_id = ? and type = ? order by seq")) {
            query.setString(1, ws.id());
            query.setString(2, type);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }
}
