package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
 * 1:1 direct messages (contract §3.7): `POST /v1/dm` with its SendDmResponse, the deterministic conversation (§1.7),
 * the `dm.received` event with its one recipient (§6.3, §8, §13), the caller's conversations with unread counts and
 * their history; DM backing channels stay out of every channel route.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class DmTest {

    @Inject
    AgroalDataSource database;

    private Ws ws;
    private Member alice;
    private Member bob;
    private Member carol;

    @BeforeEach
    void threeAgents() {
        ws = Fixtures.workspace();
        alice = Fixtures.agent(ws, "alice");
        bob = Fixtures.agent(ws, "bob");
        carol = Fixtures.agent(ws, "carol");
    }

    @Test
    void aDmAnswersTheSendDmResponseWithItsLegacyFields() {
        String hash = DmFixtures.pairHash(ws.id(), alice.id(), bob.id());

        JsonPath sent = DmFixtures.dm(alice, Map.of("to", "bob", "text", "hello bob"), null)
                .then()
                .statusCode(201)
                .header("Idempotency-Replayed", nullValue())
                .body("ok", equalTo(true))
                .body("data.conversation_id", equalTo("dm_" + hash))
                .body("data.message.agent_id", equalTo(alice.id()))
                .body("data.message.agent_name", equalTo("alice"))
                .body("data.message.agent_type", equalTo("agent"))
                .body("data.message.text", equalTo("hello bob"))
                .body("data.message.injection_mode", equalTo("wait"))
                .body("data.message.attachments", empty())
                .body("data.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data.from_agent_id", equalTo(alice.id()))
                .body("data.to", equalTo("bob"))
                .body("data.text", equalTo("hello bob"))
                .body("data.injection_mode", equalTo("wait"))
                .body("data.attachments", empty())
                .extract()
                .jsonPath();

        assertEquals(sent.getString("data.message.id"), sent.getString("data.id"));
        assertEquals(List.of("attachments", "conversation_id", "created_at", "from_agent_id", "id",
                "injection_mode", "message", "text", "to"), sent.getMap("data").keySet().stream().sorted().toList());
    }

    @Test
    void theSamePairInEitherDirectionLandsInOneConversationBackedByTheDeterministicChannel() {
        String hash = DmFixtures.pairHash(ws.id(), alice.id(), bob.id());

        String there = DmFixtures.dm(alice, "bob", "ping");
        String back = DmFixtures.dm(bob, "alice", "pong");

        assertEquals("dm_" + hash, there);
        assertEquals(there, back);
        conversations(alice).body("data", hasSize(1))
                .body("data[0].id", equalTo(there))
                .body("data[0].participants.agent_name", containsInAnyOrder("alice", "bob"));
        assertEquals(1, DmFixtures.count(database, "select count(*) from channels where id = ? and name = ? "
                + "and channel_type = 1 and workspace_id = ?", "dmch_" + hash, "dm-" + hash, ws.id()));
        history(bob, there).statusCode(200).body("data.text", contains("pong", "ping"));
    }

    @Test
    void theDmIsLoggedAsDmReceivedForTheRecipientUnderTheMessagesStableId() {
        String messageId = DmFixtures.dm(alice, Map.of("to", "bob", "text", "deploy?", "mode", "steer"), null)
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");
        String conversation = "dm_" + DmFixtures.pairHash(ws.id(), alice.id(), bob.id());

        List<LoggedEvent> logged = DmFixtures.logged(database, ws.id(), "dm.received");

        assertEquals(1, logged.size());
        LoggedEvent event = logged.get(0);
        assertEquals(StableEventId.of(messageId), event.eventId());
        assertEquals("dmch_" + conversation.substring(3), event.channelId());
        assertEquals(List.of(Map.of("agent_id", bob.id(), "agent_name", "bob", "reason", "dm")), event.recipients());
        assertEquals(StableEventId.of(messageId), event.payload().get("id"));
        assertEquals(conversation, event.payload().get("conversation_id"));
        assertEquals(Map.of("id", messageId, "agent_id", alice.id(), "agent_name", "alice", "agent_type", "agent",
                "text", "deploy?", "injection_mode", "steer", "attachments", List.of()),
                event.payload().get("message"));
        // Raw data (§8.2): the answer plus from_name, with the fields the SDK's node transform falls back on.
        assertEquals(conversation, event.data().get("conversation_id"));
        assertEquals(messageId, event.data().get("id"));
        assertEquals(alice.id(), event.data().get("from_agent_id"));
        assertEquals(alice.id(), event.data().get("agent_id"));
        assertEquals("alice", event.data().get("from_name"));
        assertEquals("bob", event.data().get("to"));
        assertEquals("deploy?", event.data().get("text"));
        assertEquals("steer", event.data().get("injection_mode"));
        assertEquals(event.payload().get("message"), event.data().get("message"));
    }

    @Test
    void theLogShowsClientsTheClientShapeButNeverTheRecipientsOrRawData() {
        String messageId = DmFixtures.dm(alice, Map.of("to", "bob", "text", "hi"), null)
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");

        JsonPath log = ConversationFixtures.events(ws.key(), 0);

        List<Map<String, Object>> dms = log.getList("data.events.findAll { it.type == 'dm.received' }");
        assertEquals(1, dms.size());
        Map<String, Object> event = dms.get(0);
        assertEquals("dmch_" + DmFixtures.pairHash(ws.id(), alice.id(), bob.id()), event.get("channel_id"));
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) event.get("payload");
        assertEquals(StableEventId.of(messageId), payload.get("id"));
        assertEquals(List.of("conversation_id", "created_at", "id", "message"),
                payload.keySet().stream().sorted().toList());
        assertFalse(log.prettify().contains("recipients"), log.prettify());
        assertFalse(log.prettify().contains("from_name"), log.prettify());
    }

    @Test
    void aDmToSelfIsStoredInTheSelfConversationAndDeliveredToNobody() {
        String hash = DmFixtures.pairHash(ws.id(), alice.id(), alice.id());

        DmFixtures.dm(alice, Map.of("to", "@self", "text", "note to self"), null)
                .then()
                .statusCode(201)
                .body("data.conversation_id", equalTo("dm_" + hash))
                .body("data.to", equalTo("@self"));

        LoggedEvent event = DmFixtures.logged(database, ws.id(), "dm.received").get(0);
        assertEquals(List.of(), event.recipients());
        conversations(alice).body("data", hasSize(1))
                .body("data[0].participants.agent_name", contains("alice"))
                .body("data[0].unread_count", equalTo(0))
                .body("data[0].last_message.text", equalTo("note to self"));
        history(alice, "dm_" + hash).body("data.text", contains("note to self"));
    }

    @Test
    void aRecipientMayBeNamedWithALeadingAt() {
        DmFixtures.dm(alice, Map.of("to", "@bob", "text", "hi"), null)
                .then()
                .statusCode(201)
                .body("data.to", equalTo("@bob"))
                .body("data.conversation_id", equalTo("dm_" + DmFixtures.pairHash(ws.id(), alice.id(), bob.id())));
    }

    @Test
    void aDmIsValidated() {
        refused(Map.of("text", "hi"), 400, "invalid_request", "\"to\" agent name is required");
        refused(Map.of("to", "", "text", "hi"), 400, "invalid_request", "\"to\" agent name is required");
        refused(Map.of("to", "bob"), 400, "invalid_request", "text is required");
        refused(Map.of("to", "bob", "text", ""), 400, "invalid_request", "text is required");
        refused(Map.of("to", "bob", "text", 7), 400, "invalid_request", "text is required");
        refused(Map.of("to", "bob", "text", "hi", "mode", "later"), 400, "invalid_request",
                "mode must be \"wait\" or \"steer\"");
        refused(Map.of("to", "bob", "text", "hi", "attachments", "f1"), 400, "invalid_request",
                "attachments must be an array of file ids");
        refused(Map.of("to", "bob", "text", "hi", "attachments", List.of("f1")), 400, "invalid_attachments", null);
        refused(Map.of("to", "nobody", "text", "hi"), 404, "agent_not_found", "Agent \"nobody\" not found");
        DmFixtures.as(alice.bearer(), null)
                .body("{\"to\":")
                .when()
                .post("/v1/dm")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_json"));

        conversations(alice).body("data", empty());
        assertEquals(0, DmFixtures.logged(database, ws.id(), "dm.received").size());
    }

    @Test
    void onlyAgentsUseTheDmRoutes() {
        String conversation = DmFixtures.dm(alice, "bob", "hi");
        Map<String, String> bearers = Map.of(ws.key(), "unauthorized",
                PrincipalJwts.observer(ws.id(), ConversationFixtures.ALL_SCOPES, Map.of("include_dms", true)),
                "observer_token_forbidden", PrincipalJwts.node(ws.id()), "node_token_forbidden");
        bearers.forEach((bearer, code) -> {
            DmFixtures.as(bearer, null)
                    .body(Map.of("to", "bob", "text", "x"))
                    .post("/v1/dm")
                    .then()
                    .statusCode(401)
                    .body("error.code", equalTo(code));
            given().header("Authorization", bearer)
                    .get("/v1/dm/conversations")
                    .then()
                    .statusCode(401)
                    .body("error.code", equalTo(code));
            given().header("Authorization", bearer)
                    .get("/v1/dm/" + conversation + "/messages")
                    .then()
                    .statusCode(401)
                    .body("error.code", equalTo(code));
        });
        given().get("/v1/dm/conversations").then().statusCode(401).body("error.code", equalTo("unauthorized"));
    }

    @Test
    void aConversationSummaryCountsWhatTheCallerHasNotRead() {
        DmFixtures.dm(alice, "bob", "one");
        String second = DmFixtures.post(alice, DmFixtures.dm(alice, "bob", "two"), "three");

        conversations(bob).body("data", hasSize(1))
                .body("data[0].type", equalTo("1:1"))
                .body("data[0].name", nullValue())
                .body("data[0].participants", hasSize(2))
                .body("data[0].participants.agent_id", containsInAnyOrder(alice.id(), bob.id()))
                .body("data[0].last_message.id", equalTo(second))
                .body("data[0].last_message.text", equalTo("three"))
                .body("data[0].last_message.agent_id", equalTo(alice.id()))
                .body("data[0].last_message.agent_type", equalTo("agent"))
                .body("data[0].last_message.created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data[0].unread_count", equalTo(3))
                .body("data[0].created_at", matchesPattern(Fixtures.ISO_MILLIS));
        conversations(alice).body("data[0].unread_count", equalTo(0));

        given().header("Authorization", bob.bearer()).post("/v1/messages/" + second + "/read").then().statusCode(200);
        conversations(bob).body("data[0].unread_count", equalTo(0));

        DmFixtures.dm(alice, "bob", "four");
        conversations(bob).body("data[0].unread_count", equalTo(1));
    }

    @Test
    void conversationsAreListedNewestFirstAndOnlyTheCallersOwn() {
        String older = DmFixtures.dm(alice, "bob", "first");
        String newer = DmFixtures.dm(alice, "carol", "second");
        DmFixtures.dm(bob, "carol", "not alice's");

        conversations(alice).body("data.id", contains(newer, older));
        conversations(carol).body("data", hasSize(2));
    }

    @Test
    void historyIsNewestFirstAndPagesByMessageIds() {
        String conversation = DmFixtures.dm(alice, "bob", "m1");
        String m2 = DmFixtures.post(bob, conversation, "m2");
        String m3 = DmFixtures.post(alice, conversation, "m3");
        DmFixtures.post(bob, conversation, "m4");

        history(bob, conversation).body("data.text", contains("m4", "m3", "m2", "m1"))
                .body("data[0].agent_id", equalTo(bob.id()))
                .body("data[0].agent_name", equalTo("bob"))
                .body("data[0].agent_type", equalTo("agent"))
                .body("data[0].injection_mode", equalTo("wait"))
                .body("data[0].attachments", empty())
                .body("data[0].created_at", matchesPattern(Fixtures.ISO_MILLIS));
        page(alice, conversation, Map.of("limit", "2")).body("data.text", contains("m4", "m3"));
        page(alice, conversation, Map.of("before", m3)).body("data.text", contains("m2", "m1"));
        page(alice, conversation, Map.of("after", m2)).body("data.text", contains("m4", "m3"));
        page(alice, conversation, Map.of("before", m3, "after", "" + m2)).body("data", empty());
        page(alice, conversation, Map.of("limit", "0")).body("data", hasSize(1));
        page(alice, conversation, Map.of("limit", "abc")).statusCode(400)
                .body("error.code",
                        equalTo("invalid_request"));
        page(alice, conversation, Map.of("before", "123")).statusCode(404)
                .body("error.code",
                        equalTo("message_not_found"));
    }

    @Test
    void onlyParticipantsReadAConversationAndAnUnknownOneIsNotFound() {
        String conversation = DmFixtures.dm(alice, "bob", "private");

        history(carol, conversation).statusCode(403).body("error.code", equalTo("forbidden"));
        history(alice, "dm_000000000000000000000000").statusCode(404)
                .body("error.code", equalTo("dm_conversation_not_found"));
        Ws other = Fixtures.workspace();
        Member stranger = Fixtures.agent(other, "alice");
        history(stranger, conversation).statusCode(404).body("error.code", equalTo("dm_conversation_not_found"));
    }

    @Test
    void dmBackingChannelsStayOutOfEveryChannelRoute() {
        String hash = DmFixtures.pairHash(ws.id(), alice.id(), bob.id());
        DmFixtures.dm(alice, "bob", "secret");
        String name = "dm-" + hash;

        given().header("Authorization", ws.key())
                .get("/v1/channels")
                .then()
                .statusCode(200)
                .body("data.name", not(org.hamcrest.Matchers.hasItem(name)));
        for (String path : List.of("/v1/channels/" + name, "/v1/channels/" + name + "/members",
                "/v1/channels/" + name + "/messages")) {
            given().header("Authorization", alice.bearer())
                    .get(path)
                    .then()
                    .statusCode(404)
                    .body("error.code", equalTo("channel_not_found"));
        }
        DmFixtures.as(alice.bearer(), null)
                .body(Map.of("text", "x"))
                .post("/v1/channels/" + name + "/messages")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("channel_not_found"));
        given().header("Authorization", alice.bearer())
                .post("/v1/channels/" + name + "/join")
                .then()
                .statusCode(404);
        given().header("Authorization", alice.bearer())
                .get("/v1/agent")
                .then()
                .statusCode(200)
                .body("data.channels.name", contains("general"));
    }

    @Test
    void aRegularChannelNamedLikeADmChannelDoesNotBlockTheDm() {
        String hash = DmFixtures.pairHash(ws.id(), alice.id(), bob.id());
        ConversationFixtures.channel(carol.bearer(), "dm-" + hash);

        assertEquals("dm_" + hash, DmFixtures.dm(alice, "bob", "still private"));
        given().header("Authorization", carol.bearer())
                .get("/v1/channels/dm-" + hash + "/messages")
                .then()
                .statusCode(200)
                .body("data", empty());
    }

    @Test
    void leavingA1to1HidesItUntilTheNextDmRestoresIt() {
        String conversation = DmFixtures.dm(alice, "bob", "hi");

        given().header("Authorization", bob.bearer())
                .delete("/v1/dm/" + conversation + "/participants/bob")
                .then()
                .statusCode(204);
        conversations(bob).body("data", empty());
        history(bob, conversation).statusCode(403);

        DmFixtures.dm(alice, "bob", "come back");
        conversations(bob).body("data.id", contains(conversation)).body("data[0]", hasKey("unread_count"));
        LoggedEvent last = DmFixtures.logged(database, ws.id(), "dm.received").get(1);
        assertEquals(bob.id(), last.recipients().get(0).get("agent_id"));
    }

    @Test
    void aReplayAnswersTheFirstAnswerAgainAndSendsNothing() {
        String key = UUID.randomUUID().toString();
        Response first = DmFixtures.dm(alice, Map.of("to", "bob", "text", "once"), key);
        first.then().statusCode(201).header("Idempotency-Replayed", nullValue());

        Response again = DmFixtures.dm(alice, Map.of("to", "bob", "text", "once", "mode", "wait"), key);

        again.then().statusCode(201).header("Idempotency-Replayed", equalTo("true"));
        assertEquals(first.jsonPath().getMap("data"), again.jsonPath().getMap("data"));
        history(bob, first.jsonPath().getString("data.conversation_id")).body("data", hasSize(1));
        assertEquals(1, DmFixtures.logged(database, ws.id(), "dm.received").size());
    }

    @Test
    void theSameKeyWithAnotherDmIsAConflict() {
        String key = UUID.randomUUID().toString();
        DmFixtures.dm(alice, Map.of("to", "bob", "text", "once"), key).then().statusCode(201);

        for (Map<String, Object> other : List.<Map<String, Object>>of(Map.of("to", "bob", "text", "twice"),
                Map.of("to", "carol", "text", "once"), Map.of("to", "bob", "text", "once", "mode", "steer"))) {
            DmFixtures.dm(alice, other, key)
                    .then()
                    .statusCode(409)
                    .body("error.code", equalTo("idempotency_key_reused"));
        }
        assertEquals(1, DmFixtures.logged(database, ws.id(), "dm.received").size());
    }

    @Test
    void keysBelongToTheirAgentAndARefusedDmDoesNotUseOneUp() {
        String key = UUID.randomUUID().toString();
        DmFixtures.dm(alice, Map.of("to", "nobody", "text", "x"), key).then().statusCode(404);

        DmFixtures.dm(alice, Map.of("to", "bob", "text", "x"), key)
                .then()
                .statusCode(201)
                .header("Idempotency-Replayed", nullValue());
        DmFixtures.dm(bob, Map.of("to", "alice", "text", "x"), key)
                .then()
                .statusCode(201)
                .header("Idempotency-Replayed", nullValue());
        DmFixtures.dm(alice, Map.of("to", "bob", "text", "x"), "has space")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_idempotency_key"));
        assertEquals(2, DmFixtures.logged(database, ws.id(), "dm.received").size());
    }

    @Test
    void concurrentFirstDmsOfOnePairMeetInOneConversation() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Member from = i % 2 == 0 ? alice : bob;
                String to = i % 2 == 0 ? "bob" : "alice";
                calls.add(() -> DmFixtures.dm(from, Map.of("to", to, "text", "race"), null));
            }
            List<String> conversations = new ArrayList<>();
            for (Future<Response> answer : pool.invokeAll(calls)) {
                Response response = answer.get();
                assertEquals(201, response.statusCode(), response.asString());
                conversations.add(response.jsonPath().getString("data.conversation_id"));
            }
            assertEquals(List.of("dm_" + DmFixtures.pairHash(ws.id(), alice.id(), bob.id())),
                    conversations.stream().distinct().toList());
        } finally {
            pool.shutdownNow();
        }
        history(alice, "dm_" + DmFixtures.pairHash(ws.id(), alice.id(), bob.id())).statusCode(200)
                .body("data", hasSize(8));
        conversations(bob).body("data", hasSize(1));
    }

    private void refused(Map<String, Object> body, int status, String code, String message) {
        ValidatableResponse response = DmFixtures.dm(alice, body, null)
                .then()
                .statusCode(status)
                .body("ok", equalTo(false))
                .body("error.code", equalTo(code));
        if (message != null) {
            response.body("error.message", equalTo(message));
        }
    }

    private static ValidatableResponse conversations(Member agent) {
        return given().header("Authorization", agent.bearer()).get("/v1/dm/conversations").then().statusCode(200);
    }

    private static ValidatableResponse history(Member agent, String conversation) {
        return given().header("Authorization", agent.bearer()).get("/v1/dm/" + conversation + "/messages").then();
    }

    private static ValidatableResponse page(Member agent, String conversation, Map<String, String> query) {
        return given().header("Authorization", agent.bearer())
                .queryParams(query)
                .get("/v1/dm/" + conversation + "/messages")
                .then();
    }
}
