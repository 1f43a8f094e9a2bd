package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.relay.common.json.RelayJson;
import dev.relay.common.token.Tokens;
import dev.relay.workspace.rest.Fixtures.Member;
import io.agroal.api.AgroalDataSource;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** DMs, group DMs and their event-log rows, made and read as the DM tests need them. */
final class DmFixtures {

    private DmFixtures() {
    }

    /** One row of the durable event log, with what clients never see (raw data, recipients) as JSON. */
    record LoggedEvent(String type, String eventId, String channelId, Map<String, Object> payload,
            Map<String, Object> data, List<Map<String, Object>> recipients) {
    }

    /** The deterministic 1:1 conversation hash of contract §1.7, computed independently of the service. */
    static String pairHash(String workspaceId, String agentA, String agentB) {
        boolean aFirst = new java.math.BigInteger(agentA).compareTo(new java.math.BigInteger(agentB)) <= 0;
        String low = aFirst ? agentA : agentB;
        String high = aFirst ? agentB : agentA;
        return Tokens.sha256Hex(workspaceId + ":" + low + ":" + high).substring(0, 24);
    }

    static RequestSpecification as(String bearer, String idempotencyKey) {
        RequestSpecification request = given().header("Authorization", bearer).contentType(JSON);
        return idempotencyKey == null ? request : request.header("Idempotency-Key", idempotencyKey);
    }

    static Response dm(Member from, Object body, String idempotencyKey) {
        return as(from.bearer(), idempotencyKey).body(body).when().post("/v1/dm");
    }

    /** Sends a DM and answers its conversation id. */
    static String dm(Member from, String to, String text) {
        return dm(from, Map.of("to", to, "text", text), null).then()
                .statusCode(201)
                .extract()
                .path("data.conversation_id");
    }

    static Response group(Member creator, Object body, String idempotencyKey) {
        return as(creator.bearer(), idempotencyKey).body(body).when().post("/v1/dm/group");
    }

    /** Creates a group DM of the creator and the named agents; answers its id. */
    static String groupOf(Member creator, String... participants) {
        return group(creator, Map.of("participants", List.of(participants)), null).then()
                .statusCode(201)
                .extract()
                .path("data.id");
    }

    static Response post(Member sender, String conversationId, Object body, String idempotencyKey) {
        return as(sender.bearer(), idempotencyKey).body(body).when().post("/v1/dm/" + conversationId + "/messages");
    }

    /** Posts to a conversation and answers the message id. */
    static String post(Member sender, String conversationId, String text) {
        return post(sender, conversationId, Map.of("text", text), null).then()
                .statusCode(201)
                .extract()
                .path("data.message.id");
    }

    /** The workspace's logged events of the given type, in seq order. */
    static List<LoggedEvent> logged(AgroalDataSource database, String workspaceId, String type) {
        ConversationFixtures.awaitSequenced();
        try (Connection connection = database.getConnection();
                PreparedStatement select = connection.prepareStatement("select type, event_id, channel_id, payload, "
                        + "data, recipients from workspace_events where workspace_id = ? and type = ? order by seq")) {
            select.setString(1, workspaceId);
            select.setString(2, type);
            List<LoggedEvent> events = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(new LoggedEvent(rows.getString(1), rows.getString(2), rows.getString(3),
                            json(rows.getString(4), new TypeReference<>() {
                            }), json(rows.getString(5), new TypeReference<>() {
                            }), rows.getString(6) == null ? null : json(rows.getString(6), new TypeReference<>() {
                            })));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one SQL statement with string parameters; answers the number of rows changed. */
    static int execute(AgroalDataSource database, String sql, String... parameters) {
        try (Connection connection = database.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one counting query with string parameters. */
    static long count(AgroalDataSource database, String sql, String... parameters) {
        try (Connection connection = database.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T json(String text, TypeReference<T> type) {
        try {
            return RelayJson.mapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
