package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;
import io.restassured.path.json.JsonPath;

/** Channels, messages and events the conversation tests start from, made through the public API. */
final class ConversationFixtures {

    /** Every observer scope of contract §7.1. */
    static final List<String> ALL_SCOPES = List.of("stream:read", "messages:read", "threads:read", "dms:read",
            "channels:read", "search:read", "agents:read", "nodes:read", "deliveries:read", "activity:read",
            "files:read", "reactions:read");

    private ConversationFixtures() {
    }

    /** Creates a channel as {@code bearer}; answers its id. */
    static String channel(String bearer, String name) {
        return given().contentType(JSON)
                .header("Authorization", bearer)
                .body(Map.of("name", name))
                .when()
                .post("/v1/channels")
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");
    }

    static void join(Member agent, String channel) {
        given().header("Authorization", agent.bearer())
                .when()
                .post("/v1/channels/" + channel + "/join")
                .then()
                .statusCode(200);
    }

    /** Posts {@code text} to the channel as the agent; answers the new message's id. */
    static String post(Member agent, String channel, String text) {
        return given().contentType(JSON)
                .header("Authorization", agent.bearer())
                .body(Map.of("text", text))
                .when()
                .post("/v1/channels/" + channel + "/messages")
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");
    }

    /** Replies to the message as the agent; answers the reply's id. */
    static String reply(Member agent, String parentId, String text) {
        return given().contentType(JSON)
                .header("Authorization", agent.bearer())
                .body(Map.of("text", text))
                .when()
                .post("/v1/messages/" + parentId + "/replies")
                .then()
                .statusCode(201)
                .extract()
                .path("data.id");
    }

    /** An observer principal of the workspace with the given scopes and filters. */
    static String observer(Ws ws, List<String> scopes, Map<String, Object> filters) {
        return PrincipalJwts.observer(ws.id(), scopes, filters);
    }

    /**
     * `GET /v1/workspace/events?since=` as {@code bearer}, expecting 200, once every event written so far is in the
     * log.
     */
    static JsonPath events(String bearer, long since) {
        awaitSequenced();
        return given().header("Authorization", bearer)
                .queryParam("since", since)
                .when()
                .get("/v1/workspace/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** The workspace's events of one type since the start, once every committed event is sequenced. */
    static List<Map<String, Object>> eventsOfType(String bearer, String type) {
        List<Map<String, Object>> all = events(bearer, 0).getList("data.events");
        return all.stream().filter(event -> type.equals(event.get("type"))).toList();
    }

    /** The workspace's latest event seq, as the workspace key sees it. */
    static long latestSeq(Ws ws) {
        return events(ws.key(), 0).getLong("data.latest_seq");
    }

    /**
     * Waits until the outbox relay has given every committed event its seq: a write answers before its event is in
     * the `since` log, so a test reading the log right after writing waits for this first.
     */
    static void awaitSequenced() {
        AgroalDataSource database = Arc.container().instance(AgroalDataSource.class).get();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        try (Connection connection = database.getConnection(); Statement query = connection.createStatement()) {
            while (true) {
                try (ResultSet row = query.executeQuery(
                        "select exists (select 1 from workspace_events where seq is null)")) {
                    row.next();
                    if (!row.getBoolean(1)) {
                        return;
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("the outbox relay left events without a seq for 10 s");
                }
                Thread.sleep(5);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
