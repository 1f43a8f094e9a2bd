package dev.relay.auth.rest;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import dev.relay.auth.service.SigningKeys;
import dev.relay.common.auth.JwtVerifier;
import dev.relay.common.auth.Capability;
import dev.relay.common.auth.Principal;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;

/**
 * Reads the principal JWT the gateway forwards on public routes. The gateway has already refused wrong tokens; this
 * is the service's own check that the request came through it, for the workspace key.
 */
public class PrincipalFilter {

    private final JwtVerifier verifier;
    private final CurrentPrincipal current;

    PrincipalFilter(SigningKeys keys, CurrentPrincipal current) {
        this.verifier = new JwtVerifier(kid -> keys.publicKey(kid).map(key -> key));
        this.current = current;
    }

    @ServerRequestFilter
    public void authenticate(ContainerRequestContext request, SimpleResourceInfo resource) {
        if (resource.getResourceClass().getAnnotation(WorkspaceKeyOnly.class) == null) {
            return;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String jwt = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        Principal principal = verifier.principal(jwt);
        if (principal.kind() != TokenKind.WORKSPACE_KEY) {
            throw new RelayException(RefusalReason.WRONG_KIND.errorCode(Optional.of(principal.kind())),
                    "Workspace key required (rk_live_...)");
        }
        if (Capability.restricted(principal)) {
            // The gateway refuses these first; this is the service's own check.
            throw Capability.refusal(request.getMethod() + " " + request.getUriInfo().getPath(), Capability.ADMIN,
                    principal);
        }
        current.set(principal);
    }
}
