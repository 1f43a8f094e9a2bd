package dev.relay.common.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.relay.common.token.Tokens;

class IdsTest {

    @Test
    void prefixedSnowflakeIds() {
        assertEquals("ot_123", Ids.observerTokenId("123"));
        assertEquals("node_123", Ids.nodeId("123"));
        assertEquals("anb_123", Ids.bindingId("123"));
        assertEquals("inv_123", Ids.invocationId("123"));
    }

    @Test
    void directNodeOfAnAgent() {
        assertEquals("node_direct_42", Ids.directNodeId("42"));
        assertEquals("direct-42", Ids.directNodeName("42"));
    }

    @Test
    void deliveryIds() {
        assertEquals("del_100_42", Ids.deliveryId("100", "42"));
        assertEquals("evt_message.read_100_42", Ids.ephemeralDeliveryId("message.read", "100", "42"));
    }

    @Test
    void dmHashIsTheFirst24HexOfSha256OfTheSortedTriple() {
        assertEquals("7ab70c9ad56b9b60a5b567e6", Ids.dmHash("ws1", "a", "b"));
        assertEquals(Tokens.sha256Hex("ws1:a:b").substring(0, 24), Ids.dmHash("ws1", "a", "b"));
    }

    @Test
    void dmHashIsSymmetricInThePair() {
        assertEquals(Ids.dmHash("ws1", "a", "b"), Ids.dmHash("ws1", "b", "a"));
        assertEquals(Ids.dmHash("7", "1048576", "999"), Ids.dmHash("7", "999", "1048576"));
    }

    @Test
    void dmHashSortsLikeJavaScriptStringsNotNumbers() {
        // JS [ "999", "1048576" ].sort() gives [ "1048576", "999" ]: code units, not numeric order.
        assertEquals(Tokens.sha256Hex("7:1048576:999").substring(0, 24), Ids.dmHash("7", "999", "1048576"));
    }

    @Test
    void dmHashDependsOnTheWorkspace() {
        assertNotEquals(Ids.dmHash("ws1", "a", "b"), Ids.dmHash("ws2", "a", "b"));
    }

    @Test
    void dmShapesFromTheHash() {
        String hash = Ids.dmHash("ws1", "a", "b");

        assertEquals("dm_" + hash, Ids.dmConversationId(hash));
        assertEquals("dmch_" + hash, Ids.dmChannelId(hash));
        assertEquals("dm-" + hash, Ids.dmChannelName(hash));
    }

    @Test
    void refusesMissingParts() {
        assertThrows(IllegalArgumentException.class, () -> Ids.nodeId(null));
        assertThrows(IllegalArgumentException.class, () -> Ids.deliveryId("1", ""));
        assertThrows(IllegalArgumentException.class, () -> Ids.dmHash("ws", null, "b"));
    }
}
