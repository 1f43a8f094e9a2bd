package dev.relay.auth.rest;

import static dev.relay.auth.rest.CredentialApi.assertRefused;
import static dev.relay.auth.rest.CredentialApi.assertVerified;
import static dev.relay.auth.rest.CredentialApi.mint;
import static dev.relay.auth.rest.CredentialApi.rotate;
import static dev.relay.auth.rest.CredentialApi.verify;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

import dev.relay.auth.rest.CredentialApi.Minted;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Rotation with and without a grace period, and `rotated_out` for a secret whose time is over. */
@QuarkusTest
class RotationTest {

    @Test
    void withoutGraceTheOldSecretIsRotatedOutAtOnce() {
        Minted original = mint("agent_token");
        Minted rotated = rotate(original.id(), null);
        assertEquals(original.id(), rotated.id());
        assertNotEquals(original.token(), rotated.token());

        assertRefused(verify(original.token(), "agent_token"), "rotated_out", 401, "agent_token_invalid")
                .body("data.error.message", matchesPattern("Agent token was rotated at \\S+Z; present the new token"))
                .body("data.hash_prefix", equalTo(original.hashPrefix()));
        JsonPath fresh = assertVerified(verify(rotated.token(), "agent_token"));
        assertEquals(original.id(), fresh.getString("data.principal.credential_id"));
        assertEquals(rotated.hashPrefix(), fresh.getString("data.principal.hash_prefix"));
    }

    @Test
    void withGraceTheOldSecretVerifiesUntilTheGraceEnds() throws InterruptedException {
        Minted original = mint("observer_token");
        Minted rotated = rotate(original.id(), 2L);

        JsonPath old = assertVerified(verify(original.token(), "observer_token"));
        assertEquals(original.hashPrefix(), old.getString("data.principal.hash_prefix"));
        assertVerified(verify(rotated.token(), "observer_token"));

        Thread.sleep(2300);

        assertRefused(verify(original.token(), "observer_token"), "rotated_out", 401, "observer_token_invalid");
        assertVerified(verify(rotated.token(), "observer_token"));
    }

    @Test
    void aSecondRotationRetiresEveryEarlierSecret() {
        Minted first = mint("node_token");
        Minted second = rotate(first.id(), 3600L);
        Minted third = rotate(first.id(), null);
        assertRefused(verify(first.token(), "node_token"), "rotated_out", 401, "node_token_invalid");
        assertRefused(verify(second.token(), "node_token"), "rotated_out", 401, "node_token_invalid");
        assertVerified(verify(third.token(), "node_token"));
    }

    @Test
    void revokingEndsTheGraceOfThePreviousSecretAndSaysSo() {
        Minted original = mint("agent_token");
        Minted rotated = rotate(original.id(), 3600L);
        CredentialApi.revoke(original.id()).statusCode(200);
        assertRefused(verify(rotated.token(), "agent_token"), "revoked", 401, "agent_token_invalid");
        assertRefused(verify(original.token(), "agent_token"), "revoked", 401, "agent_token_invalid")
                .body("data.error.message", matchesPattern("Agent token was revoked at \\S+Z: test"));
    }

    @Test
    void theRotatedCredentialShowsItsNewPrefixAndGraceDeadline() {
        Minted original = mint("workspace_key");
        ServiceJwts.as(CredentialApi.MANAGER)
                .body("{\"grace_seconds\": 60}")
                .when()
                .post("/internal/credentials/{id}/rotate", original.id())
                .then()
                .statusCode(200)
                .body("data.credential.id", equalTo(original.id()))
                .body("data.credential.display_prefix", matchesPattern("rk_live_[0-9a-f]{4}"))
                .body("data.credential.rotated_at", matchesPattern("\\S+Z"))
                .body("data.credential.previous_valid_until", matchesPattern("\\S+Z"))
                .body("data.token", matchesPattern("rk_live_[0-9a-f]{32}"));
    }

    @Test
    void aRotationWithoutABodyHasNoGrace() {
        Minted original = mint("agent_token");
        ServiceJwts.as(CredentialApi.MANAGER)
                .when()
                .post("/internal/credentials/{id}/rotate", original.id())
                .then()
                .statusCode(200)
                .body("data.token", matchesPattern("at_live_[0-9a-f]{32}"));
        assertRefused(verify(original.token(), "agent_token"), "rotated_out", 401, "agent_token_invalid");
    }

    @Test
    void aNegativeGraceIsABadRequest() {
        Minted original = mint("agent_token");
        ServiceJwts.as(CredentialApi.MANAGER)
                .body("{\"grace_seconds\": -1}")
                .when()
                .post("/internal/credentials/{id}/rotate", original.id())
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("grace_seconds: must be greater than or equal to 0"));
        assertVerified(verify(original.token(), "agent_token"));
    }
}
