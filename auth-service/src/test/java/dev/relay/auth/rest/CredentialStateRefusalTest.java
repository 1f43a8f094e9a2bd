package dev.relay.auth.rest;

import static dev.relay.auth.rest.CredentialApi.assertRefused;
import static dev.relay.auth.rest.CredentialApi.assertVerified;
import static dev.relay.auth.rest.CredentialApi.mint;
import static dev.relay.auth.rest.CredentialApi.mintBody;
import static dev.relay.auth.rest.CredentialApi.unique;
import static dev.relay.auth.rest.CredentialApi.verify;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.auth.rest.CredentialApi.Minted;
import io.quarkus.test.junit.QuarkusTest;

/** Refusals decided from a stored credential's state: `revoked`, `expired` and `workspace_expired`. */
@QuarkusTest
class CredentialStateRefusalTest {

    private static final String ISO_INSTANT = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";

    @Test
    void aRevokedTokenSaysWhenItWasRevoked() {
        Minted minted = mint("agent_token");
        String revokedAt = CredentialApi.revoke(minted.id()).statusCode(200).extract().path("data.revoked_at");
        assertRefused(verify(minted.token(), "agent_token"), "revoked", 401, "agent_token_invalid")
                .body("data.error.message", matchesPattern("Agent token was revoked at " + ISO_INSTANT + ": test"))
                .body("data.error.message", startsWith("Agent token was revoked at " + revokedAt.substring(0, 19)))
                .body("data.hash_prefix", equalTo(minted.hashPrefix()));
    }

    @Test
    void aTokenPastItsExpiryIsExpired() throws InterruptedException {
        Instant expiresAt = Instant.now().plusMillis(1500);
        Map<String, Object> body = mintBody("node_token", unique("ws"), "node_1");
        body.put("expires_at", expiresAt.toString());
        Minted minted = mint(body);
        assertVerified(verify(minted.token(), "node_token"));

        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis()) + 200);

        assertRefused(verify(minted.token(), "node_token"), "expired", 401, "node_token_invalid")
                .body("data.error.message", matchesPattern("Node token expired at " + ISO_INSTANT))
                .body("data.error.message", startsWith("Node token expired at " + expiresAt.toString()
                        .substring(0,
                                19)));
    }

    @Test
    void everyTokenOfAnExpiredWorkspaceIsRefusedUntilTheExpiryIsLifted() {
        String workspace = unique("ws");
        Minted agent = mint("agent_token", workspace, "agent_1");
        Minted observer = mint("observer_token", workspace, "obs_1");
        setExpiry(workspace, Instant.now().plusSeconds(3600).toString());
        assertVerified(verify(agent.token(), "agent_token"));

        setExpiry(workspace, "2020-01-01T00:00:00Z");
        assertRefused(verify(agent.token(), "agent_token"), "workspace_expired", 401, "workspace_expired")
                .body("data.error.message", equalTo("Workspace has expired (at 2020-01-01T00:00:00Z)"));
        assertRefused(verify(observer.token(), "observer_token"), "workspace_expired", 401, "workspace_expired");
        assertVerified(verify(mint("agent_token").token(), "agent_token")); // other workspaces are unaffected

        setExpiry(workspace, null);
        assertVerified(verify(agent.token(), "agent_token"));
    }

    private static void setExpiry(String workspaceId, String expiresAt) {
        Map<String, Object> body = new HashMap<>();
        body.put("expires_at", expiresAt);
        ServiceJwts.as("workspace-service")
                .body(body)
                .when()
                .put("/internal/workspaces/{id}/expiry", workspaceId)
                .then()
                .statusCode(204);
    }
}
