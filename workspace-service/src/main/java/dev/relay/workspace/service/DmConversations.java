package dev.relay.workspace.service;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.ChannelMember;
import dev.relay.workspace.repository.DmConversation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * DM conversations, their backing channels and their participants (the backing channel's members); every method runs
 * inside the caller's session or transaction.
 */
@ApplicationScoped
public class DmConversations {

    static final short ONE_TO_ONE_CHANNEL = 1;
    static final short GROUP_CHANNEL = 2;

    /**
     * The pair's 1:1 conversation, created on first use; both agents are (again) participants afterwards. Concurrent
     * first DMs of one pair meet on the deterministic ids; an id taken by another pair is 409.
     */
    public Uni<DmConversation> resolve(String workspaceId, String agentA, String agentB, Instant now) {
        DmPair pair = DmPair.of(workspaceId, agentA, agentB);
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("insert into channels (id, workspace_id, name, "
                        + "channel_type, metadata, created_by, is_archived, created_at) values (?1, ?2, ?3, ?4, '{}', "
                        + "?5, false, ?6) on conflict do nothing")
                        .setParameter(1, pair.channelId())
                        .setParameter(2, workspaceId)
                        .setParameter(3, pair.channelName())
                        .setParameter(4, ONE_TO_ONE_CHANNEL)
                        .setParameter(5, agentA)
                        .setParameter(6, now)
                        .executeUpdate()
                        .chain(() -> session.createNativeQuery("insert into dm_conversations (id, workspace_id, "
                                + "channel_id, dm_type, participant_one_id, participant_two_id, created_by, created_at) "
                                + "values (?1, ?2, ?3, '1:1', ?4, ?5, ?6, ?7) on conflict do nothing")
                                .setParameter(1, pair.conversationId())
                                .setParameter(2, workspaceId)
                                .setParameter(3, pair.channelId())
                                .setParameter(4, pair.low())
                                .setParameter(5, pair.high())
                                .setParameter(6, agentA)
                                .setParameter(7, now)
                                .executeUpdate()))
                .chain(() -> DmConversation.<DmConversation>findById(pair.conversationId()))
                .map(conversation -> {
                    if (conversation == null || !workspaceId.equals(conversation.workspaceId)
                            || !pair.channelId().equals(conversation.channelId)
                            || !pair.low().equals(conversation.participantOneId)
                            || !pair.high().equals(conversation.participantTwoId)) {
                        throw new RelayException(ErrorCode.DM_CONVERSATION_ID_COLLISION, "The DM conversation "
                                + "identifier of this pair is already reserved for another pair");
                    }
                    return conversation;
                })
                .call(conversation -> rejoin(conversation, now));
    }

    /** Makes both agents of a 1:1 participants again: a 1:1 is a durable relationship (a DM restores it). */
    public Uni<Void> rejoin(DmConversation conversation, Instant now) {
        return join(conversation.channelId, conversation.participantOneId, "member", now)
                .chain(() -> join(conversation.channelId, conversation.participantTwoId, "member", now))
                .replaceWithVoid();
    }

    /** A new group conversation; its backing channel has the conversation's id. */
    public Uni<DmConversation> createGroup(String workspaceId, String id, String name, String creatorId,
            List<String> participantIds, Instant now) {
        Channel channel = new Channel();
        channel.id = id;
        channel.workspaceId = workspaceId;
        channel.name = "group-dm-" + id;
        channel.channelType = GROUP_CHANNEL;
        channel.metadata = "{}";
        channel.createdBy = creatorId;
        channel.createdAt = now;
        DmConversation conversation = new DmConversation();
        conversation.id = id;
        conversation.workspaceId = workspaceId;
        conversation.channelId = id;
        conversation.dmType = DmConversation.GROUP;
        conversation.name = name;
        conversation.createdBy = creatorId;
        conversation.createdAt = now;
        // Flushed before the members are inserted: they reference the channel.
        Uni<Void> chain = channel.persist()
                .chain(() -> conversation.persist())
                .chain(() -> Panache.getSession())
                .chain(session -> session.flush());
        for (String agentId : participantIds) {
            String role = agentId.equals(creatorId) ? "owner" : "member";
            chain = chain.chain(() -> join(id, agentId, role, now)).replaceWithVoid();
        }
        return chain.replaceWith(conversation);
    }

    /** The conversation, which the agent must currently take part in: unknown is 404, not a participant 403. */
    public Uni<DmConversation> participating(String workspaceId, String conversationId, String agentId) {
        return conversation(workspaceId, conversationId).call(conversation -> ChannelMember
                .count("channelId = ?1 and agentId = ?2", conversation.channelId, agentId)
                .invoke(count -> {
                    if (count == 0) {
                        throw new RelayException(ErrorCode.FORBIDDEN, "Not a participant in this conversation");
                    }
                }));
    }

    /** The workspace's conversation; unknown is 404 `dm_conversation_not_found`. */
    public Uni<DmConversation> conversation(String workspaceId, String conversationId) {
        return DmConversation.<DmConversation>find("workspaceId = ?1 and id = ?2", workspaceId, conversationId)
                .firstResult()
                .map(conversation -> {
                    if (conversation == null) {
                        throw new RelayException(ErrorCode.DM_CONVERSATION_NOT_FOUND, "Conversation not found");
                    }
                    return conversation;
                });
    }

    /** The participants other than the agent, in the order they joined. */
    public Uni<List<Agent>> others(String channelId, String agentId) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery("select a from ChannelMember m, Agent a where a.id = m.agentId "
                        + "and m.channelId = ?1 and a.id <> ?2 order by m.joinedAt, a.name", Agent.class)
                        .setParameter(1, channelId)
                        .setParameter(2, agentId)
                        .getResultList());
    }

    /** Adds the agent as a participant; answers whether it was not one yet. */
    public Uni<Boolean> join(String channelId, String agentId, String role, Instant now) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("insert into channel_members (channel_id, agent_id, "
                        + "role, joined_at, is_muted) values (?1, ?2, ?3, ?4, false) on conflict do nothing")
                        .setParameter(1, channelId)
                        .setParameter(2, agentId)
                        .setParameter(3, role)
                        .setParameter(4, now)
                        .executeUpdate())
                .map(inserted -> inserted == 1);
    }

    public Uni<Void> leave(String channelId, String agentId) {
        return ChannelMember.delete("channelId = ?1 and agentId = ?2", channelId, agentId).replaceWithVoid();
    }
}
