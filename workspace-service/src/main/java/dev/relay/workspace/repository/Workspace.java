package dev.relay.workspace.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A workspace: the tenant everything else belongs to. */
@Entity
@Table(name = "workspaces")
public class Workspace extends PanacheEntityBase {

    @Id
    public String id;

    public String name;

    @Column(name = "system_prompt")
    public String systemPrompt;

    public String plan;

    /** JSON object, stored as received. */
    public String metadata;

    /** JSON object or null, stored as received. */
    public String provenance;

    /** The auth-service credential of the workspace's admin key. */
    @Column(name = "key_credential_id")
    public String keyCredentialId;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "created_at")
    public Instant createdAt;
}
