package dev.relay.workspace.repository;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One entry of a workspace's durable event log, and of the outbox while {@code publishedAt} is null. */
@Entity
@Table(name = "workspace_events")
@IdClass(WorkspaceEvent.Key.class)
public class WorkspaceEvent extends PanacheEntityBase {

    @Id
    @Column(name = "workspace_id")
    public String workspaceId;

    @Id
    public long seq;

    /** Unique and stable: what consumers deduplicate on. */
    @Column(name = "event_id")
    public String eventId;

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

    /** The composite key (workspace, seq). */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public String workspaceId;
        public long seq;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && seq == key.seq && Objects.equals(workspaceId, key.workspaceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(workspaceId, seq);
        }
    }
}
