package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.event.StableEventId;
import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/**
 * `GET /v1/workspace/events` (contract §3.1, §7.5, §8.1) and what an observer's scopes and filters (§7) let it see
 * there and on the channel and message routes.
 */
@TestProfile(WorkspaceEventsTest.OnlyHeartbeatsAreSignsOfLife.class)
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class WorkspaceEventsTest {

    /**
     * Agent calls would otherwise add `agent.status.active` events at times these exact-log assertions cannot
     * predict; presence has its own test.
     */
    public static class OnlyHeartbeatsAreSignsOfLife implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.presence.from-calls", "false");
        }
    }

    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    private static final List<String> READ_ALL = List.of("stream:read", "messages:read", "threads:read",
            "channels:read");

    @Inject
    AgroalDataSource database;

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
    void aFreshWorkspaceHasAnEmptyLog() {
        events(ws.key(), Map.of()).body("events", empty())
                .body("latest_seq", equalTo(0))
                .body("next_since",
                        equalTo(0));
    }

    @Test
    void theLogListsEveryChangeInSeqOrderInTheClientShape() {
        String build = ConversationFixtures.channel(scout.bearer(), "build");
        ConversationFixtures.join(ada, "build");
        String message = ConversationFixtures.post(scout, "build", "hi @ada");
        String reply = ConversationFixtures.reply(ada, message, "hello");
        as(ada.bearer()).post("/v1/channels/build/mute").then().statusCode(200);
        as(ada.bearer()).post("/v1/channels/build/unmute").then().statusCode(200);
        as(ws.key()).contentType("application/json")
                .body(Map.of("topic", "Ship it"))
                .patch("/v1/channels/build/topic")
                .then()
                .statusCode(200);
        as(ada.bearer()).post("/v1/channels/build/leave").then().statusCode(204);
        as(ws.key()).delete("/v1/channels/build").then().statusCode(204);

        JsonPath log = ConversationFixtures.events(ws.key(), 0);
        assertEquals(List.of("channel.created", "member.joined", "message.created", "thread.reply",
                "member.channel_muted", "member.channel_unmuted", "channel.updated", "member.left",
                "channel.archived"), log.getList("data.events.type"));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), log.getList("data.events.seq"));
        assertEquals(9, log.getInt("data.latest_seq"));
        assertEquals(9, log.getInt("data.next_since"));
        for (int i = 0; i < 9; i++) {
            assertEquals(build, log.getString("data.events[" + i + "].channel_id"));
            assertEquals(build, log.getString("data.events[" + i + "].payload.channel_id"));
            String createdAt = log.getString("data.events[" + i + "].created_at");
            assertEquals(createdAt, log.getString("data.events[" + i + "].payload.created_at"));
            org.hamcrest.MatcherAssert.assertThat(createdAt, matchesPattern(Fixtures.ISO_MILLIS));
        }

        Map<String, Object> created = log.getMap("data.events[0].payload");
        assertEquals(Map.of("name", "build"), withoutNull(log.getMap("data.events[0].payload.channel")));
        assertEquals(true, log.getMap("data.events[0].payload.channel").containsKey("topic"));
        assertEquals(build, created.get("channel_id"));

        assertEquals(Map.of("channel", "build", "channel_id", build, "agent_id", ada.id(), "agent_name", "ada",
                "created_at", log.getString("data.events[1].created_at")), log.getMap("data.events[1].payload"));

        JsonPath posted = new JsonPath(log.prettify()).setRootPath("data.events[2].payload");
        assertEquals(StableEventId.of(message), posted.getString("id"));
        assertEquals("build", posted.getString("channel"));
        assertEquals(message, posted.getString("message.id"));
        assertEquals(scout.id(), posted.getString("message.agent_id"));
        assertEquals("scout", posted.getString("message.agent_name"));
        assertEquals("agent", posted.getString("message.agent_type"));
        assertEquals("hi @ada", posted.getString("message.text"));
        assertEquals("wait", posted.getString("message.injection_mode"));
        assertEquals(List.of(), posted.getList("message.attachments"));

        JsonPath replied = new JsonPath(log.prettify()).setRootPath("data.events[3].payload");
        org.hamcrest.MatcherAssert.assertThat(replied.getString("id"), matchesPattern(UUID));
        assertEquals(StableEventId.of(reply), replied.getString("id"));
        assertEquals("build", replied.getString("channel"));
        assertEquals(message, replied.getString("parent_id"));
        assertEquals(reply, replied.getString("message.id"));
        assertEquals("hello", replied.getString("message.text"));

        assertEquals("build", log.getString("data.events[4].payload.channel"));
        assertEquals("ada", log.getString("data.events[4].payload.agent_name"));
        assertEquals("ada", log.getString("data.events[5].payload.agent_name"));
        assertEquals(Map.of("name", "build", "topic", "Ship it"), log.getMap("data.events[6].payload.channel"));
        assertEquals("ada", log.getString("data.events[7].payload.agent_name"));
        assertEquals(Map.of("name", "build"), log.getMap("data.events[8].payload.channel"));
    }

    @Test
    void aChannelCreatedEventCarriesNameAndTopic() {
        String id = given().header("Authorization", ws.key())
                .contentType("application/json")
                .body(Map.of("name", "ops", "topic", "Pager duty"))
                .post("/v1/channels")
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");

        events(ws.key(), Map.of()).body("events.type", contains("channel.created"))
                .body("events[0].channel_id", equalTo(id))
                .body("events[0].payload.channel", equalTo(Map.of("name", "ops", "topic", "Pager duty")))
                .body("events[0].payload.channel_id", equalTo(id));
    }

    @Test
    void backfillStartsAfterTheSinceCursorAndPagesWithNextSince() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ConversationFixtures.post(scout, "general", "m" + i);
            texts.add("m" + i);
        }

        events(ws.key(), Map.of("since", "2")).body("events.seq", contains(3, 4, 5))
                .body("events.payload.message.text", contains("m2", "m3", "m4"))
                .body("latest_seq", equalTo(5))
                .body("next_since", equalTo(5));
        events(ws.key(), Map.of("since", "5")).body("events", empty()).body("next_since", equalTo(5));
        events(ws.key(), Map.of("since", "99")).body("events", empty()).body("next_since", equalTo(99));

        List<Object> seen = new ArrayList<>();
        long since = 0;
        for (int pages = 0; pages < 10; pages++) {
            JsonPath page = events(ws.key(), Map.of("since", String.valueOf(since), "limit", "2")).extract()
                    .jsonPath();
            List<Object> batch = page.getList("data.events.payload.message.text");
            org.hamcrest.MatcherAssert.assertThat(batch.size(), org.hamcrest.Matchers.lessThanOrEqualTo(2));
            seen.addAll(batch);
            since = page.getLong("data.next_since");
            if (since >= page.getLong("data.latest_seq")) {
                break;
            }
        }
        assertEquals(texts, seen);
    }

    @Test
    void badCursorsAreInvalidRequests() {
        for (Map<String, String> query : List.of(Map.of("since", "abc"), Map.of("since", "-1"),
                Map.of("limit", "x"), Map.of("since", "1.5"))) {
            as(ws.key()).queryParams(query)
                    .get("/v1/workspace/events")
                    .then()
                    .statusCode(400)
                    .body("ok", equalTo(false))
                    .body("error.code", equalTo("invalid_request"));
        }
    }

    @Test
    void onlyWorkspaceKeysAndObserversReadTheLog() {
        as(scout.bearer()).get("/v1/workspace/events")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", equalTo("This route takes workspace key (rk_live_...) or observer token "
                        + "(ot_live_...)"));
        as(PrincipalJwts.node(ws.id())).get("/v1/workspace/events")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("node_token_forbidden"));
        given().get("/v1/workspace/events").then().statusCode(401).body("error.code", equalTo("unauthorized"));
    }

    @Test
    void anotherWorkspacesEventsAreInvisible() {
        ConversationFixtures.post(scout, "general", "private");
        Ws other = Fixtures.workspace();

        events(other.key(), Map.of()).body("events", empty()).body("latest_seq", equalTo(0));
        events(ConversationFixtures.observer(other, READ_ALL, Map.of()), Map.of()).body("events", empty());
    }

    @Test
    void anObserverSeesOnlyTheEventTypesItsScopesCover() {
        busyWorkspace();

        events(observer(List.of("stream:read", "messages:read"), Map.of()), Map.of())
                .body("events.type", contains("message.created", "message.created"));
        events(observer(List.of("stream:read", "threads:read"), Map.of()), Map.of())
                .body("events.type", contains("thread.reply"));
        events(observer(List.of("stream:read", "channels:read"), Map.of()), Map.of())
                .body("events.type", contains("channel.created", "member.joined"));
        events(observer(List.of("stream:read"), Map.of()), Map.of()).body("events", empty())
                .body("latest_seq", equalTo(5))
                .body("next_since", equalTo(5));
        events(ws.key(), Map.of()).body("events.type", contains("channel.created", "member.joined",
                "message.created", "message.created", "thread.reply"));
    }

    @Test
    void aChannelFilterHidesOtherChannelsEvents() {
        String build = busyWorkspace();

        events(observer(READ_ALL, Map.of("channel_names", List.of("build"))), Map.of())
                .body("events.type", contains("channel.created", "member.joined", "message.created"))
                .body("events.channel_id", contains(build, build, build));
        events(observer(READ_ALL, Map.of("channel_ids", List.of(build))), Map.of())
                .body("events.type", contains("channel.created", "member.joined", "message.created"));
        events(observer(READ_ALL, Map.of("channel_names", List.of("general"))), Map.of())
                .body("events.type", contains("message.created", "thread.reply"))
                .body("next_since", equalTo(5));
    }

    @Test
    void anAgentFilterShowsOnlyThoseAgentsEvents() {
        busyWorkspace();

        events(observer(READ_ALL, Map.of("agent_ids", List.of(ada.id()))), Map.of())
                .body("events.type", contains("member.joined", "thread.reply"));
        events(observer(READ_ALL, Map.of("agent_ids", List.of(scout.id()))), Map.of())
                .body("events.type", contains("message.created", "message.created"));
    }

    @Test
    void eventTypesAndCreatedAfterFiltersApply() {
        busyWorkspace();
        Instant cutoff = cutoff();
        ConversationFixtures.post(ada, "general", "late");

        events(observer(READ_ALL, Map.of("event_types", List.of("member.joined", "thread.reply"))), Map.of())
                .body("events.type", contains("member.joined", "thread.reply"));
        events(observer(READ_ALL, Map.of("created_after", cutoff.toString())), Map.of())
                .body("events.type", contains("message.created"))
                .body("events[0].payload.message.text", equalTo("late"));
    }

    @Test
    void directMessageEventsNeedIncludeDmsAndTheDmsScope() throws SQLException {
        ConversationFixtures.post(scout, "general", "public");
        appendDirectMessageEvent("dm_0123456789abcdef01234567");
        List<String> withDms = new ArrayList<>(READ_ALL);
        withDms.add("dms:read");

        events(ws.key(), Map.of()).body("events.type", contains("message.created", "dm.received"));
        events(observer(withDms, Map.of()), Map.of()).body("events.type", contains("message.created"));
        events(observer(withDms, Map.of("include_dms", false)), Map.of()).body("events.type",
                contains("message.created"));
        events(observer(READ_ALL, Map.of("include_dms", true)), Map.of()).body("events.type",
                contains("message.created"));
        events(observer(withDms, Map.of("include_dms", true)), Map.of()).body("events.type",
                contains("message.created", "dm.received"));
        events(observer(withDms, Map.of("include_dms", true, "channel_names", List.of("build"))), Map.of())
                .body("events.type", contains("dm.received"));
        events(observer(withDms, Map.of("include_dms", true, "dm_conversation_ids", List.of("dm_other"))), Map.of())
                .body("events.type", contains("message.created"));
    }

    @Test
    void aChannelFilteredObserverGetsNotFoundForHiddenChannelsAndMessages() {
        String build = busyWorkspace();
        String general = generalMessage();
        String inBuild = ConversationFixtures.post(scout, "build", "visible");
        String filtered = observer(List.of("channels:read", "messages:read", "threads:read"),
                Map.of("channel_names", List.of("build")));

        as(filtered).get("/v1/channels").then().statusCode(200).body("data.name", contains("build"));
        as(filtered).get("/v1/channels/build").then().statusCode(200).body("data.id", equalTo(build));
        for (String path : List.of("/v1/channels/general", "/v1/channels/general/members",
                "/v1/channels/general/messages")) {
            as(filtered).get(path)
                    .then()
                    .statusCode(404)
                    .body("error.code", equalTo("channel_not_found"))
                    .body("error.message", equalTo("Channel 'general' not found"));
        }
        for (String path : List.of("/v1/messages/" + general, "/v1/messages/" + general + "/replies")) {
            as(filtered).get(path)
                    .then()
                    .statusCode(404)
                    .body("error.code", equalTo("message_not_found"))
                    .body("error.message", equalTo("Message " + general + " not found"));
        }
        as(filtered).get("/v1/messages/" + inBuild).then().statusCode(200).body("data.text", equalTo("visible"));
        as(filtered).get("/v1/channels/build/messages")
                .then()
                .statusCode(200)
                .body("data.text", contains("visible", "hi @ada"));
        as(ws.key()).get("/v1/messages/" + general).then().statusCode(200);
    }

    @Test
    void anAgentFilteredObserverGetsNotFoundForOtherAgentsMessages() {
        String byScout = ConversationFixtures.post(scout, "general", "from scout");
        String byAda = ConversationFixtures.post(ada, "general", "from ada");
        String filtered = observer(List.of("channels:read", "messages:read", "threads:read"),
                Map.of("agent_ids", List.of(ada.id())));

        as(filtered).get("/v1/messages/" + byAda).then().statusCode(200).body("data.text", equalTo("from ada"));
        as(filtered).get("/v1/messages/" + byScout)
                .then()
                .statusCode(404)
                .body("error.code", equalTo("message_not_found"));
        as(filtered).get("/v1/channels/general/messages")
                .then()
                .statusCode(200)
                .body("data.text", contains("from ada"));
    }

    @Test
    void aCreatedAfterObserverGetsNotFoundForEarlierMessages() {
        String early = ConversationFixtures.post(scout, "general", "early");
        Instant cutoff = cutoff();
        String late = ConversationFixtures.post(scout, "general", "late");
        String filtered = observer(List.of("messages:read"), Map.of("created_after", cutoff.toString()));

        as(filtered).get("/v1/messages/" + late).then().statusCode(200);
        as(filtered).get("/v1/messages/" + early)
                .then()
                .statusCode(404)
                .body("error.code",
                        equalTo("message_not_found"));
        as(filtered).get("/v1/channels/general/messages").then().statusCode(200).body("data.text", contains("late"));
    }

    /** `GET /v1/messages/:id` takes `dms:read` for DM messages; it does not open channel messages to it (§7.3). */
    @Test
    void theDmsScopeAloneDoesNotReadChannelMessages() {
        String message = ConversationFixtures.post(scout, "general", "channel talk");

        as(observer(List.of("dms:read"), Map.of("include_dms", true))).get("/v1/messages/" + message)
                .then()
                .statusCode(404)
                .body("error.code", equalTo("message_not_found"));
        as(observer(List.of("messages:read"), Map.of())).get("/v1/messages/" + message).then().statusCode(200);
    }

    /** A channel `build` with ada in it and one message there; one message in general with one reply by ada. */
    private String busyWorkspace() {
        String build = ConversationFixtures.channel(scout.bearer(), "build");
        ConversationFixtures.join(ada, "build");
        ConversationFixtures.post(scout, "build", "hi @ada");
        String general = ConversationFixtures.post(scout, "general", "in general");
        ConversationFixtures.reply(ada, general, "reply in general");
        return build;
    }

    /**
     * A cutoff strictly between what happened before and what happens after: timestamps on the wire have
     * milliseconds, so keep a few of them clear on both sides.
     */
    private static Instant cutoff() {
        pause();
        Instant cutoff = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        pause();
        return cutoff;
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String generalMessage() {
        return as(ws.key()).get("/v1/channels/general/messages").then().extract().path("data[0].id");
    }

    /**
     * Appends a `dm.received` to the log as a DM post would: without a seq, which the outbox relay gives it (DM routes
     * have their own tests; this one is about what an observer may see).
     */
    private void appendDirectMessageEvent(String conversationId) throws SQLException {
        String message = Fixtures.unique("dm-msg");
        Instant now = Instant.now();
        String payload = "{\"id\":\"" + StableEventId.of(message) + "\",\"conversation_id\":\"" + conversationId
                + "\",\"message\":{\"id\":\"" + message + "\",\"agent_id\":\"" + scout.id()
                + "\",\"agent_name\":\"scout\",\"text\":\"psst\",\"attachments\":[]},\"created_at\":\"" + now + "\"}";
        try (Connection connection = database.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "insert into workspace_events (workspace_id, event_id, type, channel_id, payload, data, "
                                + "created_at) values (?, ?, 'dm.received', null, ?, ?, ?)")) {
            insert.setString(1, ws.id());
            insert.setString(2, "evt_" + message);
            insert.setString(3, payload);
            insert.setString(4, payload);
            insert.setTimestamp(5, java.sql.Timestamp.from(now));
            insert.executeUpdate();
        }
    }

    private String observer(List<String> scopes, Map<String, Object> filters) {
        return ConversationFixtures.observer(ws, scopes, filters);
    }

    private static RequestSpecification as(String bearer) {
        return given().header("Authorization", bearer);
    }

    private static ValidatableResponse events(String bearer, Map<String, String> query) {
        ConversationFixtures.awaitSequenced();
        return as(bearer).queryParams(query)
                .get("/v1/workspace/events")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .rootPath("data");
    }

    private static Map<String, Object> withoutNull(Map<String, Object> map) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(map);
        copy.values().removeIf(java.util.Objects::isNull);
        return copy;
    }
}
