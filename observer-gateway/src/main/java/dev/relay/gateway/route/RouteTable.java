package dev.relay.gateway.route;

import static dev.relay.gateway.route.Owner.AUTH_SERVICE;
import static dev.relay.gateway.route.Owner.DELIVERY_SERVICE;
import static dev.relay.gateway.route.Owner.GATEWAY;
import static dev.relay.gateway.route.Owner.WORKSPACE_SERVICE;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The public routes of the contract (§2.3, §3) and the service that owns each. A path that is not listed here never
 * reaches a service: not `/internal/...`, not anything else.
 */
public final class RouteTable {

    private static final String WS = "WS";

    private final List<PublicRoute> routes;

    private RouteTable(List<PublicRoute> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The engine's public surface. */
    public static RouteTable standard() {
        Builder b = new Builder();
        // auth-service: observer tokens (§3.2)
        b.add(AUTH_SERVICE, "POST GET", "/v1/observer-tokens");
        b.add(AUTH_SERVICE, "GET PATCH DELETE", "/v1/observer-tokens/:id");
        b.add(AUTH_SERVICE, "POST", "/v1/observer-tokens/:id/rotate");
        // workspace-service: workspaces (§3.1)
        b.add(WORKSPACE_SERVICE, "POST", "/v1/workspaces");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/workspaces/by-name/:name");
        b.add(WORKSPACE_SERVICE, "DELETE", "/v1/workspaces/:id");
        b.add(WORKSPACE_SERVICE, "GET PATCH DELETE", "/v1/workspace");
        b.add(WORKSPACE_SERVICE, "GET PUT", "/v1/workspace/system-prompt");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/workspace/events");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/activity");
        // agents and presence (§3.3, §9)
        b.add(WORKSPACE_SERVICE, "POST GET", "/v1/agents");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/agents/presence");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/heartbeat");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/disconnect");
        b.add(WORKSPACE_SERVICE, "GET PATCH DELETE", "/v1/agents/:name");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/:name/rotate-token");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/:name/revoke");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/agent");
        // channels (§3.4)
        b.add(WORKSPACE_SERVICE, "POST GET", "/v1/channels");
        b.add(WORKSPACE_SERVICE, "GET PATCH DELETE", "/v1/channels/:name");
        b.add(WORKSPACE_SERVICE, "PATCH", "/v1/channels/:name/topic");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/join");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/leave");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/invite");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/mute");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/unmute");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/channels/:name/members");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/channels/:name/read-status");
        // messages, threads, reactions, reads (§3.5, §3.6)
        b.add(WORKSPACE_SERVICE, "POST GET", "/v1/channels/:name/messages");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/messages/:id");
        b.add(WORKSPACE_SERVICE, "POST GET", "/v1/messages/:id/replies");
        b.add(WORKSPACE_SERVICE, "POST GET", "/v1/messages/:id/reactions");
        b.add(WORKSPACE_SERVICE, "DELETE", "/v1/messages/:id/reactions/:emoji");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/messages/:id/read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/messages/:id/readers");
        // DMs and group DMs (§3.7), admin DM views (§3.1)
        b.add(WORKSPACE_SERVICE, "POST", "/v1/dm");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/dm/conversations");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/dm/conversations/all");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/dm/conversations/:id/messages");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/dm/group");
        b.add(WORKSPACE_SERVICE, "GET POST", "/v1/dm/:id/messages");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/dm/:id/participants");
        b.add(WORKSPACE_SERVICE, "DELETE", "/v1/dm/:id/participants/:agent");
        // search and inbox (§3.8)
        b.add(WORKSPACE_SERVICE, "GET", "/v1/search");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/inbox");
        // delivery-service: deliveries (§3.9), nodes (§3.10), the node WebSocket (§5.2)
        b.add(DELIVERY_SERVICE, "GET", "/v1/deliveries");
        b.add(DELIVERY_SERVICE, "POST", "/v1/deliveries/:id/ack");
        b.add(DELIVERY_SERVICE, "POST", "/v1/deliveries/:id/fail");
        b.add(DELIVERY_SERVICE, "POST", "/v1/deliveries/:id/defer");
        b.add(DELIVERY_SERVICE, "POST GET", "/v1/nodes");
        b.add(DELIVERY_SERVICE, "GET DELETE", "/v1/nodes/:name");
        b.add(DELIVERY_SERVICE, "GET POST", "/v1/nodes/:name/agents");
        b.add(DELIVERY_SERVICE, "DELETE", "/v1/nodes/:name/agents/:agent");
        b.add(DELIVERY_SERVICE, "POST", "/v1/agent/node-token");
        b.add(DELIVERY_SERVICE, WS, "/v1/node/ws");
        // the gateway itself: the observer stream (§5.1)
        b.add(GATEWAY, WS, "/v1/ws");
        return new RouteTable(b.routes);
    }

    /** Every route, for documentation and tests. */
    public List<PublicRoute> routes() {
        return routes;
    }

    /**
     * The route a request goes to. A WebSocket route answers GET (the upgrade) only. Routes are listed most specific
     * first where templates overlap, so the first match wins.
     */
    public Optional<PublicRoute> resolve(String method, String path) {
        List<String> segments = RoutePaths.segments(path);
        for (PublicRoute route : routes) {
            String routeMethod = route.webSocket() ? "GET" : route.method();
            if (routeMethod.equals(method) && route.matchesPath(segments)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    private static final class Builder {
        private final List<PublicRoute> routes = new ArrayList<>();

        void add(Owner owner, String methods, String template) {
            for (String method : methods.split(" ")) {
                boolean webSocket = WS.equals(method);
                routes.add(new PublicRoute(webSocket ? "GET" : method, template, owner, webSocket));
            }
        }
    }
}
