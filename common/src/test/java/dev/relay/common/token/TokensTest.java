package dev.relay.common.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TokensTest {

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void generatedTokensMatchTheirKindsFormat(TokenKind kind) {
        String token = Tokens.generate(kind);

        assertTrue(kind.matchesFormat(token), token);
        assertEquals(kind, TokenKind.ofPrefix(token).orElseThrow());
    }

    @Test
    void generatedTokensAreUnique() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            tokens.add(Tokens.generate(TokenKind.AGENT_TOKEN));
        }

        assertEquals(1000, tokens.size());
    }

    @Test
    void sha256HexMatchesTheKnownVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Tokens.sha256Hex("abc"));
    }

    @Test
    void sha256HexHashesUtf8() {
        assertEquals("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c", Tokens.sha256Hex("\u00e9"));
    }

    @Test
    void displayPrefixShowsKindPrefixAndFourSecretChars() {
        assertEquals("rk_live_3f9a", Tokens.displayPrefix("rk_live_3f9a" + "0".repeat(28)));
        assertEquals("nt_live_0123", Tokens.displayPrefix("nt_live_0123" + "f".repeat(44)));
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void displayPrefixNeverShowsMoreThanFourSecretChars(TokenKind kind) {
        String token = Tokens.generate(kind);

        String shown = Tokens.displayPrefix(token);

        assertEquals(kind.prefix().length() + 4, shown.length());
        assertTrue(token.startsWith(shown));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"rk_live_", "rk_live_3f9a", "rk_live_ZZZZ0000000000000000000000000000", "hello world",
            "rk_test_00000000000000000000000000000000", "<script>alert(1)</script>"})
    void displayPrefixOfAMalformedTokenIsFixed(String raw) {
        assertEquals("(malformed)", Tokens.displayPrefix(raw));
    }

    @Test
    void hashPrefixIsTheFirstEightHexChars() {
        assertEquals("ba7816bf", Tokens.hashPrefix(Tokens.sha256Hex("abc")));
    }

    @Test
    void hashPrefixRefusesAnythingButADigest() {
        assertThrows(IllegalArgumentException.class, () -> Tokens.hashPrefix("rk_live_" + "0".repeat(56)));
        assertThrows(IllegalArgumentException.class, () -> Tokens.hashPrefix("abc"));
        assertThrows(IllegalArgumentException.class, () -> Tokens.hashPrefix(null));
    }

    @Test
    void logIdIsTheHashPrefixOfTheRawToken() {
        String token = Tokens.generate(TokenKind.WORKSPACE_KEY);

        assertEquals(Tokens.sha256Hex(token).substring(0, 8), Tokens.logId(token));
        assertEquals("ba7816bf", Tokens.logId("abc"));
    }
}
