package dev.relay.auth.rest;

import dev.relay.auth.service.AuditLog.Caller;
import io.vertx.core.http.HttpServerRequest;

/** Who a public request came from, for the audit: the gateway, on behalf of the client address it forwarded. */
final class GatewayCaller {

    private GatewayCaller() {
    }

    static Caller of(HttpServerRequest http) {
        return new Caller("observer-gateway", http.getHeader("X-Forwarded-For"));
    }
}
