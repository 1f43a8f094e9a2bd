package dev.relay.auth.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** When a workspace expires; past it, every token of the workspace is refused with `workspace_expired`. */
@Entity
@Table(name = "workspace_expiry")
public class WorkspaceExpiry extends PanacheEntityBase {

    @Id
    @Column(name = "workspace_id")
    public String workspaceId;

    @Column(name = "expires_at")
    public Instant expiresAt;
}
