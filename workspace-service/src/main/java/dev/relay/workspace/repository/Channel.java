package dev.relay.workspace.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A channel: regular (type 0), or the backing channel of a DM (1) or group DM (2). */
@Entity
@Table(name = "channels")
public class Channel extends PanacheEntityBase {

    public static final String GENERAL = "general";

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    public String name;

    @Column(name = "channel_type")
    public short channelType;

    public String topic;

    /** JSON object, stored as received. */
    public String metadata;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "is_archived")
    public boolean archived;

    @Column(name = "created_at")
    public Instant createdAt;
}
