package dev.relay.auth.service;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.relay.common.error.RelayException;

/**
 * The observer-token vocabulary of contract §7: the 12 scopes, the 7 filters (a strict object), and their
 * normalised form (`include_dms` always present, lists de-duplicated and omitted when empty).
 */
public final class ObserverRules {

    public static final Set<String> SCOPES = Set.of("stream:read", "messages:read", "threads:read", "dms:read",
            "channels:read", "search:read", "agents:read", "nodes:read", "deliveries:read", "activity:read",
            "files:read", "reactions:read");

    private static final List<String> LIST_FILTERS = List.of("channel_ids", "channel_names", "dm_conversation_ids",
            "agent_ids", "event_types");

    private ObserverRules() {
    }

    /** At least one scope, each one of the 12, de-duplicated in the order given. */
    public static List<String> scopes(Object raw) {
        if (!(raw instanceof List<?> list) || list.isEmpty()) {
            throw RelayException.badRequest("scopes must be a non-empty array of scope names");
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (Object scope : list) {
            if (!(scope instanceof String name) || !SCOPES.contains(name)) {
                throw RelayException.badRequest("Unknown scope '" + scope + "'; scopes are "
                        + String.join(", ", SCOPES.stream().sorted().toList()));
            }
            scopes.add(name);
        }
        return List.copyOf(scopes);
    }

    /** The filters in normalised form; absent or null means no filters. */
    public static Map<String, Object> filters(Object raw) {
        Map<String, Object> normalised = new LinkedHashMap<>();
        normalised.put("include_dms", false);
        if (raw == null) {
            return normalised;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw RelayException.badRequest("filters must be an object");
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            Object value = entry.getValue();
            if (LIST_FILTERS.contains(key)) {
                List<String> list = stringList(key, value);
                if (!list.isEmpty()) {
                    normalised.put(key, list);
                }
            } else if (key.equals("include_dms")) {
                if (!(value instanceof Boolean include)) {
                    throw RelayException.badRequest("filters.include_dms must be a boolean");
                }
                normalised.put(key, include);
            } else if (key.equals("created_after")) {
                normalised.put(key, timestamp("filters.created_after", value).toString());
            } else {
                throw RelayException.badRequest("Unknown filter '" + key + "'; filters are channel_ids, "
                        + "channel_names, include_dms, dm_conversation_ids, agent_ids, event_types, created_after");
            }
        }
        return normalised;
    }

    /** An `expires_at` value: null, or an ISO-8601 timestamp in the future. */
    public static Instant expiresAt(Object raw, Instant now) {
        if (raw == null) {
            return null;
        }
        Instant at = timestamp("expires_at", raw);
        if (!at.isAfter(now)) {
            throw RelayException.badRequest("expires_at must be in the future");
        }
        return at;
    }

    /** A name: a non-blank string of at most 100 characters. */
    public static String name(Object raw) {
        if (!(raw instanceof String name) || name.isBlank()) {
            throw RelayException.badRequest("name is required (a non-empty string)");
        }
        if (name.length() > 100) {
            throw RelayException.badRequest("name must be at most 100 characters");
        }
        return name;
    }

    /** A description: null, or a string of at most 1000 characters. */
    public static String description(Object raw) {
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof String description) || description.length() > 1000) {
            throw RelayException.badRequest("description must be a string of at most 1000 characters, or null");
        }
        return description;
    }

    private static List<String> stringList(String key, Object value) {
        if (!(value instanceof List<?> list)) {
            throw RelayException.badRequest("filters." + key + " must be an array of strings");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (Object item : list) {
            if (!(item instanceof String text) || text.isEmpty()) {
                throw RelayException.badRequest("filters." + key + " must be an array of non-empty strings");
            }
            unique.add(text);
        }
        return new ArrayList<>(unique);
    }

    private static Instant timestamp(String field, Object value) {
        if (!(value instanceof String text)) {
            throw RelayException.badRequest(field + " must be an ISO-8601 timestamp");
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw RelayException.badRequest(field + " must be an ISO-8601 timestamp");
        }
    }
}
