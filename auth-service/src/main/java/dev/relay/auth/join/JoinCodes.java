package dev.relay.auth.join;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

import dev.relay.common.token.Tokens;

/**
 * Join codes: 12 characters of Crockford's base32 (60 random bits), shown as {@code XXXX-XXXX-XXXX} so a person can
 * read one aloud and type it. Reading a code forgives what people get wrong: case, dashes and spaces, and the
 * letters Crockford maps to digits (O → 0, I and L → 1). Brute force is out of reach because a code is single-use by
 * default, expires, and the redeem route is rate-limited per client address.
 */
public final class JoinCodes {

    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final int LENGTH = 12;
    private static final int GROUP = 4;
    private static final SecureRandom RANDOM = new SecureRandom();

    private JoinCodes() {
    }

    /** A fresh code, grouped for display. */
    public static String generate() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < LENGTH; i++) {
            if (i > 0 && i % GROUP == 0) {
                code.append('-');
            }
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** The canonical form (12 upper-case alphabet characters), or empty when the input cannot be a code. */
    public static Optional<String> normalize(String input) {
        if (input == null || input.length() > 64) {
            return Optional.empty();
        }
        StringBuilder code = new StringBuilder();
        for (char c : input.toUpperCase(Locale.ROOT).toCharArray()) {
            if (c == '-' || c == ' ') {
                continue;
            }
            char mapped = switch (c) {
                case 'O' -> '0';
                case 'I', 'L' -> '1';
                default -> c;
            };
            if (ALPHABET.indexOf(mapped) < 0) {
                return Optional.empty();
            }
            code.append(mapped);
        }
        return code.length() == LENGTH ? Optional.of(code.toString()) : Optional.empty();
    }

    /** What is stored and looked up: the SHA-256 of the canonical form. */
    public static String hash(String canonical) {
        return Tokens.sha256Hex(canonical);
    }
}
