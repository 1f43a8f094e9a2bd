package dev.relay.workspace.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An agent of a workspace; its token lives at auth-service as the credential named here. */
@Entity
@Table(name = "agents")
public class Agent extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    public String name;
    public String type;
    public String status;
    public String persona;

    /** JSON object, stored as received. */
    public String metadata;

    /** JSON object, stored as received. */
    public String capabilities;

    @Column(name = "credential_id")
    public String credentialId;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_seen")
    public Instant lastSeen;
}
