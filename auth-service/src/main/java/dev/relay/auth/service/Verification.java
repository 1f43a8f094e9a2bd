package dev.relay.auth.service;

import java.time.Instant;
import java.util.Optional;

import dev.relay.common.auth.Principal;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.token.TokenKind;

/** The outcome of verifying a presented token: a principal with its JWT, or a refusal with its precise reason. */
public sealed interface Verification permits Verification.Verified, Verification.Refused {

    /** The token is good for this route: who it belongs to, and the principal JWT to forward. */
    record Verified(Principal principal, String jwt, Instant jwtExpiresAt) implements Verification {
    }

    /**
     * The token was refused. {@code presentedKind} is the kind the token's prefix claims, {@code hashPrefix} the
     * loggable prefix of its hash (empty when the token was not even well-formed), {@code credentialId} the stored
     * credential it matched, if any.
     */
    record Refused(RefusalReason reason, Optional<TokenKind> presentedKind, String message, Optional<String> hashPrefix,
            Optional<String> credentialId, Optional<String> workspaceId) implements Verification {

        public ErrorCode errorCode() {
            return reason.errorCode(presentedKind);
        }
    }
}
