package dev.relay.common.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class StableEventIdTest {

    private static final String EMPTY = "2ac55093-0938-5005-83f5-171ff54aeff3";

    @Test
    void matchesTheSdkVectors() {
        assertEquals("c3cc83b8-a251-51cb-9236-0b36363e1815", StableEventId.of("123"));
        assertEquals("c5aad944-ab82-56b7-bfd9-0acad2f6117e", StableEventId.of("msg_1"));
        assertEquals(EMPTY, StableEventId.of());
    }

    @Test
    void blankAndNullPartsAreDropped() {
        assertEquals(EMPTY, StableEventId.of("   ", "\t\n"));
        assertEquals(EMPTY, StableEventId.of("  ", null));
        assertEquals(EMPTY, StableEventId.of((String[]) null));
        assertEquals(StableEventId.of("123"), StableEventId.of("", "123", " "));
    }

    @Test
    void emptyEqualsTheExplicitEmptyEventPart() {
        assertEquals(StableEventId.of(), StableEventId.of("empty-event"));
    }

    @Test
    void partsAreTrimmed() {
        assertEquals(StableEventId.of("123"), StableEventId.of(" 123 "));
        assertEquals(StableEventId.of("123"), StableEventId.of("\u00a0123\ufeff"));
    }

    @Test
    void partBoundariesMatter() {
        assertNotEquals(StableEventId.of("a", "b:c"), StableEventId.of("a:b", "c"));
        assertNotEquals(StableEventId.of("ab"), StableEventId.of("a", "b"));
    }

    @Test
    void isAVersion5ShapedUuid() {
        String id = StableEventId.of("msg_42");

        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
    }

    @Test
    void trimsOnlyWhatJavaScriptTrims() {
        assertEquals("x", JavaScriptStrings.trim("\u2028\u3000\u000b x \u2009\r"));
        // JS does not trim the information separators that Java's String.trim() removes.
        assertEquals("\u001fx", JavaScriptStrings.trim("\u001fx"));
    }

    @Test
    void stringifiesLikeJavaScript() {
        assertEquals("[\"relaycast\",\"123\"]", JavaScriptStrings.stringify(List.of("relaycast", "123")));
        assertEquals("[\"a\\\"b\\\\c/d\"]", JavaScriptStrings.stringify(List.of("a\"b\\c/d")));
        assertEquals("[\"\\b\\f\\n\\r\\t\\u0000\\u001f\"]", JavaScriptStrings.stringify(List.of(
                "\b\f\n\r\t\u0000\u001f")));
        assertEquals("[\"é😀\u007f\"]", JavaScriptStrings.stringify(List.of("é😀\u007f")));
        assertEquals("[\"\\ud800x\\udc00\"]", JavaScriptStrings.stringify(List.of("\ud800x\udc00")));
    }
}
