package dev.relay.auth.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A join code: redeeming it mints a restricted workspace key. Only the code's hash is stored. */
@Entity
@Table(name = "invites")
public class Invite extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    @Column(name = "code_hash", columnDefinition = "bpchar(64)")
    public String codeHash;

    public String label;

    /** JSON array of the capabilities the minted key gets. */
    public String capabilities;

    @Column(name = "max_uses")
    public int maxUses;

    public int uses;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "created_at")
    public Instant createdAt;

    /** The admin key's credential that created the invite; keys redeemed from it are issued by it. */
    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    /** `active`, `used`, `expired` or `revoked`, as of {@code now}; revoked wins, then used, then expired. */
    public String status(Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (uses >= maxUses) {
            return "used";
        }
        return expiresAt.isAfter(now) ? "active" : "expired";
    }
}
