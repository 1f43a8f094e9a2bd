package dev.relay.common.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ObserverEventFilterTest {

    private static final List<String> ALL = List.of("stream:read", "messages:read", "threads:read", "dms:read",
            "channels:read", "agents:read", "reactions:read", "activity:read", "deliveries:read", "nodes:read",
            "files:read");
    private static final Map<String, Object> MESSAGE = Map.of("channel", "general", "channel_id", "c1",
            "created_at", "2026-11-24T10:00:00.000Z", "message", Map.of("agent_id", "a1", "text", "hi"));

    @Test
    void eachTypeNeedsItsScope() {
        assertEquals("messages:read", ObserverEventFilter.requiredScope("message.created"));
        assertEquals("threads:read", ObserverEventFilter.requiredScope("thread.reply"));
        assertEquals("reactions:read", ObserverEventFilter.requiredScope("message.reacted"));
        assertEquals("dms:read", ObserverEventFilter.requiredScope("group_dm.received"));
        assertEquals("agents:read", ObserverEventFilter.requiredScope("agent.status.idle"));
        assertEquals("channels:read", ObserverEventFilter.requiredScope("member.joined"));
        assertEquals("channels:read", ObserverEventFilter.requiredScope("channel.archived"));
        assertEquals("deliveries:read", ObserverEventFilter.requiredScope("delivery.failed"));
        assertEquals("nodes:read", ObserverEventFilter.requiredScope("node.status.online"));
        assertEquals("activity:read", ObserverEventFilter.requiredScope("harness.tool_call"));
        assertFalse(allows(List.of("stream:read", "threads:read"), Map.of(), "message.created", MESSAGE));
        assertTrue(allows(List.of("messages:read"), Map.of(), "message.created", MESSAGE));
    }

    @Test
    void eventTypesFilterComesFirst() {
        assertFalse(allows(ALL, Map.of("event_types", List.of("thread.reply")), "message.created", MESSAGE));
        assertTrue(allows(ALL, Map.of("event_types", List.of("message.created")), "message.created", MESSAGE));
    }

    @Test
    void channelFiltersMatchByIdOrName() {
        assertTrue(allows(ALL, Map.of("channel_names", List.of("general")), "message.created", MESSAGE));
        assertTrue(allows(ALL, Map.of("channel_ids", List.of("c1")), "message.created", MESSAGE));
        assertFalse(allows(ALL, Map.of("channel_names", List.of("ops")), "message.created", MESSAGE));
        Map<String, Object> created = Map.of("channel", Map.of("name", "ops"), "channel_id", "c9");
        assertTrue(allows(ALL, Map.of("channel_names", List.of("ops")), "channel.created", created));
    }

    @Test
    void dmsNeedIncludeDmsAndTheScope() {
        Map<String, Object> dm = Map.of("conversation_id", "dm_1", "message", Map.of("agent_id", "a1"));
        assertFalse(allows(ALL, Map.of(), "dm.received", dm));
        assertTrue(allows(ALL, Map.of("include_dms", true), "dm.received", dm));
        assertFalse(allows(List.of("messages:read"), Map.of("include_dms", true), "dm.received", dm));
        assertFalse(allows(ALL, Map.of("include_dms", true, "dm_conversation_ids", List.of("dm_2")), "dm.received",
                dm));
        assertTrue(allows(ALL, Map.of("include_dms", true, "channel_names", List.of("ops")), "dm.received", dm),
                "DM visibility is independent of channel filters");
    }

    @Test
    void createdAfterAndAgentIds() {
        assertTrue(allows(ALL, Map.of("created_after", "2026-11-24T09:00:00Z"), "message.created", MESSAGE));
        assertFalse(allows(ALL, Map.of("created_after", "2026-11-24T11:00:00Z"), "message.created", MESSAGE));
        assertFalse(allows(ALL, Map.of("created_after", "2026-11-24T09:00:00Z"), "member.joined",
                Map.of("channel", "general")), "an event without a timestamp fails the cutoff");
        assertTrue(allows(ALL, Map.of("agent_ids", List.of("a1")), "message.created", MESSAGE));
        assertFalse(allows(ALL, Map.of("agent_ids", List.of("a2")), "message.created", MESSAGE));
        assertTrue(allows(ALL, Map.of("agent_ids", List.of("a2")), "agent.status.idle",
                Map.of("agent", Map.of("name", "b", "id", "a2"))));
    }

    private static boolean allows(List<String> scopes, Map<String, Object> filters, String type,
            Map<String, Object> event) {
        return ObserverEventFilter.allows(scopes, filters, type, event, null);
    }
}
