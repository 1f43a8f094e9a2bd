package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
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
import io.restassured.specification.RequestSpecification;

/** Thread replies and reading a thread (contract §3.5). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class ThreadTest {

    private Ws ws;
    private Member scout;
    private Member ada;
    private String root;

    @BeforeEach
    void aRootMessage() {
        ws = Fixtures.workspace();
        scout = Fixtures.agent(ws, "scout");
        ada = Fixtures.agent(ws, "ada");
        root = ConversationFixtures.post(scout, "general", "root");
    }

    @Test
    void aReplyAnswersItsThreadAndChannel() {
        String general = as(ws.key()).get("/v1/channels/general").then().extract().path("data.id");

        reply(ada.bearer(), root, Map.of("text", "on it @scout", "data", Map.of("k", "v"))).statusCode(201)
                .body("ok", equalTo(true))
                .body("data.id", matchesPattern("\\d+"))
                .body("data.channel_id", equalTo(general))
                .body("data.channel_name", equalTo("general"))
                .body("data.agent_id", equalTo(ada.id()))
                .body("data.agent_name", equalTo("ada"))
                .body("data.thread_id", equalTo(root))
                .body("data.text", equalTo("on it @scout"))
                .body("data.blocks", nullValue())
                .body("data.metadata", equalTo(Map.of("k", "v")))
                .body("data.has_attachments", equalTo(false))
                .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data", not(hasKey("mentions")))
                .body("data", not(hasKey("injection_mode")));
    }

    @Test
    void aReplyToAReplyJoinsTheRootsThread() {
        String first = ConversationFixtures.reply(ada, root, "first");

        reply(scout.bearer(), first, Map.of("text", "second")).statusCode(201).body("data.thread_id", equalTo(root));

        thread(root, Map.of()).body("parent.id", equalTo(root))
                .body("parent.reply_count", equalTo(2))
                .body("replies.text", contains("first", "second"))
                .body("replies.thread_id", contains(root, root));
        as(ws.key()).get("/v1/messages/" + first).then().statusCode(200).body("data.reply_count", equalTo(0));
    }

    @Test
    void theThreadIsTheParentWithItsRepliesOldestFirst() {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replies.add(ConversationFixtures.reply(i % 2 == 0 ? ada : scout, root, "r" + i));
        }

        thread(root, Map.of()).body("parent.id", equalTo(root))
                .body("parent.text", equalTo("root"))
                .body("parent.agent_name", equalTo("scout"))
                .body("parent.thread_id", nullValue())
                .body("parent.reply_count", equalTo(3))
                .body("parent.reactions", empty())
                .body("parent.read_by_count", equalTo(0))
                .body("replies.id", contains(replies.get(0), replies.get(1), replies.get(2)))
                .body("replies.agent_name", contains("ada", "scout", "ada"))
                .body("replies[0].reply_count", equalTo(0))
                .body("replies[0].metadata", anEmptyMap())
                .body("replies[0].created_at", matchesPattern(Fixtures.ISO_MILLIS));
    }

    @Test
    void theThreadPagesByReplyIds() {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(ConversationFixtures.reply(ada, root, "r" + i));
        }

        thread(root, Map.of("limit", "2")).body("replies.text", contains("r0", "r1"))
                .body("parent.reply_count", equalTo(4));
        thread(root, Map.of("after", replies.get(1))).body("replies.text", contains("r2", "r3"));
        thread(root, Map.of("before", replies.get(2))).body("replies.text", contains("r0", "r1"));
        thread(root, Map.of("after", replies.get(0), "before", replies.get(3))).body("replies.text", contains("r1",
                "r2"));
        thread(root, Map.of("after", replies.get(3))).body("replies", empty());
        thread(root, Map.of("limit", "0")).body("replies.text", contains("r0"));
    }

    @Test
    void aMessageWithoutRepliesHasAnEmptyThread() {
        thread(root, Map.of()).body("parent.id", equalTo(root))
                .body("parent.reply_count", equalTo(0))
                .body("replies",
                        empty());
    }

    @Test
    void anUnknownParentIsMessageNotFound() {
        reply(ada.bearer(), "123", Map.of("text", "hello?")).statusCode(404)
                .body("error.code", equalTo("message_not_found"));
        as(ws.key()).get("/v1/messages/123/replies")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("message_not_found"));
        Ws other = Fixtures.workspace();
        as(other.key()).get("/v1/messages/" + root + "/replies")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("message_not_found"));
    }

    @Test
    void replyingNeedsAnAgentTokenAndText() {
        reply(ws.key(), root, Map.of("text", "as admin")).statusCode(403)
                .body("error.code", equalTo("agent_token_required"));
        reply(ConversationFixtures.observer(ws, ConversationFixtures.ALL_SCOPES, Map.of()), root,
                Map.of("text", "as observer")).statusCode(401)
                .body("error.code", equalTo("observer_token_forbidden"));
        given().contentType(JSON)
                .body(Map.of("text", "anonymous"))
                .post("/v1/messages/" + root + "/replies")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("text", ""),
                Map.of("text", 1))) {
            reply(ada.bearer(), root, body).statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("text is required"));
        }
        reply(ada.bearer(), root, Map.of("text", "x", "blocks", "y")).statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(ada.bearer()).contentType(JSON)
                .body("{")
                .post("/v1/messages/" + root + "/replies")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_json"));
        thread(root, Map.of()).body("replies", empty());
    }

    @Test
    void agentsAndObserversReadThreads() {
        ConversationFixtures.reply(ada, root, "r0");

        for (String bearer : List.of(ada.bearer(),
                ConversationFixtures.observer(ws, List.of("threads:read"), Map.of()))) {
            as(bearer).get("/v1/messages/" + root + "/replies")
                    .then()
                    .statusCode(200)
                    .body("data.replies.text", contains("r0"));
        }
    }

    private static RequestSpecification as(String bearer) {
        return given().header("Authorization", bearer);
    }

    private static ValidatableResponse reply(String bearer, String parent, Map<String, ?> body) {
        return as(bearer).contentType(JSON).body(body).when().post("/v1/messages/" + parent + "/replies").then();
    }

    private ValidatableResponse thread(String id, Map<String, String> query) {
        return as(ws.key()).queryParams(query)
                .get("/v1/messages/" + id + "/replies")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .rootPath("data");
    }
}
