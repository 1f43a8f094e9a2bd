package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.event.StableEventId;
import dev.relay.workspace.rest.DmFixtures.LoggedEvent;
import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/**
 * Group DMs (contract §3.7): creation with the creator included, posting with one `group_dm.received` event for the
 * other current participants (§6.3, §8), adding participants, leaving; posting by id to a 1:1 is a DM.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class GroupDmTest {

    @Inject
    AgroalDataSource database;

    private Ws ws;
    private Member alice;
    private Member bob;
    private Member carol;
    private Member dave;

    @BeforeEach
    void fourAgents() {
        ws = Fixtures.workspace();
        alice = Fixtures.agent(ws, "alice");
        bob = Fixtures.agent(ws, "bob");
        carol = Fixtures.agent(ws, "carol");
        dave = Fixtures.agent(ws, "dave");
    }

    @Test
    void aGroupIsCreatedWithTheCreatorIncluded() {
        JsonPath group = DmFixtures.group(alice, Map.of("participants", List.of("bob", "carol"), "name", "ops"), null)
                .then()
                .statusCode(201)
                .body("data.dm_type", equalTo("group"))
                .body("data.name", equalTo("ops"))
                .body("data.participants.agent_id", contains(alice.id(), bob.id(), carol.id()))
                .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .extract()
                .jsonPath();

        assertEquals(group.getString("data.id"), group.getString("data.channel_id"));
        assertEquals(List.of("channel_id", "created_at", "dm_type", "id", "name", "participants"),
                group.getMap("data").keySet().stream().sorted().toList());
        assertEquals(1, DmFixtures.count(database, "select count(*) from channels where id = ? and channel_type = 2 "
                + "and name = ?", group.getString("data.id"), "group-dm-" + group.getString("data.id")));
        conversations(bob).body("data", hasSize(1))
                .body("data[0].type", equalTo("group"))
                .body("data[0].name", equalTo("ops"))
                .body("data[0].participants.agent_name", contains("alice", "bob", "carol"))
                .body("data[0].last_message", nullValue())
                .body("data[0].unread_count", equalTo(0));
    }

    @Test
    void repeatedNamesAndTheCreatorCountOnceAndTheNameIsOptional() {
        DmFixtures.group(alice, Map.of("participants", List.of("bob", "alice", "bob")), null)
                .then()
                .statusCode(201)
                .body("data.name", nullValue())
                .body("data.participants.agent_id", contains(alice.id(), bob.id()));
        DmFixtures.group(alice, Map.of("participants", List.of("alice")), null)
                .then()
                .statusCode(201)
                .body("data.participants.agent_id", contains(alice.id()));
    }

    @Test
    void aGroupIsValidatedAndAnUnknownNameCreatesNothing() {
        String required = "participants array is required with at least 1 member";
        for (Object body : List.of(Map.of(), Map.of("participants", List.of()), Map.of("participants", "bob"),
                Map.of("participants", List.of(1)), Map.of("participants", List.of("")))) {
            DmFixtures.group(alice, body, null)
                    .then()
                    .statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo(required));
        }
        DmFixtures.group(alice, Map.of("participants", List.of("bob"), "name", 5), null)
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        DmFixtures.group(alice, Map.of("participants", List.of("bob", "nobody")), null)
                .then()
                .statusCode(404)
                .body("error.code", equalTo("agent_not_found"))
                .body("error.message", equalTo("Agent \"nobody\" not found"));

        conversations(alice).body("data", empty());
        conversations(bob).body("data", empty());
    }

    @Test
    void creatingAGroupIsIdempotent() {
        String key = UUID.randomUUID().toString();
        Response first = DmFixtures.group(alice, Map.of("participants", List.of("bob")), key);
        Response again = DmFixtures.group(alice, Map.of("participants", List.of("bob")), key);

        first.then().statusCode(201).header("Idempotency-Replayed", nullValue());
        again.then().statusCode(201).header("Idempotency-Replayed", equalTo("true"));
        assertEquals(first.jsonPath().getMap("data"), again.jsonPath().getMap("data"));
        conversations(alice).body("data", hasSize(1));
        DmFixtures.group(alice, Map.of("participants", List.of("carol")), key)
                .then()
                .statusCode(409)
                .body("error.code", equalTo("idempotency_key_reused"));
    }

    @Test
    void aPostAnswersItsShapeAndIsLoggedForTheOtherParticipants() {
        String group = DmFixtures.groupOf(alice, "bob", "carol");

        JsonPath posted = DmFixtures.post(bob, group, Map.of("text", "standup in 5", "mode", "steer"), null)
                .then()
                .statusCode(201)
                .body("data.conversation_id", equalTo(group))
                .body("data.message.agent_id", equalTo(bob.id()))
                .body("data.message.agent_name", equalTo("bob"))
                .body("data.message.text", equalTo("standup in 5"))
                .body("data.message.injection_mode", equalTo("steer"))
                .body("data.message.attachments", empty())
                .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .extract()
                .jsonPath();
        String messageId = posted.getString("data.message.id");
        assertEquals(messageId, posted.getString("data.id"));

        List<LoggedEvent> logged = DmFixtures.logged(database, ws.id(), "group_dm.received");
        assertEquals(1, logged.size());
        LoggedEvent event = logged.get(0);
        assertEquals(StableEventId.of(messageId), event.eventId());
        assertEquals(group, event.channelId());
        assertEquals(List.of(recipient(alice), recipient(carol)), event.recipients());
        assertEquals(group, event.payload().get("conversation_id"));
        assertEquals(StableEventId.of(messageId), event.payload().get("id"));
        assertEquals(posted.getMap("data.message"), event.payload().get("message"));
        assertEquals("bob", event.data().get("from_name"));
        assertEquals(bob.id(), event.data().get("agent_id"));
        assertEquals(group, event.data().get("conversation_id"));
        assertEquals(posted.getMap("data.message"), event.data().get("message"));
        assertEquals(0, DmFixtures.logged(database, ws.id(), "dm.received").size());
        history(carol, group).statusCode(200).body("data.text", contains("standup in 5"));
        conversations(carol).body("data[0].unread_count", equalTo(1))
                .body("data[0].last_message.id", equalTo(messageId));
    }

    @Test
    void aPostIsValidatedAndNeedsAParticipantOfAKnownConversation() {
        String group = DmFixtures.groupOf(alice, "bob");

        DmFixtures.post(bob, group, Map.of(), null)
                .then()
                .statusCode(400)
                .body("error.message", equalTo("text is required"));
        DmFixtures.post(bob, group, Map.of("text", "x", "mode", "now"), null)
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        DmFixtures.post(bob, group, Map.of("text", "x", "attachments", List.of("f")), null)
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_attachments"));
        DmFixtures.post(carol, group, Map.of("text", "let me in"), null)
                .then()
                .statusCode(403)
                .body("error.code", equalTo("forbidden"));
        DmFixtures.post(bob, "123456789", Map.of("text", "x"), null)
                .then()
                .statusCode(404)
                .body("error.code", equalTo("dm_conversation_not_found"));
        history(carol, group).statusCode(403).body("error.code", equalTo("forbidden"));
        assertEquals(0, DmFixtures.logged(database, ws.id(), "group_dm.received").size());
    }

    @Test
    void postsAreIdempotentPerConversation() {
        String group = DmFixtures.groupOf(alice, "bob");
        String other = DmFixtures.groupOf(alice, "carol");
        String key = UUID.randomUUID().toString();

        Response first = DmFixtures.post(alice, group, Map.of("text", "once"), key);
        Response again = DmFixtures.post(alice, group, Map.of("text", "once", "mode", "wait"), key);

        first.then().statusCode(201).header("Idempotency-Replayed", nullValue());
        again.then().statusCode(201).header("Idempotency-Replayed", equalTo("true"));
        assertEquals(first.jsonPath().getMap("data"), again.jsonPath().getMap("data"));
        DmFixtures.post(alice, group, Map.of("text", "once", "mode", "steer"), key)
                .then()
                .statusCode(409)
                .body("error.code", equalTo("idempotency_key_reused"));
        DmFixtures.post(alice, other, Map.of("text", "once"), key)
                .then()
                .statusCode(201)
                .header("Idempotency-Replayed", nullValue());
        history(bob, group).body("data", hasSize(1));
        assertEquals(2, DmFixtures.logged(database, ws.id(), "group_dm.received").size());
    }

    @Test
    void postingToA1to1ByItsIdIsADm() {
        String conversation = DmFixtures.dm(alice, "bob", "hi");

        String reply = DmFixtures.post(bob, conversation, Map.of("text", "hi back"), null)
                .then()
                .statusCode(201)
                .body("data.conversation_id", equalTo(conversation))
                .extract()
                .path("data.message.id");

        List<LoggedEvent> dms = DmFixtures.logged(database, ws.id(), "dm.received");
        assertEquals(2, dms.size());
        LoggedEvent event = dms.get(1);
        assertEquals(StableEventId.of(reply), event.eventId());
        assertEquals(List.of(recipient(alice)), event.recipients());
        assertEquals("alice", event.data().get("to"));
        assertEquals(bob.id(), event.data().get("from_agent_id"));
        assertEquals(0, DmFixtures.logged(database, ws.id(), "group_dm.received").size());
    }

    @Test
    void aParticipantAddsAnotherAgentOnce() {
        String group = DmFixtures.groupOf(alice, "bob");
        DmFixtures.post(alice, group, "before dave");

        addParticipant(bob, group, Map.of("agent_name", "dave")).statusCode(200)
                .body("data.conversation_id", equalTo(group))
                .body("data.agent", equalTo("dave"))
                .body("data.already_member", equalTo(false));
        addParticipant(alice, group, Map.of("agent_name", "dave")).statusCode(200)
                .body("data.already_member", equalTo(true));

        conversations(dave).body("data[0].participants.agent_name", contains("alice", "bob", "dave"))
                .body("data[0].unread_count", equalTo(0));
        DmFixtures.post(alice, group, "welcome dave");
        conversations(dave).body("data[0].unread_count", equalTo(1));
        LoggedEvent last = DmFixtures.logged(database, ws.id(), "group_dm.received").get(1);
        assertEquals(List.of(recipient(bob), recipient(dave)), last.recipients());
    }

    @Test
    void addingIsRefusedToOutsidersAndForUnknownAgentsOrA1to1() {
        String group = DmFixtures.groupOf(alice, "bob");
        String direct = DmFixtures.dm(alice, "bob", "hi");

        addParticipant(carol, group, Map.of("agent_name", "carol")).statusCode(403)
                .body("error.code", equalTo("forbidden"));
        addParticipant(alice, group, Map.of("agent_name", "nobody")).statusCode(404)
                .body("error.code", equalTo("agent_not_found"));
        addParticipant(alice, group, Map.of()).statusCode(400)
                .body("error.message", equalTo("agent_name is required"));
        addParticipant(alice, "42", Map.of("agent_name", "carol")).statusCode(404)
                .body("error.code", equalTo("dm_conversation_not_found"));
        addParticipant(alice, direct, Map.of("agent_name", "carol")).statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        conversations(carol).body("data", empty());
    }

    @Test
    void leavingRemovesTheCallerWhateverTheNameAndStopsItsDeliveries() {
        String group = DmFixtures.groupOf(alice, "bob", "carol");

        given().header("Authorization", carol.bearer())
                .delete("/v1/dm/" + group + "/participants/alice")
                .then()
                .statusCode(204);

        conversations(carol).body("data", empty());
        conversations(alice).body("data[0].participants.agent_name", contains("alice", "bob"));
        history(carol, group).statusCode(403);
        DmFixtures.post(alice, group, "without carol");
        assertEquals(List.of(recipient(bob)),
                DmFixtures.logged(database, ws.id(), "group_dm.received").get(0).recipients());
        given().header("Authorization", carol.bearer())
                .delete("/v1/dm/" + group + "/participants/carol")
                .then()
                .statusCode(403)
                .body("error.code", equalTo("forbidden"));
        given().header("Authorization", carol.bearer())
                .delete("/v1/dm/42/participants/carol")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("dm_conversation_not_found"));
    }

    @Test
    void onlyAgentsUseTheGroupRoutes() {
        String group = DmFixtures.groupOf(alice, "bob");
        Map<String, String> bearers = new HashMap<>();
        bearers.put(ws.key(), "unauthorized");
        bearers.put(PrincipalJwts.observer(ws.id(), ConversationFixtures.ALL_SCOPES, Map.of("include_dms", true)),
                "observer_token_forbidden");
        bearers.put(PrincipalJwts.node(ws.id()), "node_token_forbidden");
        bearers.forEach((bearer, code) -> {
            List<ValidatableResponse> answers = new ArrayList<>();
            answers.add(DmFixtures.as(bearer, null)
                    .body(Map.of("participants", List.of("bob")))
                    .post("/v1/dm/group")
                    .then());
            answers.add(DmFixtures.as(bearer, null)
                    .body(Map.of("text", "x"))
                    .post("/v1/dm/" + group + "/messages")
                    .then());
            answers.add(DmFixtures.as(bearer, null)
                    .body(Map.of("agent_name", "carol"))
                    .post("/v1/dm/" + group + "/participants")
                    .then());
            answers.add(given().header("Authorization", bearer)
                    .delete("/v1/dm/" + group + "/participants/bob")
                    .then());
            answers.forEach(answer -> answer.statusCode(401).body("error.code", equalTo(code)));
        });
        conversations(bob).body("data[0].participants", hasSize(2));
    }

    private static Map<String, Object> recipient(Member agent) {
        return Map.of("agent_id", agent.id(), "agent_name", agent.name(), "reason", "dm");
    }

    private static ValidatableResponse addParticipant(Member agent, String conversation, Map<String, Object> body) {
        return DmFixtures.as(agent.bearer(), null).body(body).post("/v1/dm/" + conversation + "/participants").then();
    }

    private static ValidatableResponse conversations(Member agent) {
        return given().header("Authorization", agent.bearer()).get("/v1/dm/conversations").then().statusCode(200);
    }

    private static ValidatableResponse history(Member agent, String conversation) {
        return given().header("Authorization", agent.bearer()).get("/v1/dm/" + conversation + "/messages").then();
    }
}
