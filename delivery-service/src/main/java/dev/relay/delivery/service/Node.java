package dev.relay.delivery.service;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.relay.common.json.RelayJson;
import io.vertx.mutiny.sqlclient.Row;

/** A node row (contract §6.1) and its public roster entry (§3.10 `NodeRosterEntry`). */
public record Node(String id, String workspaceId, String name, String kind, String role, String machineId,
        String deliveryAdapter, String delivery, String capabilities, String tags, String version, int maxAgents,
        String status, boolean handlersLive, Double load, int activeAgents, Instant lastHeartbeatAt,
        String credentialId, Instant createdAt) {

    /** A node is live while online and heard from within this long (§5.2.3). */
    public static final Duration LIVENESS = Duration.ofSeconds(45);

    static final String COLUMNS = "id, workspace_id, name, kind, role, machine_id, delivery_adapter, delivery, "
            + "capabilities, tags, version, max_agents, status, handlers_live, load, active_agents, last_heartbeat_at, "
            + "credential_id, created_at";

    private static final Pattern SENSITIVE = Pattern.compile(
            "(?i).*(api[ _-]?key|authorization|cookie|credential|headers|password|private[ _-]?key|secret|token).*");

    public static Node of(Row row) {
        return new Node(row.getString("id"), row.getString("workspace_id"), row.getString("name"),
                row.getString("kind"), row.getString("role"), row.getString("machine_id"),
                row.getString("delivery_adapter"), row.getString("delivery"), row.getString("capabilities"),
                row.getString("tags"), row.getString("version"), row.getInteger("max_agents"), row.getString("status"),
                row.getBoolean("handlers_live"), row.getDouble("load"), row.getInteger("active_agents"),
                instant(row.getOffsetDateTime("last_heartbeat_at")), row.getString("credential_id"),
                instant(row.getOffsetDateTime("created_at")));
    }

    static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    public boolean direct() {
        return "direct".equals(role);
    }

    public boolean live(Instant now) {
        return "online".equals(status) && lastHeartbeatAt != null && lastHeartbeatAt.plus(LIVENESS).isAfter(now);
    }

    /** The roster entry; the delivery config with every sensitive value redacted. */
    public Map<String, Object> view(Instant now) {
        boolean live = live(now);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("name", name);
        view.put("kind", kind);
        view.put("role", role);
        view.put("machine_id", machineId);
        view.put("delivery_adapter", deliveryAdapter);
        view.put("delivery", redact(Json.object(delivery)));
        view.put("capabilities", Json.array(capabilities));
        view.put("tags", Json.array(tags));
        view.put("version", version);
        view.put("status", live ? "online" : "offline");
        view.put("live", live);
        view.put("handlers_live", live && handlersLive);
        view.put("load", load);
        view.put("active_agents", activeAgents);
        view.put("max_agents", maxAgents);
        view.put("last_heartbeat_at", time(lastHeartbeatAt));
        view.put("created_at", time(createdAt));
        return view;
    }

    static String time(Instant instant) {
        return instant == null ? null : RelayJson.mapper().convertValue(instant, String.class);
    }

    /** Replaces the value of every key that names a secret with "[redacted]"; header maps keep their names. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> redact(Map<String, Object> config) {
        if (config == null) {
            return null;
        }
        Map<String, Object> redacted = new LinkedHashMap<>();
        config.forEach((key, value) -> {
            if (SENSITIVE.matcher(key).matches()) {
                if (value instanceof Map<?, ?> map) {
                    Map<String, Object> names = new LinkedHashMap<>();
                    map.keySet().forEach(name -> names.put(String.valueOf(name), "[redacted]"));
                    redacted.put(key, names);
                } else {
                    redacted.put(key, "[redacted]");
                }
            } else if (value instanceof Map<?, ?> map) {
                redacted.put(key, redact((Map<String, Object>) map));
            } else if (value instanceof List<?> list) {
                // Objects inside arrays are redacted too: a secret must not hide from the rule behind a list.
                redacted.put(key, list.stream()
                        .map(item -> item instanceof Map<?, ?> map ? redact((Map<String, Object>) map) : item)
                        .toList());
            } else {
                redacted.put(key, value);
            }
        });
        return redacted;
    }
}
