package dev.relay.common.auth;

import java.util.Optional;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.token.TokenKind;

/**
 * Why a presented token was refused: the closed set auth-service decides from, each mapped here, once, to the
 * Relaycast error code the SDK expects for the kind of token that was presented.
 */
public enum RefusalReason {
    /** No token, or one that is not `Bearer <token>`, or a known prefix with a secret of the wrong shape. */
    MALFORMED,
    /** A string that starts with no prefix the engine issues. */
    UNKNOWN_PREFIX,
    /** Well-formed, but no credential has this hash. */
    NOT_FOUND,
    REVOKED,
    EXPIRED,
    /** A previous secret of a rotated credential whose grace period is over (or had none). */
    ROTATED_OUT,
    /** The stored credential's kind disagrees with the token's prefix (legacy rows awaiting the kind backfill). */
    KIND_MISMATCH,
    /** A valid token of a kind the route does not take. */
    WRONG_KIND,
    /** A valid observer token without any of the scopes the route needs. */
    MISSING_SCOPE,
    WORKSPACE_EXPIRED;

    /** The wire name, as carried in audit rows, log lines and WebSocket close reasons. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<RefusalReason> fromWireName(String wireName) {
        for (RefusalReason reason : values()) {
            if (reason.wireName().equals(wireName)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }

    /**
     * The error code the caller receives, given the kind the token's prefix claims (empty when it claims none).
     * Mirrors the public engine (contract §2.2): a refused token answers its kind's `*_invalid` code, a token of
     * a kind the route does not take answers `*_forbidden` (or `unauthorized` for workspace keys and agent tokens).
     */
    public ErrorCode errorCode(Optional<TokenKind> presented) {
        return switch (this) {
            case MISSING_SCOPE -> ErrorCode.INSUFFICIENT_SCOPE;
            case WORKSPACE_EXPIRED -> ErrorCode.WORKSPACE_EXPIRED;
            case MALFORMED, UNKNOWN_PREFIX -> ErrorCode.UNAUTHORIZED;
            case WRONG_KIND -> presented.map(RefusalReason::forbiddenCode).orElse(ErrorCode.UNAUTHORIZED);
            case NOT_FOUND, REVOKED, EXPIRED, ROTATED_OUT, KIND_MISMATCH ->
                presented.map(RefusalReason::invalidCode).orElse(ErrorCode.UNAUTHORIZED);
        };
    }

    private static ErrorCode invalidCode(TokenKind kind) {
        return switch (kind) {
            case WORKSPACE_KEY -> ErrorCode.UNAUTHORIZED;
            case AGENT_TOKEN -> ErrorCode.AGENT_TOKEN_INVALID;
            case NODE_TOKEN -> ErrorCode.NODE_TOKEN_INVALID;
            case OBSERVER_TOKEN -> ErrorCode.OBSERVER_TOKEN_INVALID;
        };
    }

    private static ErrorCode forbiddenCode(TokenKind kind) {
        return switch (kind) {
            case NODE_TOKEN -> ErrorCode.NODE_TOKEN_FORBIDDEN;
            case OBSERVER_TOKEN -> ErrorCode.OBSERVER_TOKEN_FORBIDDEN;
            case WORKSPACE_KEY, AGENT_TOKEN -> ErrorCode.UNAUTHORIZED;
        };
    }
}
