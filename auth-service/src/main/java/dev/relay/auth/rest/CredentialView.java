package dev.relay.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.relay.auth.repository.Credential;
import dev.relay.auth.service.CredentialJson;

/** A credential as the internal API shows it: everything but the hashes. */
public record CredentialView(String id, String kind, String workspaceId, String subjectId, String subjectName,
        String displayPrefix, String status, List<String> scopes, Map<String, Object> filters,
        List<String> capabilities,
        String label, Instant expiresAt, Instant createdAt, Instant rotatedAt, Instant revokedAt, Instant lastUsedAt,
        Instant previousValidUntil, String issuedBy, String issuerKeyId) {

    static CredentialView of(Credential c) {
        return new CredentialView(c.id, c.kind, c.workspaceId, c.subjectId, c.subjectName, c.displayPrefix, c.status,
                CredentialJson.strings(c.scopes), CredentialJson.object(c.filters),
                CredentialJson.strings(c.capabilities),
                c.label, c.expiresAt, c.createdAt, c.rotatedAt, c.revokedAt, c.lastUsedAt, c.previousValidUntil,
                c.issuedBy, c.issuerKeyId);
    }
}
