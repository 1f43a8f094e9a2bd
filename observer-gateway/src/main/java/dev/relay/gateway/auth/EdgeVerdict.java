package dev.relay.gateway.auth;

import java.time.Instant;
import java.util.List;

/** What the edge decided about a request's token: forward it with a principal JWT, or refuse it and say why. */
public sealed interface EdgeVerdict permits EdgeVerdict.Allowed, EdgeVerdict.Denied {

    /**
     * Forward with this principal JWT (valid until {@code expiresAt}); {@code capabilities} is non-empty for a
     * restricted workspace key only.
     */
    record Allowed(String jwt, Instant expiresAt, String kind, String workspaceId, String hashPrefix,
            List<String> capabilities)
            implements
                EdgeVerdict {

        public Allowed {
            capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        }
    }

    /** Refuse with this status and envelope; {@code reason}, {@code kind} and {@code hashPrefix} are for the log. */
    record Denied(int status, String code, String message, String reason, String kind, String hashPrefix)
            implements
                EdgeVerdict {
    }
}
