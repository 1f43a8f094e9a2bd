package dev.relay.common.auth;

import java.time.Instant;
import java.util.List;

/**
 * A revocation or rotation, broadcast by auth-service on Redis so that every replica of every service drops cached
 * verifications of the affected token hashes and closes sockets authenticated with them.
 *
 * @param event        {@code revoked}, {@code rotated} or {@code updated} (scopes, filters or expiry changed)
 * @param tokenHashes  SHA-256 hashes that no longer verify (or, for a rotation with grace, soon will not)
 * @param reason       the close reason sockets get, from the close-code catalogue (e.g. {@code node_token_revoked})
 */
public record CredentialChange(String event, String credentialId, String kind, String workspaceId, String subjectId,
        List<String> tokenHashes, String reason, Instant at) {

    public static final String REVOKED = "revoked";
    public static final String ROTATED = "rotated";
    public static final String UPDATED = "updated";

    public CredentialChange {
        tokenHashes = tokenHashes == null ? List.of() : List.copyOf(tokenHashes);
    }
}
