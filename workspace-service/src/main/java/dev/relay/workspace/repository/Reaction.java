package dev.relay.workspace.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An agent's reaction to a message: one per message, agent and emoji (stored verbatim). */
@Entity
@Table(name = "reactions")
public class Reaction extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    @Column(name = "message_id")
    public String messageId;

    @Column(name = "agent_id")
    public String agentId;

    @Column(name = "agent_name")
    public String agentName;

    public String emoji;

    @Column(name = "created_at")
    public Instant createdAt;
}
