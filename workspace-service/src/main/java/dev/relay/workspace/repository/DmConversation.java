package dev.relay.workspace.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A DM conversation and the channel that backs it (type 1 for 1:1, 2 for group): the channel's members are the
 * current participants, its messages the conversation's. A 1:1 keeps its sorted participant pair.
 */
@Entity
@Table(name = "dm_conversations")
public class DmConversation extends PanacheEntityBase {

    public static final String ONE_TO_ONE = "1:1";
    public static final String GROUP = "group";

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    @Column(name = "channel_id")
    public String channelId;

    @Column(name = "dm_type")
    public String dmType;

    public String name;

    @Column(name = "participant_one_id")
    public String participantOneId;

    @Column(name = "participant_two_id")
    public String participantTwoId;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public Instant createdAt;

    public boolean oneToOne() {
        return ONE_TO_ONE.equals(dmType);
    }
}
