package dev.relay.auth.rest;

import static dev.relay.auth.rest.CredentialApi.assertRefused;
import static dev.relay.auth.rest.CredentialApi.unique;
import static dev.relay.auth.rest.CredentialApi.verify;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.relay.auth.repository.TestDatabase;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** `kind_mismatch`: legacy rows (a generic kind, or no workspace) refuse until the kind backfill repairs them. */
@QuarkusTest
class KindMismatchTest {

    @Inject
    TestDatabase database;

    private final List<String> inserted = new ArrayList<>();

    /** Legacy rows would otherwise wait for a kind backfill that another test may run and count. */
    @AfterEach
    void deleteLegacyRows() {
        inserted.forEach(database::deleteCredential);
    }

    @Test
    void aLegacyGenericKindDisagreesWithTheTokenPrefix() {
        String token = legacyRow("api_key", unique("ws"));
        assertRefused(verify(token, "agent_token"), "kind_mismatch", 401, "agent_token_invalid")
                .body("data.error.message", equalTo("Agent token prefix does not match the stored credential "
                        + "(kind 'api_key'); an operator must run ./relay admin backfill-kinds"))
                .body("data.kind", equalTo("agent_token"))
                .body("data.hash_prefix", equalTo(Tokens.logId(token)));
    }

    @Test
    void theRightKindWithoutAWorkspaceIsAlsoAMismatch() {
        String token = legacyRow("agent_token", null);
        assertRefused(verify(token, "agent_token"), "kind_mismatch", 401, "agent_token_invalid")
                .body("data.error.message", equalTo("Agent token's stored credential has no workspace; an "
                        + "operator must run ./relay admin backfill-kinds"));
    }

    @Test
    void aLegacyRowCannotBeRotatedUntilBackfilled() {
        String id = insertLegacy("api_key", unique("ws"), Tokens.generate(TokenKind.AGENT_TOKEN));
        ServiceJwts.as(CredentialApi.MANAGER)
                .body("{}")
                .when()
                .post("/internal/credentials/{id}/rotate", id)
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("credential " + id + " has legacy kind 'api_key'; run ./relay admin "
                        + "backfill-kinds first"));
    }

    /** Inserts a legacy row holding the hash of a well-formed agent token; returns the token. */
    private String legacyRow(String storedKind, String workspaceId) {
        String token = Tokens.generate(TokenKind.AGENT_TOKEN);
        insertLegacy(storedKind, workspaceId, token);
        return token;
    }

    private String insertLegacy(String storedKind, String workspaceId, String token) {
        String id = unique("cred_legacy");
        database.insertCredential(id, storedKind, workspaceId, "agent_1", Tokens.sha256Hex(token),
                Tokens.displayPrefix(token));
        inserted.add(id);
        return id;
    }
}
