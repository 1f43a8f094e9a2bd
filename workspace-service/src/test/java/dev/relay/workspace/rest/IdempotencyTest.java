package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * `Idempotency-Key` on channel posts and thread replies (contract §1.6): a replay answers the first answer again
 * with `Idempotency-Replayed: true` and writes nothing; the same key with another payload is 409; concurrent
 * duplicates make one message.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class IdempotencyTest {

    private Ws ws;
    private Member alice;
    private Member bob;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
        alice = Fixtures.agent(ws, "alice");
        bob = Fixtures.agent(ws, "bob");
    }

    @Test
    void aReplayAnswersTheFirstAnswerAndWritesNothing() {
        String key = UUID.randomUUID().toString();
        Response first = post(alice, key, Map.of("text", "deploy done"));
        first.then().statusCode(201).header("Idempotency-Replayed", nullValue());

        Response again = post(alice, key, Map.of("text", "deploy done"));

        again.then().statusCode(201).header("Idempotency-Replayed", equalTo("true")).body("ok", equalTo(true));
        assertEquals(first.jsonPath().getMap("data"), again.jsonPath().getMap("data"));
        assertEquals(1, history().size());
        assertEquals(1, eventsOfType("message.created"));
    }

    @Test
    void fieldOrderDoesNotMakeAnotherRequest() {
        String key = UUID.randomUUID().toString();
        post(alice, key, "{\"text\":\"hi\",\"data\":{\"a\":1,\"b\":2}}").then().statusCode(201);

        post(alice, key, "{\"data\":{\"b\":2,\"a\":1},\"text\":\"hi\"}").then()
                .statusCode(201)
                .header("Idempotency-Replayed", equalTo("true"));
        assertEquals(1, history().size());
    }

    @Test
    void theSameKeyWithAnotherPayloadIsAConflict() {
        String key = UUID.randomUUID().toString();
        post(alice, key, Map.of("text", "first")).then().statusCode(201);

        post(alice, key, Map.of("text", "second")).then()
                .statusCode(409)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("idempotency_key_reused"));
        assertEquals(1, history().size());
    }

    @Test
    void keysBelongToTheirAgentAndChannel() {
        String key = UUID.randomUUID().toString();
        given().header("Authorization", alice.bearer())
                .contentType(JSON)
                .body(Map.of("name", "ops"))
                .post("/v1/channels")
                .then()
                .statusCode(201);

        post(alice, key, Map.of("text", "same")).then().statusCode(201);
        post(bob, key, Map.of("text", "same")).then().statusCode(201).header("Idempotency-Replayed", nullValue());
        given().header("Authorization", alice.bearer())
                .header("Idempotency-Key", key)
                .contentType(JSON)
                .body(Map.of("text", "same"))
                .post("/v1/channels/ops/messages")
                .then()
                .statusCode(201)
                .header("Idempotency-Replayed", nullValue());

        assertEquals(2, history().size());
    }

    @Test
    void withoutAKeyEveryPostIsANewMessage() {
        post(alice, null, Map.of("text", "one")).then().statusCode(201);
        post(alice, null, Map.of("text", "one")).then().statusCode(201);

        assertEquals(2, history().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "tab\there", "ünïcode"})
    void aKeyOfInvisibleOrNonAsciiCharactersIsRefused(String key) {
        post(alice, key, Map.of("text", "x")).then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_idempotency_key"));
        assertEquals(0, history().size());
    }

    @Test
    void aKeyOfMoreThan255CharactersIsRefusedAndOf255Accepted() {
        post(alice, "k".repeat(256), Map.of("text", "x")).then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_idempotency_key"));
        post(alice, "k".repeat(255), Map.of("text", "x")).then().statusCode(201);
    }

    @Test
    void threadRepliesAreIdempotentPerParent() {
        String parent = post(alice, null, Map.of("text", "root")).then().statusCode(201).extract().path("data.id");
        String key = UUID.randomUUID().toString();

        Response first = reply(parent, key, Map.of("text", "ack"));
        Response again = reply(parent, key, Map.of("text", "ack"));

        first.then().statusCode(201).header("Idempotency-Replayed", nullValue());
        again.then().statusCode(201).header("Idempotency-Replayed", equalTo("true"));
        assertEquals(first.jsonPath().getMap("data"), again.jsonPath().getMap("data"));
        reply(parent, key, Map.of("text", "other")).then()
                .statusCode(409)
                .body("error.code",
                        equalTo("idempotency_key_reused"));
        assertEquals(1, eventsOfType("thread.reply"));
    }

    @Test
    void concurrentDuplicatesMakeOneMessage() throws Exception {
        String key = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> post(alice, key, Map.of("text", "once")));
            }
            List<String> ids = new ArrayList<>();
            int replays = 0;
            for (Future<Response> answer : pool.invokeAll(calls)) {
                Response response = answer.get();
                assertEquals(201, response.statusCode(), response.asString());
                ids.add(response.jsonPath().getString("data.id"));
                replays += "true".equals(response.header("Idempotency-Replayed")) ? 1 : 0;
            }
            assertEquals(1, ids.stream().distinct().count(), ids.toString());
            assertEquals(7, replays);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, history().size());
    }

    @Test
    void aRefusedPostDoesNotUseUpTheKey() {
        String key = UUID.randomUUID().toString();
        given().header("Authorization", alice.bearer())
                .header("Idempotency-Key", key)
                .contentType(JSON)
                .body(Map.of("text", "x"))
                .post("/v1/channels/nowhere/messages")
                .then()
                .statusCode(404);

        Response posted = post(alice, key, Map.of("text", "x"));

        posted.then().statusCode(201).header("Idempotency-Replayed", nullValue());
        assertNotEquals(null, posted.jsonPath().getString("data.id"));
    }

    private static Response post(Member agent, String key, Object body) {
        var request = given().header("Authorization", agent.bearer()).contentType(JSON).body(body);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.when().post("/v1/channels/general/messages");
    }

    private Response reply(String parent, String key, Map<String, Object> body) {
        return given().header("Authorization", alice.bearer())
                .header("Idempotency-Key", key)
                .contentType(JSON)
                .body(body)
                .when()
                .post("/v1/messages/" + parent + "/replies");
    }

    private List<Object> history() {
        return given().header("Authorization", ws.key())
                .get("/v1/channels/general/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data");
    }

    private long eventsOfType(String type) {
        ConversationFixtures.awaitSequenced();
        List<String> types = given().header("Authorization", ws.key())
                .get("/v1/workspace/events?since=0")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("data.events.type");
        return types.stream().filter(type::equals).count();
    }
}
