package dev.relay.workspace.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * One entry of a workspace's durable event log, and of the outbox while {@code publishedAt} is null. The outbox relay
 * gives it its seq; until then ({@code seq} null) it is committed but not yet in the log readers page through.
 */
@Entity
@Table(name = "workspace_events")
public class WorkspaceEvent extends PanacheEntityBase {

    /** Unique and stable: what consumers deduplicate on. */
    @Id
    @Column(name = "event_id")
    public String eventId;

    @Column(name = "workspace_id")
    public String workspaceId;

    /** Gapless per workspace once set, in the order the relay sequenced the events; null until then. */
    public Long seq;

    public String type;

    @Column(name = "channel_id")
    public String channelId;

    /** The client shape of contract §8.1, as JSON (what observers and the backfill see). */
    public String payload;

    /** The raw data of contract §8.2, as JSON (what nodes receive). */
    public String data;

    /** For message-bearing events: JSON array of {agent_id, reason}, the recipients delivery-service needs. */
    public String recipients;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "published_at")
    public Instant publishedAt;
}
