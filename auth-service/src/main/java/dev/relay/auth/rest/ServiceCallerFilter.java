package dev.relay.auth.rest;

import dev.relay.common.internal.CallableBy;
import dev.relay.common.internal.InternalRouteGuard;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import dev.relay.auth.service.SigningKeys;
import dev.relay.common.auth.JwtVerifier;
import dev.relay.common.auth.VerifiedJwts;
import dev.relay.common.auth.PrincipalClaims;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import io.quarkus.logging.Log;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Guards every `/internal` route: the caller must present a service JWT signed by this service, for the internal
 * audience, whose subject is a service the route's {@link CallableBy} names.
 */
public class ServiceCallerFilter {

    private final SigningKeys keys;
    private final CallingService callingService;
    private final DefaultJWTParser parser = new DefaultJWTParser();
    /** Callers reuse a service JWT for minutes: its signature is checked once (see {@link VerifiedJwts}). */
    private final VerifiedJwts verified = new VerifiedJwts();

    ServiceCallerFilter(SigningKeys keys, CallingService callingService) {
        this.keys = keys;
        this.callingService = callingService;
    }

    @ServerRequestFilter
    public void authenticate(ContainerRequestContext request, SimpleResourceInfo resource) {
        CallableBy callableBy = InternalRouteGuard.callableBy(resource);
        if (callableBy == null) {
            return;
        }
        String service = verifiedService(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (Arrays.stream(callableBy.value()).noneMatch(service::equals)) {
            Log.warnf("auth.internal_refused reason=service_not_allowed service=%s route=%s", service,
                    request.getUriInfo().getPath());
            throw new RelayException(ErrorCode.FORBIDDEN, "service " + service + " may not call this route");
        }
        callingService.authenticated(service);
    }

    private String verifiedService(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw refused("missing service JWT");
        }
        String jwt = authorization.substring("Bearer ".length()).trim();
        RSAPublicKey key = JwtVerifier.keyId(jwt)
                .flatMap(keys::publicKey)
                .orElseThrow(() -> refused("unknown signing key"));
        try {
            JsonWebToken token = verified.get(jwt, key);
            if (token == null) {
                token = parser.verify(jwt, key);
                verified.put(jwt, token, key);
            }
            boolean internal = token.getAudience() != null
                    && token.getAudience().contains(PrincipalClaims.SERVICE_AUDIENCE);
            if (!PrincipalClaims.ISSUER.equals(token.getIssuer()) || !internal || token.getSubject() == null) {
                throw refused("not a service JWT");
            }
            return token.getSubject();
        } catch (ParseException e) {
            throw refused("invalid service JWT: " + e.getMessage());
        }
    }

    private static RelayException refused(String why) {
        Log.warnf("auth.internal_refused reason=%s", why.replace(' ', '_'));
        return new RelayException(ErrorCode.UNAUTHORIZED, "Internal route needs a valid service JWT: " + why);
    }
}
