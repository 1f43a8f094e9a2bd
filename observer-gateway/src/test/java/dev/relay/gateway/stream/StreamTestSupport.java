package dev.relay.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import dev.relay.common.json.RelayJson;
import dev.relay.common.redis.RedisNames;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * What the observer-stream tests share: a Vert.x of their own for clients, a Redis client that publishes workspace
 * events as workspace-service's outbox does, and sockets that are closed (and gone from the gateway) after each test.
 */
abstract class StreamTestSupport {

    static final String CREATED_AT = "2026-11-24T10:00:00.000Z";

    static Vertx vertx;
    static Redis redis;

    @Inject
    ObserverSessions sessions;

    private final List<TestSocket> opened = new ArrayList<>();

    @BeforeAll
    static void clients() {
        vertx = Vertx.vertx();
        redis = Redis.createClient(vertx, ConfigProvider.getConfig().getValue("quarkus.redis.hosts", String.class));
    }

    @AfterAll
    static void closeClients() throws Exception {
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeSockets() throws InterruptedException {
        opened.forEach(TestSocket::close);
        opened.clear();
        long deadline = System.currentTimeMillis() + 5_000;
        while (sessions.openSockets() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, sessions.openSockets(), "every socket of the test is gone from the gateway");
    }

    TestSocket open(String token) throws Exception {
        return open(token, 0);
    }

    TestSocket open(String token, int receiveBuffer) throws Exception {
        TestSocket socket = TestSocket.open(vertx, RestAssured.port, token, receiveBuffer);
        opened.add(socket);
        return socket;
    }

    static String newWorkspace() {
        return "w_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static RedisNames names() {
        return new RedisNames(ConfigProvider.getConfig().getValue("relay.redis.namespace", String.class));
    }

    /** Publishes an event as the outbox does: `{"event_id","workspace_id","seq","type","payload"}`. */
    static void publish(String workspaceId, long seq, String type, Map<String, Object> payload) throws Exception {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("event_id", "evt_" + seq + "_" + UUID.randomUUID());
        message.put("workspace_id", workspaceId);
        message.put("seq", seq);
        message.put("type", type);
        message.put("payload", payload);
        publishRaw(workspaceId, RelayJson.mapper().writeValueAsString(message));
    }

    static void publishRaw(String workspaceId, String message) throws Exception {
        redis.send(Request.cmd(Command.PUBLISH).arg(names().workspaceEventChannel(workspaceId)).arg(message))
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    /** How many subscriptions (one per replica) the workspace's channel has in Redis. */
    static long subscriptions(String workspaceId) throws Exception {
        Response answer = redis.send(Request.cmd(Command.PUBSUB)
                .arg("NUMSUB")
                .arg(names().workspaceEventChannel(workspaceId)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        return answer.get(1).toLong();
    }

    /** A `message.created` in the client shape of §8.1. */
    static Map<String, Object> message(String channel, String channelId, String agentId, String text) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", UUID.randomUUID().toString());
        payload.put("channel", channel);
        payload.put("channel_id", channelId);
        payload.put("message", Map.of("id", "m_" + text.hashCode(), "agent_id", agentId, "agent_name", "alice",
                "text", text, "attachments", List.of()));
        payload.put("created_at", CREATED_AT);
        return payload;
    }
}
