package dev.relay.common.internal;

import java.util.Arrays;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import dev.relay.common.auth.JwtVerifier;
import dev.relay.common.auth.PrincipalClaims;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import io.quarkus.logging.Log;

/**
 * The check every service but auth-service runs on its `/internal` routes (auth-service verifies with its own keys
 * in its own filter): the caller presents a service JWT signed by auth-service for the internal audience, and its
 * subject is one of the services the route's {@link CallableBy} names. Each service wires it into a
 * {@code @ServerRequestFilter} of its own, so no service runs a filter it did not ask for.
 */
public final class InternalRouteGuard {

    private final JwtVerifier verifier;

    public InternalRouteGuard(JwtVerifier verifier) {
        this.verifier = verifier;
    }

    /** The calling service's name; null when the route is not an internal one. Throws 401/403 when refused. */
    public String check(SimpleResourceInfo resource, String authorization, String path) {
        CallableBy callableBy = callableBy(resource);
        if (callableBy == null) {
            return null;
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            Log.warnf("internal_refused reason=missing_service_jwt route=%s", path);
            throw new RelayException(ErrorCode.UNAUTHORIZED, "Internal route needs a service JWT");
        }
        JsonWebToken token = verifier.verify(authorization.substring("Bearer ".length()).trim(),
                PrincipalClaims.SERVICE_AUDIENCE);
        String service = token.getSubject();
        if (service == null || Arrays.stream(callableBy.value()).noneMatch(service::equals)) {
            Log.warnf("internal_refused reason=service_not_allowed service=%s route=%s", service, path);
            throw new RelayException(ErrorCode.FORBIDDEN, "service " + service + " may not call this route");
        }
        return service;
    }

    /** The route's {@link CallableBy}, on the method or else on its class. */
    public static CallableBy callableBy(SimpleResourceInfo resource) {
        try {
            CallableBy onMethod = resource.getResourceClass()
                    .getMethod(resource.getMethodName(), resource.parameterTypes())
                    .getAnnotation(CallableBy.class);
            return onMethod != null ? onMethod : resource.getResourceClass().getAnnotation(CallableBy.class);
        } catch (NoSuchMethodException e) {
            return resource.getResourceClass().getAnnotation(CallableBy.class);
        }
    }
}
