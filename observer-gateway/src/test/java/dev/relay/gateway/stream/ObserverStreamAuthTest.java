package dev.relay.gateway.stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

import dev.relay.common.token.TokenKind;
import dev.relay.gateway.edge.StandInServices;
import dev.relay.gateway.edge.StandInServices.StandInCredential;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.http.UpgradeRejectedException;

/**
 * Who may open `/v1/ws` (contract §5.1): an observer token with `stream:read`, or the workspace key (which the 6.0.2
 * SDK's `RelayCast.connect()` sends) as an observer with every scope. Every other token is refused before the upgrade
 * with a 401 envelope whose code and message say why, and the refusal never becomes a socket.
 */
@QuarkusTest
@QuarkusTestResource(StandInServices.class)
class ObserverStreamAuthTest extends StreamTestSupport {

    private static RequestSpecification upgrade() {
        return given().header("Connection", "Upgrade")
                .header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    }

    private static void refused(String query, String code, String message) {
        upgrade().when()
                .get("/v1/ws" + query)
                .then()
                .statusCode(401)
                .contentType("application/json")
                .body("ok", equalTo(false))
                .body("error.code", equalTo(code))
                .body("error.message", equalTo(message));
    }

    @Test
    void aMissingTokenIsRefused() {
        refused("", "unauthorized", "Missing token");
        refused("?token=", "unauthorized", "Missing token");
    }

    @Test
    void agentAndNodeTokensAreRefusedWithTheirOwnWords() {
        refused("?token=" + StandInServices.AGENT_TOKEN, "invalid_token",
                "Agent realtime WebSockets have moved to node transport");
        refused("?token=nt_live_" + "c".repeat(48), "invalid_token", "Node token cannot open the workspace stream");
    }

    @Test
    void anObserverTokenWithoutStreamReadIsRefused() {
        String token = StandInServices.observer(newWorkspace(), List.of("messages:read"), Map.of()).token;
        refused("?token=" + token, "invalid_token", "Observer token lacks stream:read");
    }

    @Test
    void anUnknownRevokedOrExpiredObserverTokenIsRefusedAsInvalid() {
        refused("?token=" + "ot_live_" + "0".repeat(48), "observer_token_invalid", "Observer token not recognised");
        StandInCredential revoked = StandInServices.observer(newWorkspace(), List.of("stream:read"), Map.of());
        revoked.revoked = true;
        refused("?token=" + revoked.token, "observer_token_invalid", "Token was revoked");
        StandInCredential expired = StandInServices.observer(newWorkspace(), List.of("stream:read"), Map.of());
        expired.expiresAt = Instant.now().minusSeconds(1);
        refused("?token=" + expired.token, "observer_token_invalid", "Token expired at " + expired.expiresAt);
        StandInCredential lapsed = StandInServices.observer(newWorkspace(), List.of("stream:read"), Map.of());
        lapsed.workspaceExpired = true;
        refused("?token=" + lapsed.token, "workspace_expired", "Workspace has expired");
    }

    @Test
    void aRefusalNeverBecomesASocket() {
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> open(StandInServices.AGENT_TOKEN));
        assertEquals(401, ((UpgradeRejectedException) refused.getCause()).getStatus());
        assertEquals(0, sessions.openSockets());
    }

    @Test
    void anObserverTokenWithStreamReadAndTheWorkspaceKeyAreAccepted() throws Exception {
        String workspace = newWorkspace();
        TestSocket observer = open(StandInServices.observer(workspace, List.of("stream:read"), Map.of()).token);
        StandInCredential key = StandInServices.workspaceKey(workspace);
        assertEquals(TokenKind.WORKSPACE_KEY, key.kind);
        TestSocket admin = open(key.token);

        observer.send("{\"type\":\"ping\"}");
        admin.send("{\"type\":\"ping\"}");
        observer.await(frame -> "pong".equals(frame.getString("type")), 2_000);
        admin.await(frame -> "pong".equals(frame.getString("type")), 2_000);
        assertFalse(observer.isClosed() || admin.isClosed());
        assertEquals(2, sessions.openSockets());
    }

    @Test
    void theBearerHeaderWorksTooButTheQueryWins() {
        String token = StandInServices.observer(newWorkspace(), List.of("messages:read"), Map.of()).token;
        upgrade().header("Authorization", "Bearer " + token)
                .when()
                .get("/v1/ws")
                .then()
                .statusCode(401)
                .body("error.message", equalTo("Observer token lacks stream:read"));
        upgrade().header("Authorization", "Bearer " + token)
                .when()
                .get("/v1/ws?token=" + StandInServices.AGENT_TOKEN)
                .then()
                .statusCode(401)
                .body("error.message", equalTo("Agent realtime WebSockets have moved to node transport"));
    }
}
