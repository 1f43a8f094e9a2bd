package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** `GET /v1/inbox` (contract §3.8): unread channels, unread mentions and recent reactions, moved by reads. */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class InboxTest {

    private Ws ws;
    private Member ada;
    private Member bob;

    @BeforeEach
    void twoAgents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    @Test
    void aFreshAgentHasAnEmptyInbox() {
        inbox(ada).body("data.unread_channels", empty())
                .body("data.mentions", empty())
                .body("data.unread_dms", empty())
                .body("data.recent_reactions", empty());
    }

    @Test
    void othersMessagesAreUnreadUntilReadAndOwnMessagesNeverAre() {
        post(bob, "one");
        post(bob, "two @ada");
        String last = post(bob, "three");
        post(ada, "mine");

        inbox(ada).body("data.unread_channels", equalTo(List.of(Map.of("channel_name", "general", "unread_count",
                3))))
                .body("data.mentions.size()", equalTo(1))
                .body("data.mentions[0].channel_name", equalTo("general"))
                .body("data.mentions[0].agent_name", equalTo("bob"))
                .body("data.mentions[0].text", equalTo("two @ada"))
                .body("data.mentions[0].created_at", matchesPattern(Fixtures.ISO_MILLIS));

        given().header("Authorization", ada.bearer()).post("/v1/messages/" + last + "/read").then().statusCode(200);

        inbox(ada).body("data.unread_channels", empty()).body("data.mentions", empty());
    }

    @Test
    void reactionsToTheAgentsMessagesAreListedNewestFirst() {
        String mine = post(ada, "deployed");
        react(bob, mine, "🎉");
        react(bob, mine, "👍");
        react(ada, mine, "👀");

        inbox(ada).body("data.recent_reactions.emoji", equalTo(List.of("👍", "🎉")))
                .body("data.recent_reactions[0].message_id", equalTo(mine))
                .body("data.recent_reactions[0].channel_name", equalTo("general"))
                .body("data.recent_reactions[0].agent_name", equalTo("bob"));
        inbox(ada, "1").body("data.recent_reactions.size()", equalTo(1));
    }

    @Test
    void onlyAgentsHaveAnInboxAndTheLimitIsValidated() {
        given().header("Authorization", ws.key()).get("/v1/inbox").then().statusCode(401);
        inbox(ada, "0").statusCode(400).body("error.code", equalTo("invalid_request"));
        inbox(ada, "x").statusCode(400).body("error.code", equalTo("invalid_request"));
    }

    private static ValidatableResponse inbox(Member agent) {
        return given().header("Authorization", agent.bearer()).get("/v1/inbox").then().statusCode(200);
    }

    private static ValidatableResponse inbox(Member agent, String limit) {
        return given().header("Authorization", agent.bearer()).queryParam("limit", limit).get("/v1/inbox").then();
    }

    private static String post(Member agent, String text) {
        return given().header("Authorization", agent.bearer())
                .contentType(JSON)
                .body(Map.of("text", text))
                .post("/v1/channels/general/messages")
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");
    }

    private static void react(Member agent, String message, String emoji) {
        given().header("Authorization", agent.bearer())
                .contentType(JSON)
                .body(Map.of("emoji", emoji))
                .post("/v1/messages/" + message + "/reactions")
                .then()
                .statusCode(201);
    }
}
