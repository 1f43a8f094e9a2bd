package dev.relay.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.gateway.edge.StandInServices;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Each socket sees exactly what its token's scopes and filters allow (contract §7.2, §7.3), decided per event by
 * common's ObserverEventFilter: one workspace, one batch of events of every family, one socket per token shape.
 */
@QuarkusTest
@QuarkusTestResource(StandInServices.class)
class ObserverStreamFilterTest extends StreamTestSupport {

    private static final List<String> ALL = List.of("stream:read", "messages:read", "threads:read", "dms:read",
            "channels:read", "search:read", "agents:read", "nodes:read", "deliveries:read", "activity:read",
            "files:read", "reactions:read");

    /** The batch: seq → (type, payload). #1–#12 were created in 2026, #13 in 2020. */
    private static List<Object[]> batch() {
        List<Object[]> events = new ArrayList<>();
        events.add(new Object[]{"message.created", message("general", "ch_general", "a1", "hi")});
        events.add(new Object[]{"thread.reply", Map.of("id", "r1", "channel", "general", "channel_id", "ch_general",
                "parent_id", "m1", "message", Map.of("id", "m2", "agent_id", "a2", "text", "re"), "created_at",
                CREATED_AT)});
        events.add(new Object[]{"message.reacted", Map.of("message_id", "m3", "emoji", "+1", "agent_name", "alice",
                "agent_id", "a1", "action", "added", "channel", "ops", "created_at", CREATED_AT)});
        events.add(new Object[]{"dm.received", Map.of("id", "d1", "conversation_id", "dm_1", "message",
                Map.of("id", "m4", "agent_id", "a1", "text", "psst"), "created_at", CREATED_AT)});
        events.add(new Object[]{"group_dm.received", Map.of("id", "d2", "conversation_id", "dm_2", "message",
                Map.of("id", "m5", "agent_id", "a2", "text", "all"), "created_at", CREATED_AT)});
        events.add(new Object[]{"channel.created", Map.of("channel", Map.of("name", "ops"), "channel_id", "ch_ops",
                "created_at", CREATED_AT)});
        events.add(new Object[]{"member.joined", Map.of("channel", "ops", "agent_name", "bob", "agent_id", "a2",
                "created_at", CREATED_AT)});
        events.add(new Object[]{"agent.status.active", Map.of("agent", Map.of("name", "alice", "id", "a1"),
                "status", "active", "created_at", CREATED_AT)});
        events.add(new Object[]{"node.status.online", Map.of("node_id", "n1", "node_name", "box", "created_at",
                CREATED_AT)});
        events.add(new Object[]{"delivery.delivered", Map.of("delivery_id", "del_1", "message_id", "m1",
                "created_at", CREATED_AT)});
        events.add(new Object[]{"file.uploaded", Map.of("file", Map.of("file_id", "f1", "filename", "a.txt",
                "uploaded_by", "alice"), "agent_id", "a1", "created_at", CREATED_AT)});
        events.add(new Object[]{"harness.tool_call", Map.of("agent_name", "alice", "agent_id", "a1", "id", "h1",
                "payload", Map.of(), "created_at", CREATED_AT)});
        Map<String, Object> old = new LinkedHashMap<>(message("ops", "ch_ops", "a2", "old"));
        old.put("created_at", "2020-01-01T00:00:00.000Z");
        events.add(new Object[]{"message.created", old});
        return events;
    }

    @Test
    void eachSocketSeesWhatItsScopesAndFiltersAllow() throws Exception {
        String workspace = newWorkspace();
        Map<String, TestSocket> sockets = new LinkedHashMap<>();
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        watch(sockets, expected, workspace, "messages", List.of("stream:read", "messages:read"), Map.of(),
                List.of(1L, 13L));
        watch(sockets, expected, workspace, "threads+reactions",
                List.of("stream:read", "threads:read", "reactions:read"), Map.of(), List.of(2L, 3L));
        watch(sockets, expected, workspace, "dms:read without include_dms", List.of("stream:read", "dms:read"),
                Map.of(), List.of());
        watch(sockets, expected, workspace, "dms:read with include_dms", List.of("stream:read", "dms:read"),
                Map.of("include_dms", true), List.of(4L, 5L));
        watch(sockets, expected, workspace, "include_dms without dms:read", List.of("stream:read", "messages:read"),
                Map.of("include_dms", true), List.of(1L, 13L));
        watch(sockets, expected, workspace, "one DM conversation", List.of("stream:read", "dms:read"),
                Map.of("include_dms", true, "dm_conversation_ids", List.of("dm_2")), List.of(5L));
        watch(sockets, expected, workspace, "channels, agents, nodes, deliveries, files, activity",
                List.of("stream:read", "channels:read", "agents:read", "nodes:read", "deliveries:read", "files:read",
                        "activity:read"),
                Map.of(), List.of(6L, 7L, 8L, 9L, 10L, 11L, 12L));
        watch(sockets, expected, workspace, "channel_ids", ALL, Map.of("channel_ids", List.of("ch_general")),
                List.of(1L, 2L, 8L, 9L, 10L, 11L, 12L));
        watch(sockets, expected, workspace, "channel_names", ALL, Map.of("channel_names", List.of("ops")),
                List.of(3L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L));
        watch(sockets, expected, workspace, "agent_ids", ALL, Map.of("agent_ids", List.of("a1")),
                List.of(1L, 3L, 8L, 11L, 12L));
        watch(sockets, expected, workspace, "created_after", ALL, Map.of("created_after", "2025-01-01T00:00:00Z"),
                List.of(1L, 2L, 3L, 6L, 7L, 8L, 9L, 10L, 11L, 12L));
        watch(sockets, expected, workspace, "event_types", ALL,
                Map.of("event_types", List.of("message.created", "dm.received"), "include_dms", true),
                List.of(1L, 4L, 13L));
        expected.put("workspace key", List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L));
        sockets.put("workspace key", open(StandInServices.workspaceKey(workspace).token));

        List<Object[]> events = batch();
        for (int i = 0; i < events.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = (Map<String, Object>) events.get(i)[1];
            publish(workspace, i + 1, (String) events.get(i)[0], payload);
        }
        for (Map.Entry<String, TestSocket> socket : sockets.entrySet()) {
            List<Long> sees = expected.get(socket.getKey());
            long deadline = System.currentTimeMillis() + 3_000;
            while (!socket.getValue().seqs().containsAll(sees) && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
        }
        Thread.sleep(300); // and nothing more arrives
        for (Map.Entry<String, TestSocket> socket : sockets.entrySet()) {
            assertEquals(expected.get(socket.getKey()), socket.getValue().seqs(), socket.getKey());
        }
    }

    private void watch(Map<String, TestSocket> sockets, Map<String, List<Long>> expected, String workspace,
            String name, List<String> scopes, Map<String, Object> filters, List<Long> sees) throws Exception {
        sockets.put(name, open(StandInServices.observer(workspace, scopes, filters).token));
        expected.put(name, sees);
    }
}
