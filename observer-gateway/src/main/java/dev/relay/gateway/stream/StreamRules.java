package dev.relay.gateway.stream;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.auth.Principal;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.event.ObserverEventFilter;
import dev.relay.common.token.TokenKind;
import dev.relay.common.ws.CloseCode;
import dev.relay.gateway.auth.EdgeVerdict;

/**
 * The observer stream's rules (contract §5.1, §7): what a refused upgrade says, what a socket may see, and which
 * catalogued close a withdrawn credential gets.
 */
public final class StreamRules {

    /** The scopes of contract §7.1: a workspace key watches as an observer holding all of them. */
    static final Set<String> EVERY_SCOPE = Set.of("stream:read", "messages:read", "threads:read", "dms:read",
            "channels:read", "search:read", "agents:read", "nodes:read", "deliveries:read", "activity:read",
            "files:read", "reactions:read");

    private StreamRules() {
    }

    /** What one socket may see: the scopes and filters {@link ObserverEventFilter} checks each event against. */
    record View(Set<String> scopes, Map<String, Object> filters) {

        /**
         * An observer token sees what its scopes and filters allow. A workspace key (which the 6.0.2 SDK's
         * `RelayCast.connect()` sends) sees everything, DMs included, as it does in `GET /v1/workspace/events`.
         */
        static View of(Principal principal) {
            return principal.kind() == TokenKind.WORKSPACE_KEY
                    ? new View(EVERY_SCOPE, Map.of("include_dms", true))
                    : new View(Set.copyOf(principal.scopes()), principal.filters());
        }

        boolean allows(StreamEvent event) {
            return ObserverEventFilter.allows(scopes, filters, event.type(), event.frame(), null);
        }
    }

    /**
     * The answer to a refused upgrade, as §5.1 words it: a 401 before the upgrade, `invalid_token` for a token of a
     * kind (or with scopes) that cannot open the stream, and the verifier's precise code for a token that is not
     * valid at all.
     */
    public static EdgeVerdict.Denied refusal(EdgeVerdict.Denied denied, boolean tokenPresented) {
        if (!tokenPresented) {
            return with(denied, ErrorCode.UNAUTHORIZED.code(), "Missing token");
        }
        Optional<RefusalReason> reason = RefusalReason.fromWireName(denied.reason());
        if (reason.isEmpty()) {
            return with(denied, denied.code(), denied.message());
        }
        return switch (reason.get()) {
            case WRONG_KIND -> switch (kind(denied.kind())) {
                case AGENT_TOKEN -> with(denied, ErrorCode.INVALID_TOKEN.code(),
                        "Agent realtime WebSockets have moved to node transport");
                case NODE_TOKEN -> with(denied, ErrorCode.INVALID_TOKEN.code(),
                        "Node token cannot open the workspace stream");
                default -> with(denied, ErrorCode.INVALID_TOKEN.code(), denied.message());
            };
            case MISSING_SCOPE -> with(denied, ErrorCode.INVALID_TOKEN.code(), "Observer token lacks stream:read");
            default -> with(denied, denied.code(), denied.message());
        };
    }

    /** The close a socket gets when verifying its token again is refused for {@code reason}. */
    static CloseCode closeFor(RefusalReason reason, TokenKind kind) {
        boolean observer = kind == TokenKind.OBSERVER_TOKEN;
        return switch (reason) {
            case WORKSPACE_EXPIRED -> CloseCode.WORKSPACE_EXPIRED;
            case MISSING_SCOPE -> CloseCode.SCOPE_REMOVED;
            case EXPIRED -> observer ? CloseCode.OBSERVER_TOKEN_EXPIRED : CloseCode.WORKSPACE_KEY_REVOKED;
            case ROTATED_OUT -> observer ? CloseCode.OBSERVER_TOKEN_ROTATED : CloseCode.WORKSPACE_KEY_REVOKED;
            // revoked, deleted (no longer found) or otherwise no longer valid: the contract's "observer token revoked"
            default -> observer ? CloseCode.OBSERVER_TOKEN_REVOKED : CloseCode.WORKSPACE_KEY_REVOKED;
        };
    }

    /** The close a socket gets when auth-service announces its credential revoked or rotated. */
    static CloseCode closeFor(CredentialChange change, TokenKind kind) {
        return Optional.ofNullable(change.reason())
                .flatMap(CloseCode::fromReason)
                .filter(close -> close.code() == CloseCode.POLICY_VIOLATION)
                .orElseGet(() -> closeFor(CredentialChange.ROTATED.equals(change.event())
                        ? RefusalReason.ROTATED_OUT
                        : RefusalReason.REVOKED, kind));
    }

    private static TokenKind kind(String wireName) {
        return TokenKind.fromWireName(wireName).orElse(TokenKind.OBSERVER_TOKEN);
    }

    private static EdgeVerdict.Denied with(EdgeVerdict.Denied denied, String code, String message) {
        return new EdgeVerdict.Denied(401, code, message, denied.reason(), denied.kind(), denied.hashPrefix());
    }
}
