package dev.relay.common.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TokenKindTest {

    @Test
    void catalogueMatchesTheContract() {
        assertEquals("rk_live_", TokenKind.WORKSPACE_KEY.prefix());
        assertEquals(32, TokenKind.WORKSPACE_KEY.secretLength());
        assertEquals("at_live_", TokenKind.AGENT_TOKEN.prefix());
        assertEquals(32, TokenKind.AGENT_TOKEN.secretLength());
        assertEquals("nt_live_", TokenKind.NODE_TOKEN.prefix());
        assertEquals(48, TokenKind.NODE_TOKEN.secretLength());
        assertEquals("ot_live_", TokenKind.OBSERVER_TOKEN.prefix());
        assertEquals(48, TokenKind.OBSERVER_TOKEN.secretLength());
        assertEquals("observer token", TokenKind.OBSERVER_TOKEN.displayName());
        assertEquals("node_token", TokenKind.NODE_TOKEN.wireName());
    }

    @Test
    void ofPrefixFindsTheKind() {
        assertEquals(Optional.of(TokenKind.WORKSPACE_KEY), TokenKind.ofPrefix("rk_live_whatever"));
        assertEquals(Optional.of(TokenKind.OBSERVER_TOKEN), TokenKind.ofPrefix("ot_live_"));
    }

    @Test
    void ofPrefixIsEmptyForOtherStrings() {
        assertEquals(Optional.empty(), TokenKind.ofPrefix("rk_test_0123"));
        assertEquals(Optional.empty(), TokenKind.ofPrefix("wh_live_0123"));
        assertEquals(Optional.empty(), TokenKind.ofPrefix("Bearer rk_live_0123"));
        assertEquals(Optional.empty(), TokenKind.ofPrefix(""));
        assertEquals(Optional.empty(), TokenKind.ofPrefix(null));
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void fromWireNameRoundTrips(TokenKind kind) {
        assertEquals(Optional.of(kind), TokenKind.fromWireName(kind.wireName()));
    }

    @Test
    void fromWireNameIsEmptyForUnknownNames() {
        assertEquals(Optional.empty(), TokenKind.fromWireName("WORKSPACE_KEY"));
        assertEquals(Optional.empty(), TokenKind.fromWireName(null));
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void matchesFormatAcceptsPrefixPlusExactLowerHex(TokenKind kind) {
        assertTrue(kind.matchesFormat(kind.prefix() + "a".repeat(kind.secretLength())));
        assertTrue(kind.matchesFormat(kind.prefix() + "0123456789abcdef".repeat(3).substring(0, kind.secretLength())));
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void matchesFormatRefusesEverythingElse(TokenKind kind) {
        String secret = "a".repeat(kind.secretLength());

        assertFalse(kind.matchesFormat(kind.prefix() + secret.substring(1)));
        assertFalse(kind.matchesFormat(kind.prefix() + secret + "a"));
        assertFalse(kind.matchesFormat(kind.prefix() + "A" + secret.substring(1)));
        assertFalse(kind.matchesFormat(kind.prefix() + "g" + secret.substring(1)));
        assertFalse(kind.matchesFormat(kind.prefix().toUpperCase() + secret));
        assertFalse(kind.matchesFormat(" " + kind.prefix() + secret.substring(1)));
        assertFalse(kind.matchesFormat(null));
    }

    @Test
    void matchesFormatRefusesAnotherKindsToken() {
        assertFalse(TokenKind.AGENT_TOKEN.matchesFormat("rk_live_" + "a".repeat(32)));
    }
}
