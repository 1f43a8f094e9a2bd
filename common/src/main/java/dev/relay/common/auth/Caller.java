package dev.relay.common.auth;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import jakarta.enterprise.context.RequestScoped;

import dev.relay.common.auth.AuthKeys;
import dev.relay.common.auth.JwtVerifier;
import dev.relay.common.auth.Principal;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who is calling this request, from the principal JWT the gateway forwards in `Authorization`. The gateway has
 * already applied the route's access rule; this is the service's own check, and the only identity it acts on.
 */
@RequestScoped
public class Caller {

    private final HttpServerRequest request;
    private final JwtVerifier verifier;
    private Optional<Principal> principal;

    Caller(HttpServerRequest request, AuthKeys keys) {
        this.request = request;
        this.verifier = keys.verifier();
    }

    /** The principal if the request carries one (routes where a token is optional). */
    public Optional<Principal> optional() {
        if (principal == null) {
            String authorization = request.getHeader("Authorization");
            principal = authorization == null || !authorization.startsWith("Bearer ")
                    ? Optional.empty()
                    : Optional.of(verifier.principal(authorization.substring("Bearer ".length()).trim()));
        }
        return principal;
    }

    /** The principal, which must be one of the given kinds. */
    public Principal require(TokenKind... kinds) {
        Principal found = optional().orElseThrow(() -> new RelayException(ErrorCode.UNAUTHORIZED,
                "Missing or invalid Authorization header"));
        if (Arrays.stream(kinds).noneMatch(kind -> kind == found.kind())) {
            String takes = Arrays.stream(kinds)
                    .map(k -> k.displayName() + " (" + k.prefix() + "...)")
                    .collect(Collectors.joining(" or "));
            throw new RelayException(RefusalReason.WRONG_KIND.errorCode(Optional.of(found.kind())),
                    "This route takes " + takes);
        }
        return found;
    }
}
