package dev.relay.gateway.edge;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.relay.common.error.ErrorCode;
import dev.relay.gateway.health.HealthHandler;
import dev.relay.gateway.route.Owner;
import dev.relay.gateway.route.PublicRoute;
import dev.relay.gateway.route.RouteTable;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The public edge: `/health`, every contract route to its owner, and the 404 envelope for everything else. */
@ApplicationScoped
public class EdgeRouter {

    // Negative orders run before anything Quarkus registers, so no request reaches another handler by accident.
    private static final int HEALTH_ORDER = -300;
    private static final int PUBLIC_ORDER = -200;
    private static final int FALLBACK_ORDER = -100;

    private final RouteTable routes = RouteTable.standard();
    private final UpstreamProxies proxies;
    private final HealthHandler health;

    EdgeRouter(UpstreamProxies proxies, HealthHandler health) {
        this.proxies = proxies;
        this.health = health;
    }

    void install(@Observes Router router) {
        router.get("/health").order(HEALTH_ORDER).handler(health);
        router.route("/v1/*").order(PUBLIC_ORDER).handler(this::routePublic);
        router.route().order(FALLBACK_ORDER).handler(EdgeRouter::routeNotFound);
    }

    private void routePublic(RoutingContext context) {
        HttpServerRequest request = context.request();
        Optional<PublicRoute> route = routes.resolve(request.method().name(), request.path());
        if (route.isEmpty()) {
            routeNotFound(context);
            return;
        }
        if (route.get().webSocket() && !isWebSocketUpgrade(request)) {
            context.response().putHeader(HttpHeaders.UPGRADE, "websocket");
            EdgeResponses.fail(context.response(), ErrorCode.UPGRADE_REQUIRED, "Expected WebSocket upgrade");
            return;
        }
        if (route.get().owner() == Owner.GATEWAY) {
            EdgeResponses.fail(context.response(), ErrorCode.HANDLER_UNAVAILABLE,
                    "The observer stream is not served by this version of the engine yet");
            return;
        }
        proxies.forward(route.get().owner(), request);
    }

    private static void routeNotFound(RoutingContext context) {
        EdgeResponses.fail(context.response(), ErrorCode.NOT_FOUND, "Route not found");
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        String connection = request.getHeader(HttpHeaders.CONNECTION);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket")
                && connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade");
    }
}
