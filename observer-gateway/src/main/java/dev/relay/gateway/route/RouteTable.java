package dev.relay.gateway.route;

import static dev.relay.gateway.route.Owner.AUTH_SERVICE;
import static dev.relay.gateway.route.Owner.DELIVERY_SERVICE;
import static dev.relay.gateway.route.Owner.GATEWAY;
import static dev.relay.gateway.route.Owner.WORKSPACE_SERVICE;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The public routes of the contract (§2.3, §3), the service that owns each and who may call it (see {@link Access}
 * for the legend). A path that is not listed here never
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
        b.add(AUTH_SERVICE, "POST GET", "/v1/observer-tokens", "W");
        b.add(AUTH_SERVICE, "GET PATCH DELETE", "/v1/observer-tokens/:id", "W");
        b.add(AUTH_SERVICE, "POST", "/v1/observer-tokens/:id/rotate", "W");
        // auth-service: the workspace's keys and join codes (restricted machine keys)
        b.add(AUTH_SERVICE, "GET", "/v1/workspace/keys", "W");
        b.add(AUTH_SERVICE, "DELETE", "/v1/workspace/keys/:id", "W");
        b.add(AUTH_SERVICE, "POST GET", "/v1/workspace/invites", "W");
        b.add(AUTH_SERVICE, "DELETE", "/v1/workspace/invites/:id", "W");
        b.add(AUTH_SERVICE, "POST", "/v1/invites/redeem", "-");
        // workspace-service: workspaces (§3.1)
        b.add(WORKSPACE_SERVICE, "POST", "/v1/workspaces", "W?");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/workspaces/by-name/:name", "-");
        b.add(WORKSPACE_SERVICE, "DELETE", "/v1/workspaces/:id", "W");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/workspace", "W O:*");
        b.add(WORKSPACE_SERVICE, "PATCH DELETE", "/v1/workspace", "W");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/workspace/system-prompt", "W A");
        b.add(WORKSPACE_SERVICE, "PUT", "/v1/workspace/system-prompt", "W");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/workspace/events", "W O:stream:read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/activity", "W O:activity:read");
        // agents and presence (§3.3, §9)
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents", "W:agents:register");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/agents", "W:agents:read A O:agents:read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/agents/presence", "W:agents:read A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/heartbeat", "A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/disconnect", "A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/agents/:name", "W:agents:read A O:agents:read");
        b.add(WORKSPACE_SERVICE, "PATCH", "/v1/agents/:name", "W:agents:manage_own");
        b.add(WORKSPACE_SERVICE, "DELETE", "/v1/agents/:name", "W");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/:name/rotate-token", "W:agents:manage_own A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/agents/:name/revoke", "W");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/agent", "A");
        // channels (§3.4)
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels", "W A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/channels", "W A O:channels:read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/channels/:name", "W A O:channels:read");
        b.add(WORKSPACE_SERVICE, "PATCH DELETE", "/v1/channels/:name", "W A");
        b.add(WORKSPACE_SERVICE, "PATCH", "/v1/channels/:name/topic", "W A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/join", "A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/leave", "A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/invite", "W A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/mute", "A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/unmute", "A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/channels/:name/members", "W A O:channels:read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/channels/:name/read-status", "W A");
        // messages, threads, reactions, reads (§3.5, §3.6)
        b.add(WORKSPACE_SERVICE, "POST", "/v1/channels/:name/messages", "W A N");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/channels/:name/messages", "W A O:messages:read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/messages/:id", "W A O:messages:read O:dms:read");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/messages/:id/replies", "W A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/messages/:id/replies", "W A O:threads:read");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/messages/:id/reactions", "A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/messages/:id/reactions", "W A O:reactions:read");
        b.add(WORKSPACE_SERVICE, "DELETE", "/v1/messages/:id/reactions/:emoji", "A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/messages/:id/read", "A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/messages/:id/readers", "W A");
        // DMs and group DMs (§3.7), admin DM views (§3.1)
        b.add(WORKSPACE_SERVICE, "POST", "/v1/dm", "A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/dm/conversations", "A");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/dm/conversations/all", "W O:dms:read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/dm/conversations/:id/messages", "W O:dms:read");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/dm/group", "A");
        b.add(WORKSPACE_SERVICE, "GET POST", "/v1/dm/:id/messages", "A");
        b.add(WORKSPACE_SERVICE, "POST", "/v1/dm/:id/participants", "A");
        b.add(WORKSPACE_SERVICE, "DELETE", "/v1/dm/:id/participants/:agent", "A");
        // search and inbox (§3.8)
        b.add(WORKSPACE_SERVICE, "GET", "/v1/search", "W A O:search:read");
        b.add(WORKSPACE_SERVICE, "GET", "/v1/inbox", "A");
        // delivery-service: deliveries (§3.9), nodes (§3.10), the node WebSocket (§5.2)
        b.add(DELIVERY_SERVICE, "GET", "/v1/deliveries", "A");
        b.add(DELIVERY_SERVICE, "POST", "/v1/deliveries/:id/ack", "A");
        b.add(DELIVERY_SERVICE, "POST", "/v1/deliveries/:id/fail", "A");
        b.add(DELIVERY_SERVICE, "POST", "/v1/deliveries/:id/defer", "A");
        b.add(DELIVERY_SERVICE, "POST", "/v1/nodes", "W:nodes:enroll_own");
        b.add(DELIVERY_SERVICE, "GET", "/v1/nodes", "W A O:nodes:read");
        b.add(DELIVERY_SERVICE, "GET", "/v1/nodes/:name", "W A O:nodes:read");
        b.add(DELIVERY_SERVICE, "DELETE", "/v1/nodes/:name", "W");
        b.add(DELIVERY_SERVICE, "GET", "/v1/nodes/:name/agents", "W A O:nodes:read");
        b.add(DELIVERY_SERVICE, "POST", "/v1/nodes/:name/agents", "W:nodes:bind_own");
        b.add(DELIVERY_SERVICE, "DELETE", "/v1/nodes/:name/agents/:agent", "W:nodes:bind_own");
        b.add(DELIVERY_SERVICE, "POST", "/v1/agent/node-token", "A");
        b.add(DELIVERY_SERVICE, WS, "/v1/node/ws", "N");
        // the gateway itself: the observer stream (§5.1)
        b.add(GATEWAY, WS, "/v1/ws", "W O:stream:read");
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

        void add(Owner owner, String methods, String template, String access) {
            for (String method : methods.split(" ")) {
                boolean webSocket = WS.equals(method);
                routes.add(new PublicRoute(webSocket ? "GET" : method, template, owner, webSocket,
                        Access.parse(access)));
            }
        }
    }
}
