package dev.relay.workspace.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import dev.relay.common.auth.AuthKeys;
import dev.relay.common.internal.InternalRouteGuard;

/** Guards workspace-service's `/internal` routes: a service JWT from a service the route's `@CallableBy` names. */
public class InternalCallerFilter {

    private final InternalRouteGuard guard;

    InternalCallerFilter(AuthKeys keys) {
        this.guard = new InternalRouteGuard(keys.verifier());
    }

    @ServerRequestFilter
    public void authenticate(ContainerRequestContext request, SimpleResourceInfo resource) {
        guard.check(resource, request.getHeaderString(HttpHeaders.AUTHORIZATION), request.getUriInfo().getPath());
    }
}
