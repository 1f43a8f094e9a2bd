package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.HashMap;
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
import io.restassured.specification.RequestSpecification;

/** Posting to a channel, its history and single messages (contract §3.5). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class ChannelMessageTest {

    private Ws ws;
    private Member scout;
    private Member ada;

    @BeforeEach
    void twoAgents() {
        ws = Fixtures.workspace();
        scout = Fixtures.agent(ws, "scout");
        ada = Fixtures.agent(ws, "ada");
    }

    @Test
    void aPostAnswersTheMessage() {
        String general = as(ws.key()).get("/v1/channels/general").then().extract().path("data.id");

        post(scout.bearer(), "general", Map.of("text", "hello @ada")).statusCode(201)
                .body("ok", equalTo(true))
                .body("data.id", matchesPattern("\\d+"))
                .body("data.channel_id", equalTo(general))
                .body("data.agent_id", equalTo(scout.id()))
                .body("data.agent_name", equalTo("scout"))
                .body("data.text", equalTo("hello @ada"))
                .body("data.blocks", nullValue())
                .body("data", hasKey("blocks"))
                .body("data.metadata", anEmptyMap())
                .body("data.has_attachments", equalTo(false))
                .body("data.thread_id", nullValue())
                .body("data", hasKey("thread_id"))
                .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data.mentions", contains("ada"))
                .body("data.attachments", empty())
                .body("data.injection_mode", equalTo("wait"));
    }

    @Test
    void blocksDataAndModeAreKeptAndReservedKeysStripped() {
        Map<String, Object> body = Map.of("text", "deploy", "blocks", List.of(Map.of("type", "section")), "data",
                Map.of("ticket", "R-1", "__relaycast_internal", true), "mode", "steer");

        String id = post(scout.bearer(), "general", body).statusCode(201)
                .body("data.blocks", equalTo(List.of(Map.of("type", "section"))))
                .body("data.metadata", equalTo(Map.of("ticket", "R-1")))
                .body("data.injection_mode", equalTo("steer"))
                .extract()
                .path("data.id");

        as(ada.bearer()).get("/v1/messages/" + id)
                .then()
                .statusCode(200)
                .body("data.blocks", equalTo(List.of(Map.of("type", "section"))))
                .body("data.metadata", equalTo(Map.of("ticket", "R-1")))
                .body("data.injection_mode", equalTo("steer"));
    }

    @Test
    void mentionsNameTheMentionedMembers() {
        Member bob = Fixtures.agent(ws, "bob.builder");

        post(scout.bearer(), "general", Map.of("text", "@ada, @bob.builder: ping (mail me@ada too)")).statusCode(201)
                .body("data.mentions", containsInAnyOrder("ada", "bob.builder"));
        post(scout.bearer(), "general", Map.of("text", "no mentions here, ada")).statusCode(201)
                .body("data.mentions", empty());
        as(bob.bearer()).get("/v1/channels/general/messages")
                .then()
                .statusCode(200)
                .body("data[0].mentions", empty())
                .body("data[1].mentions", containsInAnyOrder("ada", "bob.builder"));
    }

    /** A mention that ends a sentence still names the agent: the punctuation is not part of the name. */
    @Test
    void aMentionBeforeTrailingPunctuationStillCounts() {
        post(scout.bearer(), "general", Map.of("text", "thanks @ada.")).statusCode(201)
                .body("data.mentions", contains("ada"));
        post(scout.bearer(), "general", Map.of("text", "over to @ada...")).statusCode(201)
                .body("data.mentions", contains("ada"));
        post(scout.bearer(), "general", Map.of("text", "@ada- see above")).statusCode(201)
                .body("data.mentions", contains("ada"));
    }

    @Test
    void historyIsNewestFirstAndPagesByMessageIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(ConversationFixtures.post(i % 2 == 0 ? scout : ada, "general", "m" + i));
        }

        history(Map.of()).body("data.text", contains("m4", "m3", "m2", "m1", "m0"))
                .body("data.id", contains(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)));
        history(Map.of("limit", "2")).body("data.text", contains("m4", "m3"));
        history(Map.of("before", ids.get(2))).body("data.text", contains("m1", "m0"));
        history(Map.of("before", ids.get(3), "limit", "1")).body("data.text", contains("m2"));
        history(Map.of("after", ids.get(2))).body("data.text", contains("m4", "m3"));
        history(Map.of("after", ids.get(0), "before", ids.get(3))).body("data.text", contains("m2", "m1"));
        history(Map.of("after", ids.get(4))).body("data", empty());
    }

    @Test
    void historyLimitIsClampedTo1Through100() {
        for (int i = 0; i < 3; i++) {
            ConversationFixtures.post(scout, "general", "m" + i);
        }

        history(Map.of("limit", "0")).body("data.text", contains("m2"));
        history(Map.of("limit", "-5")).body("data.text", contains("m2"));
        history(Map.of("limit", "1000")).body("data.text", contains("m2", "m1", "m0"));
        as(ws.key()).queryParam("limit", "ten")
                .get("/v1/channels/general/messages")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("limit must be an integer"));
    }

    @Test
    void historyEntriesCarryTheirMetaAndLeaveRepliesOut() {
        String root = ConversationFixtures.post(scout, "general", "root");
        ConversationFixtures.reply(ada, root, "r1");
        ConversationFixtures.reply(scout, root, "r2");

        history(Map.of()).body("data.text", contains("root"))
                .body("data[0].id", equalTo(root))
                .body("data[0].reply_count", equalTo(2))
                .body("data[0].reactions", empty())
                .body("data[0].read_by_count", equalTo(0))
                .body("data[0].attachments", empty())
                .body("data[0].thread_id", nullValue())
                .body("data[0].agent_name", equalTo("scout"));
    }

    @Test
    void anUnknownPagingCursorIsMessageNotFound() {
        as(ws.key()).queryParam("before", "123")
                .get("/v1/channels/general/messages")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("message_not_found"));
    }

    @Test
    void oneMessageWithItsMeta() {
        String id = ConversationFixtures.post(scout, "general", "hello @ada");
        ConversationFixtures.reply(ada, id, "hi");

        for (String bearer : List.of(ws.key(), ada.bearer())) {
            as(bearer).get("/v1/messages/" + id)
                    .then()
                    .statusCode(200)
                    .body("data.id", equalTo(id))
                    .body("data.agent_id", equalTo(scout.id()))
                    .body("data.agent_name", equalTo("scout"))
                    .body("data.text", equalTo("hello @ada"))
                    .body("data.thread_id", nullValue())
                    .body("data.mentions", contains("ada"))
                    .body("data.reply_count", equalTo(1))
                    .body("data.reactions", empty())
                    .body("data.read_by_count", equalTo(0))
                    .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS));
        }
    }

    @Test
    void anUnknownMessageIsMessageNotFound() {
        String id = ConversationFixtures.post(scout, "general", "mine");
        Ws other = Fixtures.workspace();

        for (String[] bearerAndId : new String[][]{{ws.key(), "123"}, {ws.key(), "not-a-number"},
                {other.key(), id}}) {
            as(bearerAndId[0]).get("/v1/messages/" + bearerAndId[1])
                    .then()
                    .statusCode(404)
                    .body("ok", equalTo(false))
                    .body("error.code", equalTo("message_not_found"))
                    .body("error.message", equalTo("Message " + bearerAndId[1] + " not found"));
        }
    }

    @Test
    void textIsRequiredNonEmptyAndBounded() {
        Map<String, Object> nullText = new HashMap<>();
        nullText.put("text", null);
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("text", ""), Map.of("text", 5),
                Map.of("text", List.of("hi")), nullText)) {
            post(scout.bearer(), "general", body).statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("text is required"));
        }
        post(scout.bearer(), "general", Map.of("text", "x".repeat(100_001))).statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("text must be at most 100000 characters"));
        post(scout.bearer(), "general", Map.of("text", "x".repeat(100_000))).statusCode(201);
        history(Map.of()).body("data", org.hamcrest.Matchers.hasSize(1));
    }

    @Test
    void wrongTypesAreInvalidRequests() {
        for (Map.Entry<String, Object> field : List.<Map.Entry<String, Object>>of(Map.entry("blocks", "x"),
                Map.entry("blocks", Map.of()), Map.entry("data", "x"), Map.entry("data", List.of()),
                Map.entry("mode", "fast"), Map.entry("mode", 7), Map.entry("attachments", "file_1"),
                Map.entry("content_type", 5))) {
            post(scout.bearer(), "general", Map.of("text", "hi", field.getKey(), field.getValue())).statusCode(400)
                    .body("ok", equalTo(false))
                    .body("error.code", equalTo("invalid_request"));
        }
        post(scout.bearer(), "general", Map.of("text", "hi", "mode", "fast")).statusCode(400)
                .body("error.message", equalTo("mode must be \"wait\" or \"steer\""));
        history(Map.of()).body("data", empty());
    }

    @Test
    void malformedJsonIsInvalidJson() {
        as(scout.bearer()).contentType(JSON)
                .body("{\"text\": ")
                .post("/v1/channels/general/messages")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_json"))
                .body("error.message", equalTo("Malformed JSON in request body"));
    }

    @Test
    void fromIsOnlyForNodesAndAttachmentsAreRefused() {
        post(scout.bearer(), "general", Map.of("text", "hi", "from", "ada")).statusCode(400)
                .body("error.code", equalTo("from_not_allowed"));
        post(scout.bearer(), "general", Map.of("text", "hi", "attachments", List.of("file_1"))).statusCode(400)
                .body("error.code", equalTo("invalid_attachments"));
        post(scout.bearer(), "general", Map.of("text", "hi", "attachments", List.of())).statusCode(201);
    }

    @Test
    void postingNeedsAnAgentToken() {
        post(ws.key(), "general", Map.of("text", "hi")).statusCode(403)
                .body("error.code", equalTo("agent_token_required"));
        post(PrincipalJwts.node(ws.id()), "general", Map.of("text", "hi", "from", "scout")).statusCode(403)
                .body("error.code", equalTo("agent_token_required"));
        post(ConversationFixtures.observer(ws, ConversationFixtures.ALL_SCOPES, Map.of()), "general",
                Map.of("text", "hi")).statusCode(401)
                .body("error.code", equalTo("observer_token_forbidden"));
        given().contentType(JSON)
                .body(Map.of("text", "hi"))
                .post("/v1/channels/general/messages")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        given().get("/v1/channels/general/messages")
                .then()
                .statusCode(401)
                .body("error.code",
                        equalTo("unauthorized"));
        given().get("/v1/messages/1").then().statusCode(401).body("error.code", equalTo("unauthorized"));
        history(Map.of()).body("data", empty());
    }

    @Test
    void anUnknownChannelIsChannelNotFound() {
        post(scout.bearer(), "nope", Map.of("text", "hi")).statusCode(404)
                .body("error.code", equalTo("channel_not_found"))
                .body("error.message", equalTo("Channel 'nope' not found"));
        as(ws.key()).get("/v1/channels/nope/messages")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("channel_not_found"));
    }

    @Test
    void aSenderUnknownToTheWorkspaceIsAgentNotFound() {
        post(PrincipalJwts.agent(ws.id(), "999", "ghost"), "general", Map.of("text", "boo")).statusCode(404)
                .body("error.code", equalTo("agent_not_found"));
        history(Map.of()).body("data", empty());
    }

    @Test
    void aLeadingHashInTheChannelNameIsIgnored() {
        given().urlEncodingEnabled(false)
                .header("Authorization", scout.bearer())
                .contentType(JSON)
                .body(Map.of("text", "hashed"))
                .post("/v1/channels/%23general/messages")
                .then()
                .statusCode(201);
        history(Map.of()).body("data.text", contains("hashed"));
    }

    /** The contract sets no membership rule for posting, and the public engine has none: a non-member may post. */
    @Test
    void aNonMemberMayPostWithoutJoining() {
        ConversationFixtures.channel(scout.bearer(), "build");

        post(ada.bearer(), "build", Map.of("text", "drive-by")).statusCode(201).body("data.agent_name", equalTo("ada"));
        as(ws.key()).get("/v1/channels/build/members").then().body("data.agent_name", contains("scout"));
        as(scout.bearer()).get("/v1/channels/build/messages")
                .then()
                .statusCode(200)
                .body("data.text", contains(
                        "drive-by"));
    }

    private static RequestSpecification as(String bearer) {
        return given().header("Authorization", bearer);
    }

    private static ValidatableResponse post(String bearer, String channel, Map<String, ?> body) {
        return as(bearer).contentType(JSON).body(body).when().post("/v1/channels/" + channel + "/messages").then();
    }

    private ValidatableResponse history(Map<String, String> query) {
        return as(ws.key()).queryParams(query).get("/v1/channels/general/messages").then().statusCode(200);
    }
}
