package dev.relay.delivery.ws;

import java.util.Map;
import java.util.Set;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Fleet wire v1 frames (contract §5.2): the strict key sets of what brokers and clients send, and the engine's
 * replies, errors and deliveries. Every frame carries {@code v: 1} and a {@code type}.
 */
final class Frames {

    private static final Set<String> ENVELOPE = Set.of("v", "type", "id");

    /** The keys each client frame may carry besides v, type and id; any other key is an invalid frame. */
    static final Map<String, Set<String>> KEYS = Map.of(
            "node.register", Set.of("name", "node_id", "provider", "capabilities", "max_agents", "tags", "version",
                    "machine_id", "resume_cursor", "repo_keys"),
            "node.heartbeat", Set.of("provider", "load", "load_reported", "active_agents", "handlers_live", "name",
                    "node_id", "capabilities", "max_agents", "version"),
            "node.deregister", Set.of("provider"),
            "agent.register", Set.of("name", "invocation_id", "session_ref", "resumable"),
            "agent.recover", Set.of("name", "expected_agent_id", "invocation_id", "session_ref", "resumable",
                    "actor", "reason"),
            "agent.deregister", Set.of("agent_id", "name", "reason"),
            "inventory.sync", Set.of("agents"),
            "delivery.ack", Set.of("agent", "up_to_seq"),
            "ping", Set.of());

    private Frames() {
    }

    /** Why a frame is invalid, or null when its envelope and keys are acceptable. */
    static String invalid(JsonObject frame) {
        if (!Integer.valueOf(1).equals(frame.getValue("v"))) {
            return "frame must carry \"v\": 1";
        }
        if (!(frame.getValue("type") instanceof String type)) {
            return "frame must carry a string \"type\"";
        }
        if (frame.containsKey("id") && !(frame.getValue("id") instanceof String)) {
            return "\"id\" must be a string";
        }
        Set<String> allowed = KEYS.get(type);
        if (allowed == null) {
            return "unknown frame type '" + type + "'";
        }
        for (String key : frame.fieldNames()) {
            if (!ENVELOPE.contains(key) && !allowed.contains(key)) {
                return "unknown key '" + key + "' in " + type;
            }
        }
        return null;
    }

    static JsonObject reply(String id, Object data) {
        return new JsonObject().put("v", 1).put("id", id).put("type", "reply").put("ok", true).put("data", data);
    }

    static JsonObject error(String id, String code, String message) {
        return new JsonObject().put("v", 1)
                .put("id", id)
                .put("type", "error")
                .put("ok", false)
                .put("code", code)
                .put("message", message);
    }

    static JsonObject deliver(String deliveryId, String agentId, String agentName, String messageId, long seq,
            String mode, String eventType, JsonObject data) {
        return new JsonObject().put("v", 1)
                .put("type", "deliver")
                .put("delivery_id", deliveryId)
                .put("agent_id", agentId)
                .put("agent", agentName)
                .put("msg_id", messageId)
                .put("seq", seq)
                .put("mode", mode)
                .put("payload", new JsonObject().put("type", eventType).put("data", data));
    }

    static JsonObject contextUpdate(String topic, String event, String channelId, JsonArray agentIds,
            JsonObject data) {
        return new JsonObject().put("v", 1)
                .put("type", "context.update")
                .put("topic", topic)
                .put("event", event)
                .put("channel_id", channelId)
                .put("agent_ids", agentIds)
                .put("data", data);
    }
}
