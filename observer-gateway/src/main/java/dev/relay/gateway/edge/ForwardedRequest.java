package dev.relay.gateway.edge;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.http.impl.HttpServerRequestWrapper;

/**
 * The request as the owning service sees it: the same stream, with the `token` query parameter removed, so a raw
 * token never travels past the edge (the principal JWT replaces it in the Authorization header).
 */
final class ForwardedRequest extends HttpServerRequestWrapper {

    private final String uri;

    private ForwardedRequest(HttpServerRequestInternal delegate, String uri) {
        super(delegate);
        this.uri = uri;
    }

    static HttpServerRequest withoutToken(HttpServerRequest request) {
        String query = request.query();
        if (query == null || !(query.startsWith("token=") || query.contains("&token="))
                || !(request instanceof HttpServerRequestInternal internal)) {
            return request;
        }
        String kept = String.join("&", java.util.Arrays.stream(query.split("&"))
                .filter(pair -> !pair.startsWith("token=") && !pair.equals("token"))
                .toList());
        return new ForwardedRequest(internal, request.path() + (kept.isEmpty() ? "" : "?" + kept));
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String query() {
        int mark = uri.indexOf('?');
        return mark < 0 ? null : uri.substring(mark + 1);
    }
}
