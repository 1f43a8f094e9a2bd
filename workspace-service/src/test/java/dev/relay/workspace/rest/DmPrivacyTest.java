package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.equalTo;

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

/**
 * A DM's messages through the `/v1/messages/:id` routes: only its participants, the workspace key and observers
 * allowed to read DMs see them; nobody else may read, reply to, react to or mark them read (404, as if absent).
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class DmPrivacyTest {

    private Ws ws;
    private Member ada;
    private Member bob;
    private Member eve;
    private String dm;
    private String conversation;

    @BeforeEach
    void aDirectMessage() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
        eve = Fixtures.agent(ws, "eve");
        var sent = given().header("Authorization", ada.bearer())
                .contentType(JSON)
                .body(Map.of("to", "bob", "text", "the password is hunter2"))
                .post("/v1/dm")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        dm = sent.getString("message.id") != null ? sent.getString("message.id") : sent.getString("data.message.id");
        conversation = sent.getString("data.conversation_id");
    }

    @Test
    void participantsAndTheWorkspaceKeyReadIt() {
        given().header("Authorization", bob.bearer())
                .get("/v1/messages/" + dm)
                .then()
                .statusCode(200)
                .body("data.text", equalTo("the password is hunter2"));
        given().header("Authorization", ws.key()).get("/v1/messages/" + dm).then().statusCode(200);
    }

    @Test
    void anotherAgentCanNeitherReadNorTouchIt() {
        given().header("Authorization", eve.bearer())
                .get("/v1/messages/" + dm)
                .then()
                .statusCode(404)
                .body("error.code", equalTo("message_not_found"));
        given().header("Authorization", eve.bearer()).get("/v1/messages/" + dm + "/replies").then().statusCode(404);
        given().header("Authorization", eve.bearer()).get("/v1/messages/" + dm + "/reactions").then().statusCode(404);
        given().header("Authorization", eve.bearer()).get("/v1/messages/" + dm + "/readers").then().statusCode(404);
        given().header("Authorization", eve.bearer())
                .contentType(JSON)
                .body(Map.of("text", "me too"))
                .post("/v1/messages/" + dm + "/replies")
                .then()
                .statusCode(404);
        given().header("Authorization", eve.bearer())
                .contentType(JSON)
                .body(Map.of("emoji", "👀"))
                .post("/v1/messages/" + dm + "/reactions")
                .then()
                .statusCode(404);
        given().header("Authorization", eve.bearer()).post("/v1/messages/" + dm + "/read").then().statusCode(404);
    }

    @Test
    void observersNeedIncludeDmsAndTheDmsScope() {
        String withoutDms = PrincipalJwts.observer(ws.id(), List.of("messages:read"), Map.of());
        given().header("Authorization", withoutDms).get("/v1/messages/" + dm).then().statusCode(404);
        String withDms = PrincipalJwts.observer(ws.id(), List.of("messages:read", "dms:read"),
                Map.of("include_dms", true));
        given().header("Authorization", withDms).get("/v1/messages/" + dm).then().statusCode(200);
        String otherConversation = PrincipalJwts.observer(ws.id(), List.of("dms:read"),
                Map.of("include_dms", true, "dm_conversation_ids", List.of("dm_other")));
        given().header("Authorization", otherConversation).get("/v1/messages/" + dm).then().statusCode(404);
    }

    @Test
    void aReplyInTheDmIsDmTrafficInTheEventLog() {
        given().header("Authorization", bob.bearer())
                .contentType(JSON)
                .body(Map.of("text", "got it"))
                .post("/v1/messages/" + dm + "/replies")
                .then()
                .statusCode(201);

        String channelsOnly = PrincipalJwts.observer(ws.id(), List.of("stream:read", "threads:read",
                "messages:read"), Map.of());
        ConversationFixtures.awaitSequenced();
        List<String> types = given().header("Authorization", channelsOnly)
                .get("/v1/workspace/events?since=0")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data.events.type");
        org.junit.jupiter.api.Assertions.assertFalse(types.contains("thread.reply"), types.toString());
        List<Map<String, Object>> replies = given().header("Authorization", ws.key())
                .get("/v1/workspace/events?since=0")
                .then()
                .extract()
                .jsonPath()
                .getList("data.events.findAll { it.type == 'thread.reply' }.payload");
        org.junit.jupiter.api.Assertions.assertEquals(conversation, replies.get(0).get("conversation_id"));
    }
}
