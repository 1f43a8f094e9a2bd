package dev.relay.common.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Mints raw tokens and derives what may be stored or shown from them (SHA-256 hex, display prefix, log id), so raw
 * secrets never reach a database row or a log line.
 */
public final class Tokens {

    static final String MALFORMED = "(malformed)";
    private static final int DISPLAYED_SECRET_CHARS = 4;
    private static final int HASH_PREFIX_LENGTH = 8;
    private static final int SHA256_HEX_LENGTH = 64;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Tokens() {
    }

    /** A fresh raw token of {@code kind}: its prefix plus random lower-case hex. */
    public static String generate(TokenKind kind) {
        byte[] secret = new byte[kind.secretLength() / 2];
        RANDOM.nextBytes(secret);
        return kind.prefix() + HEX.formatHex(secret);
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code raw}: the only form of a token that is stored. */
    public static String sha256Hex(String raw) {
        Objects.requireNonNull(raw, "raw");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HEX.formatHex(digest.digest(raw.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    /**
     * The kind prefix plus the first four secret characters, e.g. {@code rk_live_3f9a}, for showing a token in a
     * list; anything that is not a well-formed token gives {@code (malformed)}, so arbitrary input is never echoed.
     */
    public static String displayPrefix(String raw) {
        return TokenKind.ofPrefix(raw)
                .filter(kind -> kind.matchesFormat(raw))
                .map(kind -> raw.substring(0, kind.prefix().length() + DISPLAYED_SECRET_CHARS))
                .orElse(MALFORMED);
    }

    /** The first eight characters of a SHA-256 hex digest: enough to correlate, too little to look up. */
    public static String hashPrefix(String sha256Hex) {
        // Strict on purpose: passing a raw token here by mistake must fail, not log part of a secret.
        if (sha256Hex == null || sha256Hex.length() != SHA256_HEX_LENGTH
                || !sha256Hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a lower-case SHA-256 hex digest");
        }
        return sha256Hex.substring(0, HASH_PREFIX_LENGTH);
    }

    /** What a log line carries for a raw token: {@code hashPrefix(sha256Hex(raw))}. */
    public static String logId(String raw) {
        return hashPrefix(sha256Hex(raw));
    }
}
