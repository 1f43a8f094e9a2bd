package dev.relay.auth.service;

import static dev.relay.auth.rest.CredentialApi.MANAGER;
import static dev.relay.auth.rest.CredentialApi.VERIFIER;
import static dev.relay.auth.rest.CredentialApi.mint;
import static dev.relay.auth.rest.CredentialApi.unique;
import static dev.relay.auth.rest.CredentialApi.verifyFrom;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.auth.repository.TestDatabase;
import dev.relay.auth.repository.TestDatabase.AuditRow;
import dev.relay.auth.rest.CredentialApi;
import dev.relay.auth.rest.CredentialApi.Minted;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** Every mint, rotation, revocation and refused verification leaves one audit row naming who asked and why. */
@QuarkusTest
class AuditTrailTest {

    @Inject
    TestDatabase database;

    @Test
    void aCredentialsLifeIsAuditedStepByStep() {
        Minted minted = mint("node_token");
        Minted rotated = CredentialApi.rotate(minted.id(), null);
        CredentialApi.revoke(minted.id()).statusCode(200);
        CredentialApi.revoke(minted.id()).statusCode(200); // idempotent: no second row
        String host = unique("198.51.100");
        verifyFrom(host, rotated.token(), List.of("node_token"), List.of()).statusCode(200);

        List<AuditRow> rows = database.auditOfCredential(minted.id());
        assertEquals(List.of(
                row("minted", null, "node_token", minted, MANAGER, null),
                row("rotated", null, "node_token", rotated, MANAGER, null),
                row("revoked", null, "node_token", rotated, MANAGER, null),
                row("verify_refused", "revoked", "node_token", rotated, VERIFIER, host)),
                rows.stream().map(AuditTrailTest::withoutId).toList());
    }

    @Test
    void aSuccessfulVerificationIsNotAudited() {
        Minted minted = mint("agent_token");
        verifyFrom(unique("host"), minted.token(), List.of("agent_token"), List.of()).statusCode(200);
        assertEquals(List.of("minted"), database.auditOfCredential(minted.id())
                .stream()
                .map(AuditRow::event)
                .toList());
    }

    @Test
    void aRefusalOfAnUnknownTokenIsAuditedByItsHashPrefix() {
        String token = Tokens.generate(TokenKind.OBSERVER_TOKEN);
        String host = unique("host");
        verifyFrom(host, token, List.of(), List.of()).statusCode(200);
        AuditRow row = withoutId(database.auditOfHashPrefix(Tokens.logId(token)).getFirst());
        assertEquals(new AuditRow(0, "verify_refused", "not_found", "observer_token", Tokens.logId(token), null, null,
                VERIFIER, host), row);
    }

    @Test
    void aRefusalOfAMalformedTokenIsAuditedWithoutAHash() {
        String host = unique("host");
        verifyFrom(host, "nt_live_short", List.of(), List.of()).statusCode(200);
        verifyFrom(host, "xx_live_unknown", List.of(), List.of()).statusCode(200);
        assertEquals(List.of(
                new AuditRow(0, "verify_refused", "malformed", "node_token", null, null, null, VERIFIER, host),
                new AuditRow(0, "verify_refused", "unknown_prefix", null, null, null, null, VERIFIER, host)),
                database.auditOfRemoteHost(host).stream().map(AuditTrailTest::withoutId).toList());
    }

    private static AuditRow row(String event, String reason, String kind, Minted credential, String service,
            String host) {
        return new AuditRow(0, event, reason, kind, credential.hashPrefix(), credential.workspaceId(),
                credential.id(), service, host);
    }

    private static AuditRow withoutId(AuditRow row) {
        return new AuditRow(0, row.event(), row.reason(), row.kind(), row.hashPrefix(), row.workspaceId(),
                row.credentialId(), row.callingService(), row.remoteHost());
    }
}
