package dev.relay.gateway.edge;

import java.net.URI;
import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.wire.Failure;
import dev.relay.gateway.config.GatewayConfig;
import dev.relay.gateway.route.Owner;
import io.quarkus.logging.Log;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Two Vert.x reverse proxies per owning service, forwarding REST calls and WebSocket upgrades unchanged: one for REST
 * calls, sharing a small keep-alive pool, and one for WebSocket upgrades, each of which holds its upstream connection
 * for as long as the socket lives (a pool shared with REST would be used up by the first 64 node sockets, after which
 * neither another socket nor any REST call to that owner would get through).
 */
@ApplicationScoped
public class UpstreamProxies {

    /** Headers only the gateway may set; a client sending them has them removed before forwarding. */
    static final String PRINCIPAL_HEADER = "X-Relay-Principal";

    private static final int REST_POOL_SIZE = 64;

    private final Map<Owner, HttpProxy> rest = new EnumMap<>(Owner.class);
    private final Map<Owner, HttpProxy> sockets = new EnumMap<>(Owner.class);

    UpstreamProxies(Vertx vertx, GatewayConfig config) {
        Map<Owner, URI> owners = Map.of(Owner.AUTH_SERVICE, config.auth().url(), Owner.WORKSPACE_SERVICE,
                config.workspace().url(), Owner.DELIVERY_SERVICE, config.delivery().url());
        owners.forEach((owner, url) -> {
            rest.put(owner, proxy(vertx, config, owner, url, REST_POOL_SIZE));
            sockets.put(owner, proxy(vertx, config, owner, url, config.maxProxiedSockets()));
        });
    }

    /**
     * Forwards the request to its owner with the principal JWT (or no credentials at all on public routes); the
     * owner's answer (or a 503 envelope if it is down) goes back. The raw token never leaves the edge.
     */
    void forward(Owner owner, HttpServerRequest request, String principalJwt, boolean webSocket) {
        HttpProxy proxy = (webSocket ? sockets : rest).get(owner);
        if (proxy == null) {
            throw new IllegalArgumentException(owner + " is not proxied");
        }
        request.headers().remove(PRINCIPAL_HEADER);
        if (principalJwt == null) {
            request.headers().remove(HttpHeaders.AUTHORIZATION);
        } else {
            request.headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + principalJwt);
        }
        request.headers().set("X-Forwarded-For", request.remoteAddress().hostAddress());
        request.headers().set("X-Forwarded-Proto", request.scheme());
        if (request.authority() != null) {
            request.headers().set("X-Forwarded-Host", request.authority().toString());
        }
        proxy.handle(ForwardedRequest.withoutToken(request));
    }

    private static HttpProxy proxy(Vertx vertx, GatewayConfig config, Owner owner, URI url, int poolSize) {
        int port = url.getPort() > 0 ? url.getPort() : ("https".equals(url.getScheme()) ? 443 : 80);
        HttpClientOptions options = new HttpClientOptions()
                .setDefaultHost(url.getHost())
                .setDefaultPort(port)
                .setSsl("https".equals(url.getScheme()))
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(poolSize)
                .setMaxWebSockets(poolSize);
        return HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), vertx.createHttpClient(options))
                .origin(port, url.getHost())
                .addInterceptor(new UnavailableOwner(owner, url));
    }

    /** Turns the proxy's own empty 502 (owner unreachable) into the contract's 503 envelope naming the owner. */
    private record UnavailableOwner(Owner owner, URI url) implements ProxyInterceptor {

        @Override
        public Future<Void> handleProxyResponse(ProxyContext context) {
            ProxyResponse response = context.response();
            boolean producedByProxy = response.getStatusCode() == 502 && response.headers().isEmpty();
            if (producedByProxy) {
                Log.warnf("edge: %s unreachable at %s for %s %s", owner.serviceName(), url,
                        context.request().getMethod(), context.request().getURI());
                String body = EdgeResponses.json(Failure.of(ErrorCode.HANDLER_UNAVAILABLE.code(),
                        owner.serviceName() + " is unavailable; try again shortly"));
                response.setStatusCode(ErrorCode.HANDLER_UNAVAILABLE.status())
                        .putHeader("Content-Type", "application/json")
                        .setBody(Body.body(Buffer.buffer(body)));
            }
            return context.sendResponse();
        }
    }
}
