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

/** An agent's read receipt of a message, from its first read. */
@Entity
@Table(name = "message_reads")
@IdClass(MessageRead.Key.class)
public class MessageRead extends PanacheEntityBase {

    @Id
    @Column(name = "message_id")
    public String messageId;

    @Id
    @Column(name = "agent_id")
    public String agentId;

    @Column(name = "agent_name")
    public String agentName;

    @Column(name = "read_at")
    public Instant readAt;

    /** The composite key (message, agent). */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public String messageId;
        public String agentId;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(messageId, key.messageId)
                    && Objects.equals(agentId, key.agentId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(messageId, agentId);
        }
    }
}
