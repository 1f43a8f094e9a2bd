package dev.relay.delivery.push;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.relay.delivery.service.DeliveryStore.Delivery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One POST to an http_push receiver (contract §6.7): the JSON body and every header, signed over exactly the bytes
 * sent. A durable delivery names itself in `X-Relaycast-Delivery`; an ephemeral event has no row and no such header.
 */
record PushRequest(Map<String, String> headers, String body) {

    /** ISO-8601 in UTC with millisecond precision, as JavaScript's `toISOString()` writes it. */
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** `{type, workspace_id, delivery_id, message_id, agent_id, agent_name, seq, mode, timestamp, data}`. */
    static PushRequest delivery(Delivery row, PushAuth auth, Instant now) {
        String timestamp = ISO.format(now);
        JsonObject body = new JsonObject().put("type", row.eventType())
                .put("workspace_id", row.workspaceId())
                .put("delivery_id", row.id())
                .put("message_id", row.messageId())
                .put("agent_id", row.agentId())
                .put("agent_name", row.agentName())
                .put("seq", row.seq())
                .put("mode", "steer".equals(row.injectionMode()) ? "steer" : "wait")
                .put("timestamp", timestamp)
                .put("data", new JsonObject(row.data()));
        return signed(row.eventType(), row.id(), body.encode(), auth, timestamp);
    }

    /** `{type, workspace_id, topic, channel_id, agent_ids, timestamp, data}` for an event that makes no row (§6.8). */
    static PushRequest ephemeral(String type, String workspaceId, String channelId, List<String> agentIds,
            JsonObject data, PushAuth auth, Instant now) {
        String timestamp = ISO.format(now);
        JsonObject body = new JsonObject().put("type", type)
                .put("workspace_id", workspaceId)
                .put("topic", topic(type, channelId))
                .put("channel_id", channelId)
                .put("agent_ids", new JsonArray(agentIds))
                .put("timestamp", timestamp)
                .put("data", data);
        return signed(type, null, body.encode(), auth, timestamp);
    }

    /** The §6.8 context topic: `thread` for thread events, `channel` for channel-scoped ones, else `agent`. */
    private static String topic(String type, String channelId) {
        if (type.startsWith("thread.")) {
            return "thread";
        }
        return channelId == null ? "agent" : "channel";
    }

    private static PushRequest signed(String type, String deliveryId, String body, PushAuth auth, String timestamp) {
        Map<String, String> headers = new LinkedHashMap<>(auth.headers(timestamp, body));
        headers.put("Content-Type", "application/json");
        headers.put("X-Relaycast-Event", type);
        if (deliveryId != null) {
            headers.put("X-Relaycast-Delivery", deliveryId);
        }
        return new PushRequest(headers, body);
    }
}
