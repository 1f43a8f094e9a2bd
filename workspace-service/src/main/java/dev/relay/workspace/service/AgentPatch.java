package dev.relay.workspace.service;

import java.util.HashMap;
import java.util.Map;

import dev.relay.common.error.RelayException;
import dev.relay.workspace.repository.Agent;

/** The rules of `PATCH /v1/agents/:name` (contract §3.3), applied to an agent. */
final class AgentPatch {

    private AgentPatch() {
    }

    @SuppressWarnings("unchecked")
    static void apply(Agent agent, Map<String, Object> patch) {
        for (Map.Entry<String, Object> field : patch.entrySet()) {
            Object value = field.getValue();
            switch (field.getKey()) {
                case "status" -> agent.status = status(value);
                case "persona" -> agent.persona = nullableString("persona", value);
                case "metadata" -> {
                    Map<String, Object> merged = new HashMap<>(JsonText.read(agent.metadata));
                    merged.putAll(object("metadata", value));
                    agent.metadata = JsonText.write(merged);
                }
                case "skills" -> {
                    Map<String, Object> merged = new HashMap<>(JsonText.read(agent.metadata));
                    merged.put("skills", value);
                    agent.metadata = JsonText.write(merged);
                }
                case "capabilities" -> agent.capabilities = value == null
                        ? "{}"
                        : JsonText.write(object("capabilities", value));
                default -> {
                    // unknown fields are ignored, as the public engine does
                }
            }
        }
    }

    private static String status(Object value) {
        if (!(value instanceof String status)) {
            throw RelayException.badRequest("status must be one of active, idle, blocked, waiting, offline");
        }
        if (status.equals("online")) {
            return "active"; // legacy name
        }
        if (!AgentService.STATUSES.contains(status)) {
            throw RelayException.badRequest("Invalid status '" + status + "': one of active, idle, blocked, waiting, "
                    + "offline");
        }
        return status;
    }

    private static String nullableString(String field, Object value) {
        if (value != null && !(value instanceof String)) {
            throw RelayException.badRequest(field + " must be a string or null");
        }
        return (String) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String field, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw RelayException.badRequest(field + " must be an object");
        }
        return (Map<String, Object>) map;
    }
}
