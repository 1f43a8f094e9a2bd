package dev.relay.workspace.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A message in a channel; a reply has the id of its thread's root message in {@code threadId}. */
@Entity
@Table(name = "messages")
public class Message extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    @Column(name = "channel_id")
    public String channelId;

    @Column(name = "agent_id")
    public String agentId;

    @Column(name = "agent_name")
    public String agentName;

    @Column(name = "thread_id")
    public String threadId;

    public String body;

    /** JSON array or null, stored as received. */
    public String blocks;

    /** JSON object, stored as received. */
    public String metadata;

    /** JSON array of mentioned agent names. */
    public String mentions;

    @Column(name = "injection_mode")
    public String injectionMode;

    @Column(name = "created_at")
    public Instant createdAt;
}
