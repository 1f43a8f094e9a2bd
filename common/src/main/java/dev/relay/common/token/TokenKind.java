package dev.relay.common.token;

import java.util.Arrays;
import java.util.Optional;

/**
 * The bearer-token kinds of contract §2.1, told apart by prefix; one catalogue so that minting, hashing and the
 * "wrong kind" answers of every service agree on prefixes and secret lengths.
 */
public enum TokenKind {

    WORKSPACE_KEY("rk_live_", 32, "workspace key", "workspace_key"),
    AGENT_TOKEN("at_live_", 32, "agent token", "agent_token"),
    NODE_TOKEN("nt_live_", 48, "node token", "node_token"),
    OBSERVER_TOKEN("ot_live_", 48, "observer token", "observer_token");

    private final String prefix;
    private final int secretLength;
    private final String displayName;
    private final String wireName;

    TokenKind(String prefix, int secretLength, String displayName, String wireName) {
        this.prefix = prefix;
        this.secretLength = secretLength;
        this.displayName = displayName;
        this.wireName = wireName;
    }

    /** The literal the raw token starts with, e.g. {@code rk_live_}. */
    public String prefix() {
        return prefix;
    }

    /** How many lower-case hex characters follow the prefix. */
    public int secretLength() {
        return secretLength;
    }

    /** Words for messages and logs, e.g. "workspace key". */
    public String displayName() {
        return displayName;
    }

    /** The snake_case name used in JSON and claims, e.g. {@code workspace_key}. */
    public String wireName() {
        return wireName;
    }

    /** The kind whose prefix {@code raw} starts with; says nothing about whether the rest is well formed. */
    public static Optional<TokenKind> ofPrefix(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(kind -> raw.startsWith(kind.prefix)).findFirst();
    }

    public static Optional<TokenKind> fromWireName(String wireName) {
        return Arrays.stream(values()).filter(kind -> kind.wireName.equals(wireName)).findFirst();
    }

    /** Whether {@code raw} is this kind's prefix followed by exactly {@link #secretLength()} lower-case hex chars. */
    public boolean matchesFormat(String raw) {
        if (raw == null || raw.length() != prefix.length() + secretLength || !raw.startsWith(prefix)) {
            return false;
        }
        return raw.chars().skip(prefix.length()).allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** The wire names of every kind, e.g. for finding stored credentials whose kind is none of them. */
    public static java.util.List<String> wireNames() {
        return java.util.Arrays.stream(values()).map(TokenKind::wireName).toList();
    }
}
