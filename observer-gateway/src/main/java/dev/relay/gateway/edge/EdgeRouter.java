package dev.relay.gateway.edge;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.relay.common.auth.Capability;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import dev.relay.common.wire.Failure;
import dev.relay.gateway.auth.EdgeAuthenticator;
import dev.relay.gateway.auth.EdgeVerdict;
import dev.relay.gateway.route.Access;
import io.quarkus.logging.Log;
import dev.relay.gateway.health.HealthHandler;
import dev.relay.gateway.limit.RateLimiter;
import dev.relay.gateway.route.Owner;
import dev.relay.gateway.route.PublicRoute;
import dev.relay.gateway.route.RouteTable;
import dev.relay.gateway.stream.ObserverStream;
import dev.relay.gateway.stream.StreamRules;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The public edge: `/health`, every contract route to its owner, the observer stream `/v1/ws` it serves itself, and
 * the 404 envelope for everything else.
 */
@ApplicationScoped
public class EdgeRouter {

    // Negative orders run before anything Quarkus registers, so no request reaches another handler by accident.
    private static final int HEALTH_ORDER = -300;
    private static final int PUBLIC_ORDER = -200;
    private static final int FALLBACK_ORDER = -100;

    private final RouteTable routes = RouteTable.standard();
    private final UpstreamProxies proxies;
    private final HealthHandler health;
    private final EdgeAuthenticator authenticator;
    private final RateLimiter limiter;
    private final ObserverStream stream;

    EdgeRouter(UpstreamProxies proxies, HealthHandler health, EdgeAuthenticator authenticator, RateLimiter limiter,
            ObserverStream stream) {
        this.proxies = proxies;
        this.health = health;
        this.authenticator = authenticator;
        this.limiter = limiter;
        this.stream = stream;
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
        authenticateThenServe(context, route.get());
    }

    private void authenticateThenServe(RoutingContext context, PublicRoute route) {
        HttpServerRequest request = context.request();
        Access access = route.access();
        String token = access.isPublic() ? null : EdgeTokens.presented(request, route.webSocket());
        request.pause();
        if (access.isPublic() || (token == null && access.optional())) {
            limitThenServe(context, route, null, null);
            return;
        }
        boolean observerStream = route.owner() == Owner.GATEWAY;
        authenticator.authenticate(token, access, request.remoteAddress().hostAddress())
                .subscribe()
                .with(
                        verdict -> {
                            switch (verdict) {
                                case EdgeVerdict.Allowed allowed when lacksCapability(allowed, access) -> refuse(
                                        context, route, missingCapability(allowed, route, token));
                                case EdgeVerdict.Allowed allowed -> limitThenServe(context, route, allowed, token);
                                case EdgeVerdict.Denied denied -> refuse(context, route,
                                        observerStream ? StreamRules.refusal(denied, token != null) : denied);
                            }
                        },
                        failure -> {
                            Log.errorf(failure, "edge: cannot verify a token for %s %s: %s", route.method(),
                                    route.template(),
                                    failure.getMessage());
                            request.resume();
                            EdgeResponses.fail(context.response(), ErrorCode.HANDLER_UNAVAILABLE,
                                    "auth-service is unavailable; try again shortly");
                        });
    }

    /**
     * Counts the request against its rate-limit window (contract §1.5), says where the caller stands in
     * `X-RateLimit-*` headers, and refuses it with 429 and `Retry-After` once the window is spent.
     */
    private void limitThenServe(RoutingContext context, PublicRoute route, EdgeVerdict.Allowed allowed,
            String token) {
        HttpServerRequest request = context.request();
        String workspaceId = allowed == null ? null : allowed.workspaceId();
        String client = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        limiter.check(route, workspaceId, client).subscribe().with(decision -> {
            if (decision.limit() > 0) {
                context.response()
                        .putHeader("X-RateLimit-Limit", String.valueOf(decision.limit()))
                        .putHeader("X-RateLimit-Remaining", String.valueOf(decision.remaining()))
                        .putHeader("X-RateLimit-Reset", String.valueOf(decision.resetAt()));
            }
            if (decision.allowed()) {
                serve(context, route, allowed, token);
                return;
            }
            Log.infof("edge.rate_limited route=\"%s %s\" workspace=%s remote=%s limit=%d", route.method(),
                    route.template(), workspaceId == null ? "-" : workspaceId, client, decision.limit());
            request.resume();
            context.response().putHeader("Retry-After", String.valueOf(decision.retryAfterSeconds()));
            EdgeResponses.fail(context.response(), ErrorCode.RATE_LIMIT_EXCEEDED, "Rate limit exceeded: "
                    + decision.limit() + " requests per minute allowed "
                    + (workspaceId == null ? "per client address" : "per workspace") + " for " + route.method() + " "
                    + route.template() + "; retry in " + decision.retryAfterSeconds() + " s");
        });
    }

    private void serve(RoutingContext context, PublicRoute route, EdgeVerdict.Allowed allowed, String token) {
        if (route.owner() == Owner.GATEWAY) {
            stream.open(context.request(), allowed, token, route.access()).onFailure(failure -> {
                context.request().resume();
                if (failure instanceof RelayException relay) {
                    EdgeResponses.fail(context.response(), relay.code(), relay.getMessage());
                } else {
                    Log.errorf(failure, "observer stream: opening a socket failed");
                    EdgeResponses.fail(context.response(), ErrorCode.INTERNAL_ERROR, "The stream could not be opened");
                }
            });
            return;
        }
        proxies.forward(route.owner(), context.request(), allowed == null ? null : allowed.jwt(), route.webSocket());
    }

    /** A restricted workspace key on a route its capabilities do not cover. */
    private static boolean lacksCapability(EdgeVerdict.Allowed allowed, Access access) {
        return TokenKind.WORKSPACE_KEY.wireName().equals(allowed.kind()) && !allowed.capabilities().isEmpty()
                && !allowed.capabilities().contains(access.keyCapability().wireName());
    }

    private static EdgeVerdict.Denied missingCapability(EdgeVerdict.Allowed allowed, PublicRoute route,
            String token) {
        Capability needed = route.access().keyCapability();
        return new EdgeVerdict.Denied(ErrorCode.MISSING_CAPABILITY.status(), ErrorCode.MISSING_CAPABILITY.code(),
                Capability.refusalMessage(route.method() + " " + route.template(), needed,
                        Tokens.displayPrefix(token), allowed.capabilities()),
                "missing_capability:" + needed.wireName(), allowed.kind(), allowed.hashPrefix());
    }

    private static void refuse(RoutingContext context, PublicRoute route, EdgeVerdict.Denied denied) {
        HttpServerRequest request = context.request();
        Log.infof("edge.refused reason=%s kind=%s hash=%s route=\"%s %s\" remote=%s code=%s", denied.reason(),
                denied.kind() == null ? "-" : denied.kind(), denied.hashPrefix() == null ? "-" : denied.hashPrefix(),
                route.method(), route.template(), request.remoteAddress().hostAddress(), denied.code());
        request.resume();
        context.response()
                .setStatusCode(denied.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(EdgeResponses.json(Failure.of(denied.code(), denied.message())));
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
