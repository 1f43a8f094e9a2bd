package dev.relay.common.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Whether an observer may see an event (contract §7.3): the one implementation the event backfill and the observer
 * stream both use. Events are in the client shape of §8.1 (snake_case maps).
 */
public final class ObserverEventFilter {

    private ObserverEventFilter() {
    }

    /** The scope an event type needs (step 2 of §7.3). */
    public static String requiredScope(String type) {
        return switch (type) {
            case EventTypes.MESSAGE_CREATED, "message.updated", EventTypes.MESSAGE_READ, "webhook.received" ->
                "messages:read";
            case EventTypes.THREAD_REPLY -> "threads:read";
            case EventTypes.MESSAGE_REACTED -> "reactions:read";
            case EventTypes.DM_RECEIVED, EventTypes.GROUP_DM_RECEIVED -> "dms:read";
            case "file.uploaded" -> "files:read";
            default -> {
                if (type.startsWith("agent.status.")) {
                    yield "agents:read";
                } else if (type.startsWith("member.") || type.startsWith("channel.")) {
                    yield "channels:read";
                } else if (type.startsWith("delivery.")) {
                    yield "deliveries:read";
                } else if (type.startsWith("node.")) {
                    yield "nodes:read";
                }
                yield "activity:read";
            }
        };
    }

    /**
     * @param scopes  the observer token's scopes
     * @param filters the token's normalised filters
     * @param type    the event type
     * @param event   the event in client shape
     * @param channelType 0 for a regular channel, 1/2 for DM backing channels, null when the event has no channel
     */
    public static boolean allows(Collection<String> scopes, Map<String, Object> filters, String type,
            Map<String, Object> event, Integer channelType) {
        List<?> eventTypes = list(filters.get("event_types"));
        if (eventTypes != null && !contains(eventTypes, type)) {
            return false;
        }
        if (!scopes.contains(requiredScope(type))) {
            return false;
        }
        if (filters.get("created_after") instanceof String cutoff && !createdAfter(event, cutoff)) {
            return false;
        }
        boolean dm = event.get("conversation_id") != null || type.equals(EventTypes.DM_RECEIVED)
                || type.equals(EventTypes.GROUP_DM_RECEIVED) || (channelType != null && channelType != 0);
        if (dm ? !dmAllowed(scopes, filters, event) : !channelAllowed(filters, event)) {
            return false;
        }
        return agentAllowed(filters, event);
    }

    private static boolean dmAllowed(Collection<String> scopes, Map<String, Object> filters,
            Map<String, Object> event) {
        if (!Boolean.TRUE.equals(filters.get("include_dms")) || !scopes.contains("dms:read")) {
            return false;
        }
        List<?> conversations = list(filters.get("dm_conversation_ids"));
        return conversations == null || contains(conversations, event.get("conversation_id"));
    }

    private static boolean channelAllowed(Map<String, Object> filters, Map<String, Object> event) {
        List<?> ids = list(filters.get("channel_ids"));
        List<?> names = list(filters.get("channel_names"));
        if (ids == null && names == null) {
            return true;
        }
        Object channel = event.get("channel");
        Object name = channel instanceof Map<?, ?> map ? map.get("name") : channel;
        if (name == null && event.get("channel_id") == null) {
            return true; // not channel-scoped
        }
        return (ids != null && contains(ids, event.get("channel_id"))) || (names != null && contains(names, name));
    }

    private static boolean agentAllowed(Map<String, Object> filters, Map<String, Object> event) {
        List<?> agents = list(filters.get("agent_ids"));
        if (agents == null) {
            return true;
        }
        Object message = event.get("message");
        Object agent = event.get("agent");
        return contains(agents, event.get("agent_id")) || contains(agents, event.get("subject_agent_id"))
                || (message instanceof Map<?, ?> m && contains(agents, m.get("agent_id")))
                || (agent instanceof Map<?, ?> a && contains(agents, a.get("id")));
    }

    /** Null-safe: immutable lists throw on {@code contains(null)}, and a missing field matches nothing. */
    private static boolean contains(List<?> list, Object value) {
        return value != null && list.contains(value);
    }

    private static boolean createdAfter(Map<String, Object> event, String cutoff) {
        Object at = event.get("created_at");
        if (at == null) {
            at = event.get("timestamp");
        }
        if (at == null && event.get("message") instanceof Map<?, ?> message) {
            at = message.get("created_at");
        }
        try {
            return at != null && !parse(at.toString()).isBefore(parse(cutoff));
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static Instant parse(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list && !list.isEmpty() ? list : null;
    }
}
