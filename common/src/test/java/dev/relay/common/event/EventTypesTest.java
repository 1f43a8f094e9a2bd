package dev.relay.common.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class EventTypesTest {

    @Test
    void messageBearingTypes() {
        for (String type : List.of("message.created", "thread.reply", "dm.received", "group_dm.received")) {
            assertTrue(EventTypes.isMessageBearing(type), type);
        }
        for (String type : List.of("message.read", "message.reacted", "channel.created", "agent.status.active")) {
            assertFalse(EventTypes.isMessageBearing(type), type);
        }
        assertFalse(EventTypes.isMessageBearing(null));
    }

    @Test
    void nodeDurableTypes() {
        for (String type : List.of("message.created", "thread.reply", "message.read", "message.reacted")) {
            assertTrue(EventTypes.isNodeDurable(type), type);
        }
        for (String type : List.of("dm.received", "group_dm.received", "delivery.delivered", "node.status.online")) {
            assertFalse(EventTypes.isNodeDurable(type), type);
        }
        assertFalse(EventTypes.isNodeDurable(null));
    }

    @Test
    void agentStatusPrefix() {
        assertEquals("agent.status.", EventTypes.AGENT_STATUS_PREFIX);
        assertTrue((EventTypes.AGENT_STATUS_PREFIX + "online").startsWith(EventTypes.AGENT_STATUS_PREFIX));
    }

    @Test
    void constantsAreDistinctDottedNames() {
        List<String> values = Arrays.stream(EventTypes.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(EventTypesTest::value)
                .toList();

        assertEquals(31, values.size());
        assertEquals(values.size(), values.stream().distinct().count());
        assertTrue(values.stream().allMatch(v -> v.contains(".") && v.matches("[a-z_]+(\\.[a-z_]+)*\\.?")),
                values.toString());
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
