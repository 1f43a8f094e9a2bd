package dev.relay.auth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.relay.auth.service.Verification.Refused;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.token.TokenKind;

/**
 * The refusal reason × presented kind matrix of error codes the SDK branches on (contract §1.4, §2.2), written out
 * in full so that any change to the mapping is a visible change to this table.
 */
class RefusalReasonMappingTest {

    /** Columns: no recognisable kind, then workspace key, agent token, node token, observer token. */
    private static final Map<RefusalReason, List<ErrorCode>> EXPECTED = Map.of(
            RefusalReason.MALFORMED, row("unauthorized", "unauthorized", "unauthorized", "unauthorized",
                    "unauthorized"),
            RefusalReason.UNKNOWN_PREFIX, row("unauthorized", "unauthorized", "unauthorized", "unauthorized",
                    "unauthorized"),
            RefusalReason.NOT_FOUND, row("unauthorized", "unauthorized", "agent_token_invalid", "node_token_invalid",
                    "observer_token_invalid"),
            RefusalReason.REVOKED, row("unauthorized", "unauthorized", "agent_token_invalid", "node_token_invalid",
                    "observer_token_invalid"),
            RefusalReason.EXPIRED, row("unauthorized", "unauthorized", "agent_token_invalid", "node_token_invalid",
                    "observer_token_invalid"),
            RefusalReason.ROTATED_OUT, row("unauthorized", "unauthorized", "agent_token_invalid",
                    "node_token_invalid", "observer_token_invalid"),
            RefusalReason.KIND_MISMATCH, row("unauthorized", "unauthorized", "agent_token_invalid",
                    "node_token_invalid", "observer_token_invalid"),
            RefusalReason.WRONG_KIND, row("unauthorized", "unauthorized", "unauthorized", "node_token_forbidden",
                    "observer_token_forbidden"),
            RefusalReason.MISSING_SCOPE, row("insufficient_scope", "insufficient_scope", "insufficient_scope",
                    "insufficient_scope", "insufficient_scope"),
            RefusalReason.WORKSPACE_EXPIRED, row("workspace_expired", "workspace_expired", "workspace_expired",
                    "workspace_expired", "workspace_expired"));

    @ParameterizedTest
    @EnumSource(RefusalReason.class)
    void eachReasonMapsToTheCodeOfThePresentedKind(RefusalReason reason) {
        List<ErrorCode> expected = EXPECTED.get(reason);
        assertNotNull(expected, reason + " has no row in the matrix");
        List<Optional<TokenKind>> presented = presentedKinds();
        for (int column = 0; column < presented.size(); column++) {
            assertEquals(expected.get(column), reason.errorCode(presented.get(column)),
                    reason + " presented as " + presented.get(column));
        }
    }

    @ParameterizedTest
    @EnumSource(RefusalReason.class)
    void onlyAMissingScopeIsForbiddenEveryOtherRefusalIsUnauthenticated(RefusalReason reason) {
        int expected = reason == RefusalReason.MISSING_SCOPE ? 403 : 401;
        for (Optional<TokenKind> kind : presentedKinds()) {
            assertEquals(expected, reason.errorCode(kind).status(), reason + " presented as " + kind);
        }
    }

    @ParameterizedTest
    @EnumSource(RefusalReason.class)
    void wireNamesRoundTrip(RefusalReason reason) {
        assertEquals(reason.name().toLowerCase(Locale.ROOT), reason.wireName());
        assertEquals(Optional.of(reason), RefusalReason.fromWireName(reason.wireName()));
    }

    @Test
    void aRefusalAnswersTheCodeOfItsReasonAndKind() {
        Refused refused = new Refused(RefusalReason.WRONG_KIND, Optional.of(TokenKind.NODE_TOKEN), "m",
                Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(ErrorCode.NODE_TOKEN_FORBIDDEN, refused.errorCode());
        assertEquals(Optional.empty(), RefusalReason.fromWireName("banned"));
    }

    private static List<Optional<TokenKind>> presentedKinds() {
        return List.of(Optional.empty(), Optional.of(TokenKind.WORKSPACE_KEY), Optional.of(TokenKind.AGENT_TOKEN),
                Optional.of(TokenKind.NODE_TOKEN), Optional.of(TokenKind.OBSERVER_TOKEN));
    }

    private static List<ErrorCode> row(String... codes) {
        return Arrays.stream(codes).map(code -> ErrorCode.fromCode(code).orElseThrow()).toList();
    }
}
