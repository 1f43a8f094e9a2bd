package dev.relay.auth.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One stored credential: a token's hash and everything verification needs to decide about it. */
@Entity
@Table(name = "credentials")
public class Credential extends PanacheEntityBase {

    public static final String ACTIVE = "active";
    public static final String REVOKED = "revoked";

    @Id
    public String id;

    /** The kind's wire name (`agent_token`, ...); legacy rows may carry another value until backfilled. */
    public String kind;

    @Column(name = "workspace_id")
    public String workspaceId;

    @Column(name = "subject_id")
    public String subjectId;

    @Column(name = "subject_name")
    public String subjectName;

    @Column(name = "token_hash", columnDefinition = "bpchar(64)")
    public String tokenHash;

    @Column(name = "display_prefix")
    public String displayPrefix;

    public String status;

    /** JSON array of scope names (observer tokens). */
    public String scopes;

    /** JSON object of observer filters. */
    public String filters;

    /** JSON array of capabilities (restricted workspace keys); empty for every other credential. */
    public String capabilities;

    public String label;

    /** The credential whose holder had this one minted (null for the workspace's admin key and legacy rows). */
    @Column(name = "issued_by")
    public String issuedBy;

    /** The workspace key this credential traces back to; revoking that key revokes this one. */
    @Column(name = "issuer_key_id")
    public String issuerKeyId;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "rotated_at")
    public Instant rotatedAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "revoked_reason")
    public String revokedReason;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "previous_hash", columnDefinition = "bpchar(64)")
    public String previousHash;

    @Column(name = "previous_valid_until")
    public Instant previousValidUntil;

    public boolean isActive() {
        return ACTIVE.equals(status);
    }
}
