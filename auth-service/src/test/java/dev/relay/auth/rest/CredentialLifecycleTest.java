package dev.relay.auth.rest;

import static dev.relay.auth.rest.CredentialApi.MANAGER;
import static dev.relay.auth.rest.CredentialApi.assertRefused;
import static dev.relay.auth.rest.CredentialApi.assertVerified;
import static dev.relay.auth.rest.CredentialApi.mint;
import static dev.relay.auth.rest.CredentialApi.unique;
import static dev.relay.auth.rest.CredentialApi.verify;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.auth.rest.CredentialApi.Minted;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Get, list, revoke (one, a subject's, a workspace's) over the internal API; answers never carry secrets. */
@QuarkusTest
class CredentialLifecycleTest {

    @Test
    void getShowsTheCredentialWithoutSecretOrHash() {
        Minted minted = mint("agent_token");
        String body = ServiceJwts.as(MANAGER)
                .when()
                .get("/internal/credentials/{id}", minted.id())
                .then()
                .statusCode(200)
                .body("data.id", equalTo(minted.id()))
                .body("data.kind", equalTo("agent_token"))
                .body("data.display_prefix", equalTo(minted.token().substring(0, 12)))
                .body("data", not(hasKey("token")))
                .extract()
                .asString();
        assertNoSecret(body, minted);
    }

    @Test
    void anUnknownCredentialIsNotFound() {
        ServiceJwts.as(MANAGER)
                .when()
                .get("/internal/credentials/cred_nope")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("not_found"))
                .body("error.message", equalTo("credential cred_nope not found"));
        CredentialApi.revoke("cred_nope").statusCode(404).body("error.code", equalTo("not_found"));
    }

    @Test
    void listsASubjectsCredentialsOldestFirstWithoutSecrets() {
        String workspace = unique("ws");
        Minted first = mint("agent_token", workspace, "agent_1");
        Minted second = mint("agent_token", workspace, "agent_1");
        mint("agent_token", workspace, "agent_2");
        CredentialApi.revoke(first.id()).statusCode(200);
        String body = list(workspace, "agent_1")
                .body("data.id", contains(first.id(), second.id()))
                .body("data.status", contains("revoked", "active"))
                .extract()
                .asString();
        assertNoSecret(body, first);
        assertNoSecret(body, second);
        list(workspace, "nobody").body("data", empty());
    }

    @Test
    void listingNeedsWorkspaceAndSubject() {
        ServiceJwts.as(MANAGER)
                .queryParam("workspace_id", "ws_1")
                .when()
                .get("/internal/credentials")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("workspace_id and subject_id are required"));
    }

    @Test
    void revokingIsIdempotentAndKeepsTheFirstRevocationTime() {
        Minted minted = mint("node_token");
        String revokedAt = CredentialApi.revoke(minted.id())
                .statusCode(200)
                .body("data.status", equalTo("revoked"))
                .body("data.revoked_at", notNullValue())
                .extract()
                .path("data.revoked_at");
        CredentialApi.revoke(minted.id()).statusCode(200).body("data.revoked_at", equalTo(revokedAt));
        assertRefused(verify(minted.token(), "node_token"), "revoked", 401, "node_token_invalid");
        ServiceJwts.as(MANAGER)
                .body("{}")
                .when()
                .post("/internal/credentials/{id}/rotate", minted.id())
                .then()
                .statusCode(404)
                .body("error.message", equalTo("credential " + minted.id() + " is revoked"));
    }

    @Test
    void aRevocationNeedsNoBody() {
        Minted minted = mint("observer_token");
        ServiceJwts.as(MANAGER)
                .when()
                .post("/internal/credentials/{id}/revoke", minted.id())
                .then()
                .statusCode(200)
                .body("data.status", equalTo("revoked"));
    }

    @Test
    void revokeSubjectNeedsTheSubject() {
        ServiceJwts.as(MANAGER)
                .body(Map.of("workspace_id", "ws_1"))
                .when()
                .post("/internal/credentials/revoke-subject")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("subject_id: must not be blank"));
    }

    @Test
    void revokeSubjectRevokesOnlyThatSubjectsActiveCredentials() {
        String workspace = unique("ws");
        Minted a = mint("agent_token", workspace, "agent_1");
        Minted b = mint("agent_token", workspace, "agent_1");
        Minted other = mint("agent_token", workspace, "agent_2");
        revokeAll("/internal/credentials/revoke-subject", Map.of("workspace_id", workspace, "subject_id", "agent_1"))
                .body("data.revoked", equalTo(2))
                .body("data.credentials.id", containsInAnyOrder(a.id(), b.id()))
                .body("data.credentials.status", everyItem(equalTo("revoked")));
        assertRefused(verify(a.token(), "agent_token"), "revoked", 401, "agent_token_invalid");
        assertVerified(verify(other.token(), "agent_token"));
        revokeAll("/internal/credentials/revoke-subject", Map.of("workspace_id", workspace, "subject_id", "agent_1"))
                .body("data.revoked", equalTo(0))
                .body("data.credentials", empty());
    }

    @Test
    void revokeWorkspaceRevokesEveryKindInTheWorkspace() {
        String workspace = unique("ws");
        mint("workspace_key", workspace, "owner");
        mint("agent_token", workspace, "agent_1");
        Minted node = mint("node_token", workspace, "node_1");
        Minted elsewhere = mint("node_token");
        revokeAll("/internal/credentials/revoke-workspace", Map.of("workspace_id", workspace, "reason", "deleted"))
                .body("data.revoked", equalTo(3))
                .body("data.credentials", hasSize(3));
        assertRefused(verify(node.token(), "node_token"), "revoked", 401, "node_token_invalid");
        assertVerified(verify(elsewhere.token(), "node_token"));
        revokeAll("/internal/credentials/revoke-workspace", Map.of("workspace_id", workspace))
                .body("data.revoked", equalTo(0));
    }

    private static ValidatableResponse list(String workspaceId, String subjectId) {
        return ServiceJwts.as(MANAGER)
                .queryParam("workspace_id", workspaceId)
                .queryParam("subject_id", subjectId)
                .when()
                .get("/internal/credentials")
                .then()
                .statusCode(200);
    }

    private static ValidatableResponse revokeAll(String path, Map<String, Object> body) {
        return ServiceJwts.as(MANAGER).body(body).when().post(path).then().statusCode(200);
    }

    private static void assertNoSecret(String body, Minted minted) {
        assertFalse(body.contains(minted.token()), "answer carries the raw token");
        assertFalse(body.contains(minted.hash()), "answer carries the token hash");
        assertFalse(body.contains("hash"), "answer names a hash field: " + body);
    }
}
