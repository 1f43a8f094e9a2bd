package dev.relay.common.ws;

import java.util.Arrays;
import java.util.Optional;

/**
 * The catalogue of WebSocket close codes and reasons the engine sends, each saying whether a client should reconnect
 * (after centrifuge's {@code disconnect.go}).
 * <p>
 * Numbering: 1000–1011 are RFC 6455's standard codes (1000 normal, 1001 going away, 1008 policy violation, 1009
 * message too big, 1011 internal error); 4000–4999 is the range RFC 6455 leaves to applications, of which ours are
 * the 40xx codes, mirroring the HTTP status they resemble (4001 like 401, 4008 like 408). Every credential or
 * workspace withdrawal is a 1008 told apart by its reason. Reasons are ASCII and fit the 123 bytes a close frame
 * allows. The 6.0.2 SDK ignores codes and reasons and reconnects on any close it did not start, so
 * {@link #reconnect()} documents intent for operators and other clients rather than steering the SDK.
 */
public enum CloseCode {

    SUPERSEDED(1000, "superseded", false),
    FORCE_DISCONNECT(1000, "force-disconnect", false),
    NORMAL(1000, "normal", false),
    SERVER_SHUTDOWN(1001, "server_shutdown", true),
    INTERNAL_ERROR(1011, "internal_error", true),
    MESSAGE_TOO_BIG(1009, "message_too_big", false),
    SLOW_CONSUMER(4008, "slow_consumer", true),
    AUTH_TIMEOUT(4001, "auth_timeout", true),
    INVALID_FRAME(4002, "invalid_frame", false),
    OBSERVER_TOKEN_REVOKED("observer_token_revoked"),
    OBSERVER_TOKEN_EXPIRED("observer_token_expired"),
    OBSERVER_TOKEN_ROTATED("observer_token_rotated"),
    NODE_TOKEN_REVOKED("node_token_revoked"),
    NODE_TOKEN_EXPIRED("node_token_expired"),
    NODE_TOKEN_ROTATED("node_token_rotated"),
    WORKSPACE_KEY_REVOKED("workspace_key_revoked"),
    WORKSPACE_DELETED("workspace_deleted"),
    WORKSPACE_EXPIRED("workspace_expired"),
    SCOPE_REMOVED("stream_scope_removed");

    /** RFC 6455 "policy violation": the credential or workspace behind the socket is no longer valid. */
    public static final int POLICY_VIOLATION = 1008;

    private final int code;
    private final String reason;
    private final boolean reconnect;

    CloseCode(int code, String reason, boolean reconnect) {
        this.code = code;
        this.reason = reason;
        this.reconnect = reconnect;
    }

    /** A policy close: reconnecting with the same credential cannot succeed. */
    CloseCode(String reason) {
        this(POLICY_VIOLATION, reason, false);
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    /** Whether a client should reconnect (with backoff) after this close. */
    public boolean reconnect() {
        return reconnect;
    }

    public static Optional<CloseCode> fromReason(String reason) {
        return Arrays.stream(values()).filter(close -> close.reason.equals(reason)).findFirst();
    }
}
