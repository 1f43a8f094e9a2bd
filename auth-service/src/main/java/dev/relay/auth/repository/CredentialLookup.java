package dev.relay.auth.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The reads and the one write of a successful verification, straight on the reactive SQL client. Verification is the
 * engine's hottest call (every request whose token the gateway has not cached, every socket handshake), and through
 * Hibernate it took a transaction and two lookups (begin, the credential, its workspace's expiry, commit): four round
 * trips and most of the service's CPU besides the signature. Here it is one statement, outside any transaction; the
 * rarer paths (a rotated-out or unknown token, every refusal, which is audited) still go through Hibernate.
 */
@ApplicationScoped
public class CredentialLookup {

    private static final String COLUMNS = "c.id, c.kind, c.workspace_id, c.subject_id, c.subject_name, c.token_hash, "
            + "c.display_prefix, c.status, c.scopes, c.filters, c.capabilities, c.label, c.issued_by, c.issuer_key_id, "
            + "c.expires_at, c.created_at, c.rotated_at, c.revoked_at, c.revoked_reason, c.last_used_at, "
            + "c.previous_hash, c.previous_valid_until";

    private final Pool pool;

    CredentialLookup(Pool pool) {
        this.pool = pool;
    }

    /** A credential found by its current hash, with its workspace's expiry (null: the workspace does not expire). */
    public record Found(Credential credential, Instant workspaceExpiresAt) {
    }

    /** The credential whose current secret hashes to {@code tokenHash}, or null. */
    public Uni<Found> byHash(String tokenHash) {
        return pool.preparedQuery("select " + COLUMNS + ", w.expires_at as workspace_expires_at from credentials c "
                + "left join workspace_expiry w on w.workspace_id = c.workspace_id where c.token_hash = $1")
                .execute(Tuple.of(tokenHash))
                .map(rows -> rows.size() == 0
                        ? null
                        : new Found(credential(rows.iterator().next()),
                                instant(rows.iterator().next(), "workspace_expires_at")));
    }

    /** The row as a detached entity: read, never persisted from here. */
    private static Credential credential(Row row) {
        Credential c = new Credential();
        c.id = row.getString("id");
        c.kind = row.getString("kind");
        c.workspaceId = row.getString("workspace_id");
        c.subjectId = row.getString("subject_id");
        c.subjectName = row.getString("subject_name");
        c.tokenHash = row.getString("token_hash");
        c.displayPrefix = row.getString("display_prefix");
        c.status = row.getString("status");
        c.scopes = row.getString("scopes");
        c.filters = row.getString("filters");
        c.capabilities = row.getString("capabilities");
        c.label = row.getString("label");
        c.issuedBy = row.getString("issued_by");
        c.issuerKeyId = row.getString("issuer_key_id");
        c.expiresAt = instant(row, "expires_at");
        c.createdAt = instant(row, "created_at");
        c.rotatedAt = instant(row, "rotated_at");
        c.revokedAt = instant(row, "revoked_at");
        c.revokedReason = row.getString("revoked_reason");
        c.lastUsedAt = instant(row, "last_used_at");
        c.previousHash = row.getString("previous_hash");
        c.previousValidUntil = instant(row, "previous_valid_until");
        return c;
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

}
