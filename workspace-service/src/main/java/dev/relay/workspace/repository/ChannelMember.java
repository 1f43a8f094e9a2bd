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

/** An agent's membership of a channel. */
@Entity
@Table(name = "channel_members")
@IdClass(ChannelMember.Key.class)
public class ChannelMember extends PanacheEntityBase {

    @Id
    @Column(name = "channel_id")
    public String channelId;

    @Id
    @Column(name = "agent_id")
    public String agentId;

    public String role;

    @Column(name = "joined_at")
    public Instant joinedAt;

    @Column(name = "last_read_id")
    public String lastReadId;

    @Column(name = "is_muted")
    public boolean muted;

    /** The composite key (channel, agent). */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public String channelId;
        public String agentId;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(channelId, key.channelId)
                    && Objects.equals(agentId, key.agentId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(channelId, agentId);
        }
    }
}
