package dev.relay.common.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CloseCodeTest {

    @ParameterizedTest
    @EnumSource(CloseCode.class)
    void reasonIsAsciiAndFitsACloseFrame(CloseCode close) {
        byte[] bytes = close.reason().getBytes(StandardCharsets.UTF_8);

        assertTrue(bytes.length <= 123, close + " reason is " + bytes.length + " bytes");
        assertTrue(close.reason().chars().allMatch(c -> c > 0x20 && c < 0x7f), close.reason());
    }

    @ParameterizedTest
    @EnumSource(CloseCode.class)
    void codeIsStandardOrPrivate(CloseCode close) {
        int code = close.code();

        assertTrue((code >= 1000 && code <= 1011 && code != 1004 && code != 1005 && code != 1006)
                || (code >= 4000 && code <= 4099), close + " -> " + code);
    }

    @ParameterizedTest
    @EnumSource(CloseCode.class)
    void fromReasonRoundTrips(CloseCode close) {
        assertEquals(Optional.of(close), CloseCode.fromReason(close.reason()));
    }

    @Test
    void reasonsAreUnique() {
        assertEquals(CloseCode.values().length, Arrays.stream(CloseCode.values())
                .map(CloseCode::reason)
                .distinct()
                .count());
    }

    @Test
    void fromReasonIsEmptyForUnknownReasons() {
        assertEquals(Optional.empty(), CloseCode.fromReason("observer token revoked"));
        assertEquals(Optional.empty(), CloseCode.fromReason(null));
    }

    @Test
    void contractCloses() {
        assertClose(CloseCode.SUPERSEDED, 1000, "superseded", false);
        assertClose(CloseCode.FORCE_DISCONNECT, 1000, "force-disconnect", false);
        assertClose(CloseCode.NORMAL, 1000, "normal", false);
        assertClose(CloseCode.SERVER_SHUTDOWN, 1001, "server_shutdown", true);
        assertClose(CloseCode.MESSAGE_TOO_BIG, 1009, "message_too_big", false);
        assertClose(CloseCode.INTERNAL_ERROR, 1011, "internal_error", true);
        assertClose(CloseCode.AUTH_TIMEOUT, 4001, "auth_timeout", true);
        assertClose(CloseCode.INVALID_FRAME, 4002, "invalid_frame", false);
        assertClose(CloseCode.SLOW_CONSUMER, 4008, "slow_consumer", true);
    }

    @Test
    void credentialAndWorkspaceWithdrawalsArePolicyClosesWithoutReconnect() {
        for (CloseCode close : new CloseCode[]{CloseCode.OBSERVER_TOKEN_REVOKED, CloseCode.OBSERVER_TOKEN_EXPIRED,
                CloseCode.OBSERVER_TOKEN_ROTATED, CloseCode.NODE_TOKEN_REVOKED, CloseCode.NODE_TOKEN_EXPIRED,
                CloseCode.NODE_TOKEN_ROTATED, CloseCode.WORKSPACE_KEY_REVOKED, CloseCode.WORKSPACE_DELETED,
                CloseCode.WORKSPACE_EXPIRED, CloseCode.SCOPE_REMOVED}) {
            assertEquals(CloseCode.POLICY_VIOLATION, close.code(), close.name());
            assertFalse(close.reconnect(), close.name());
            assertEquals(close.name().toLowerCase(), close == CloseCode.SCOPE_REMOVED
                    ? "scope_removed"
                    : close.reason());
        }
        assertEquals("stream_scope_removed", CloseCode.SCOPE_REMOVED.reason());
        assertEquals(1008, CloseCode.POLICY_VIOLATION);
    }

    private static void assertClose(CloseCode close, int code, String reason, boolean reconnect) {
        assertEquals(code, close.code());
        assertEquals(reason, close.reason());
        assertEquals(reconnect, close.reconnect());
    }
}
