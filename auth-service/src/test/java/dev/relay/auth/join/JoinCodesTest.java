package dev.relay.auth.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JoinCodesTest {

    @Test
    void codesAreTwelveCrockfordCharactersInThreeGroupsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String code = JoinCodes.generate();
            assertTrue(code.matches("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"), code);
            assertTrue(seen.add(code), "repeated " + code);
        }
    }

    @Test
    void readingForgivesCaseDashesSpacesAndLookAlikeLetters() {
        assertEquals(Optional.of("0123ABCD1111"), JoinCodes.normalize("o123-abcd-iLl1"));
        assertEquals(Optional.of("0123ABCD1111"), JoinCodes.normalize(" 0123 ABCD 1111 "));
        assertEquals(JoinCodes.hash("0123ABCD1111"), JoinCodes.hash(JoinCodes.normalize("O123abcdIIII").get()));
        assertNotEquals(JoinCodes.hash("0123ABCD1111"), JoinCodes.hash("0123ABCD1112"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ABCD-EFGH", "ABCD-EFGH-JKMN-P", "ABCD-EFGH-JKMU", "ABCD_EFGH_JKMN", "ABCD-EFGH-JKM!"})
    void anythingElseIsNotACode(String input) {
        assertEquals(Optional.empty(), JoinCodes.normalize(input));
    }

    @Test
    void nullAndHugeInputsAreNotCodes() {
        assertEquals(Optional.empty(), JoinCodes.normalize(null));
        assertEquals(Optional.empty(), JoinCodes.normalize("-".repeat(100_000)));
    }
}
