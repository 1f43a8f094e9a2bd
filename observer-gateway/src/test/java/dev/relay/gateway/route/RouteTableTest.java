package dev.relay.gateway.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RouteTableTest {

    private final RouteTable table = RouteTable.standard();

    @Test
    void sendsEachRouteToItsOwner() {
        assertOwner(Owner.WORKSPACE_SERVICE, "POST", "/v1/workspaces");
        assertOwner(Owner.WORKSPACE_SERVICE, "GET", "/v1/workspaces/by-name/acme");
        assertOwner(Owner.WORKSPACE_SERVICE, "POST", "/v1/channels/general/messages");
        assertOwner(Owner.WORKSPACE_SERVICE, "DELETE", "/v1/messages/123/reactions/%F0%9F%91%8D");
        assertOwner(Owner.WORKSPACE_SERVICE, "GET", "/v1/agents/presence");
        assertOwner(Owner.WORKSPACE_SERVICE, "GET", "/v1/dm/conversations/all");
        assertOwner(Owner.AUTH_SERVICE, "POST", "/v1/observer-tokens/ot_1/rotate");
        assertOwner(Owner.DELIVERY_SERVICE, "POST", "/v1/agent/node-token");
        assertOwner(Owner.DELIVERY_SERVICE, "POST", "/v1/deliveries/del_1_2/ack");
        assertOwner(Owner.DELIVERY_SERVICE, "GET", "/v1/node/ws");
        assertOwner(Owner.GATEWAY, "GET", "/v1/ws");
    }

    @Test
    void refusesWhatTheContractDoesNotList() {
        assertTrue(table.resolve("GET", "/v1/nope").isEmpty());
        assertTrue(table.resolve("GET", "/internal/credentials/verify").isEmpty());
        assertTrue(table.resolve("GET", "/v1/internal/credentials").isEmpty());
        assertTrue(table.resolve("PUT", "/v1/workspaces").isEmpty(), "known path, unknown method");
        assertTrue(table.resolve("POST", "/v1/node/ws").isEmpty(), "WebSocket routes answer GET only");
        assertTrue(table.resolve("GET", "/v1/channels//messages").isEmpty(), "empty segment");
        assertTrue(table.resolve("GET", "/v1/channels/general/").isEmpty(), "trailing slash");
    }

    @Test
    void dotSegmentsNeverMatchAParameter() {
        assertTrue(table.resolve("GET", "/v1/channels/..").isEmpty());
        assertTrue(table.resolve("GET", "/v1/channels/%2e%2E").isEmpty());
        assertTrue(table.resolve("GET", "/v1/channels/./members").isEmpty());
        assertTrue(table.resolve("DELETE", "/v1/dm/../participants/..").isEmpty());
    }

    @Test
    void marksOnlyTheTwoStreamsAsWebSockets() {
        Set<String> webSockets = new HashSet<>();
        table.routes().stream().filter(PublicRoute::webSocket).forEach(r -> webSockets.add(r.template()));
        assertEquals(Set.of("/v1/node/ws", "/v1/ws"), webSockets);
    }

    @Test
    void listsNoRouteTwice() {
        Set<String> seen = new HashSet<>();
        for (PublicRoute route : table.routes()) {
            assertTrue(seen.add(route.method() + " " + route.template()), "duplicate " + route);
            assertFalse(route.template().contains("internal"), "internal route listed: " + route);
        }
    }

    private void assertOwner(Owner owner, String method, String path) {
        assertEquals(owner, table.resolve(method, path)
                .orElseThrow(() -> new AssertionError(method + " " + path))
                .owner(), method + " " + path);
    }
}
