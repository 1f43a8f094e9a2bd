package dev.relay.gateway.edge;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** Where a request carries its token (contract §2.2, §4): `Authorization: Bearer`, and `?token=` on upgrades. */
final class EdgeTokens {

    private static final String BEARER = "Bearer ";

    private EdgeTokens() {
    }

    /** The presented token, or null when there is none; an Authorization header not in `Bearer` form is none. */
    static String presented(HttpServerRequest request, boolean webSocket) {
        if (webSocket) {
            String query = request.getParam("token");
            if (query != null && !query.isBlank()) {
                return query.trim();
            }
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }
}
