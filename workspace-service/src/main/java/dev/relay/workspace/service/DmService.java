package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.id.Snowflake;
import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.DmConversation;
import dev.relay.workspace.repository.Message;
import dev.relay.workspace.service.EventLog.Recipient;
import dev.relay.workspace.service.Idempotency.Answer;
import dev.relay.workspace.service.Idempotency.Claim;
import dev.relay.workspace.service.Idempotency.Written;
import dev.relay.workspace.service.MessageService.Post;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Direct messages and group DMs (contract §3.7): each message is stored with its `dm.received` or
 * `group_dm.received` event, addressed to the other participants (reason `dm`), in one transaction, once per
 * idempotency claim; and the conversations' membership.
 */
@ApplicationScoped
public class DmService {

    private final EventLog events;
    private final OutboxRelay outbox;
    private final Idempotency idempotency;
    private final DmConversations conversations;
    private final Snowflake ids;
    private final Clock clock;

    DmService(EventLog events, OutboxRelay outbox, Idempotency idempotency, DmConversations conversations,
            Snowflake ids, Clock clock) {
        this.events = events;
        this.outbox = outbox;
        this.idempotency = idempotency;
        this.conversations = conversations;
        this.ids = ids;
        this.clock = clock;
    }

    /** Whether the agent was already a participant when it was added. */
    public record Added(String conversationId, String agentName, boolean alreadyMember) {
    }

    /**
     * Sends a DM to the agent named {@code to} ("@self" is the sender: stored, delivered to nobody), in the pair's
     * 1:1 conversation, which the first DM creates.
     */
    public Uni<Answer> send(String workspaceId, Agent sender, String to, Post post, Optional<Claim> claim) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> idempotency.once(claim, workspaceId, sender.id, "dm:direct",
                () -> recipient(workspaceId, sender, to).flatMap(recipient -> conversations
                        .resolve(workspaceId, sender.id, recipient.id, now)
                        .flatMap(conversation -> {
                            List<Recipient> recipients = recipient.id.equals(sender.id)
                                    ? List.of()
                                    : List.of(new Recipient(recipient.id, recipient.name, "dm"));
                            Message message = message(conversation, sender, post, now);
                            Map<String, Object> answer = DmWire.sent(conversation, message, sender, to);
                            return store(conversation, message, sender, to, answer, recipients);
                        }))))
                .invoke(this::published);
    }

    /** Posts to a conversation the sender takes part in; in a 1:1 this is a DM and restores a departed partner. */
    public Uni<Answer> post(String workspaceId, Agent sender, String conversationId, Post post,
            Optional<Claim> claim) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> conversations.participating(workspaceId, conversationId, sender.id)
                .flatMap(conversation -> idempotency.once(claim, workspaceId, sender.id,
                        "dm-group-message:" + conversation.id,
                        () -> (conversation.oneToOne()
                                ? conversations.rejoin(conversation, now)
                                : Uni.createFrom().voidItem())
                                .chain(() -> conversations.others(conversation.channelId, sender.id))
                                .flatMap(others -> {
                                    List<Recipient> recipients = others.stream()
                                            .map(other -> new Recipient(other.id, other.name, "dm"))
                                            .toList();
                                    String to = others.isEmpty() ? "@self" : others.get(0).name;
                                    Message message = message(conversation, sender, post, now);
                                    Map<String, Object> answer = DmWire.posted(conversation, message, sender);
                                    return store(conversation, message, sender, to, answer, recipients);
                                }))))
                .invoke(this::published);
    }

    /** Creates a group conversation of the named agents and the creator; an unknown name is 404. */
    public Uni<Answer> createGroup(String workspaceId, Agent creator, List<String> names, String name,
            Optional<Claim> claim) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> idempotency.once(claim, workspaceId, creator.id, "dm-group",
                () -> named(workspaceId, names).flatMap(agents -> {
                    Set<String> participants = new LinkedHashSet<>();
                    participants.add(creator.id);
                    agents.forEach(agent -> participants.add(agent.id));
                    return conversations.createGroup(workspaceId, ids.nextId(), name, creator.id,
                            List.copyOf(participants), now)
                            .map(conversation -> Written.of(group(conversation, participants)));
                })));
    }

    /** A participant adds another agent to a group conversation. */
    public Uni<Added> addParticipant(String workspaceId, String requesterId, String conversationId,
            String agentName) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> conversations.participating(workspaceId, conversationId, requesterId)
                .flatMap(conversation -> {
                    if (conversation.oneToOne()) {
                        throw RelayException.badRequest("Participants can only be added to a group conversation");
                    }
                    return byName(workspaceId, agentName).flatMap(agent -> conversations
                            .join(conversation.channelId, agent.id, "member", now)
                            .map(joined -> new Added(conversation.id, agent.name, !joined)));
                }));
    }

    /** The agent leaves the conversation (contract §12.14: whatever name the path carries). */
    public Uni<Void> leave(String workspaceId, String agentId, String conversationId) {
        return Panache.withTransaction(() -> conversations.participating(workspaceId, conversationId, agentId)
                .flatMap(conversation -> conversations.leave(conversation.channelId, agentId)));
    }

    /** Stores the message and answers with it; its event is appended last, after the idempotency record. */
    private Uni<Written> store(DmConversation conversation, Message message, Agent sender, String to,
            Map<String, Object> answer, List<Recipient> recipients) {
        EventLog.Event event = DmWire.event(conversation, message, sender, to, answer, recipients);
        return message.persist()
                .replaceWith(new Written(answer, () -> events.append(conversation.workspaceId, event,
                        message.createdAt)));
    }

    private Message message(DmConversation conversation, Agent sender, Post post, Instant now) {
        Message message = new Message();
        message.id = ids.nextId();
        message.workspaceId = conversation.workspaceId;
        message.channelId = conversation.channelId;
        message.agentId = sender.id;
        message.agentName = sender.name;
        message.body = post.text();
        message.metadata = JsonText.write(post.metadata());
        message.mentions = "[]";
        message.injectionMode = post.mode();
        message.createdAt = now;
        return message;
    }

    private static Map<String, Object> group(DmConversation conversation, Set<String> participants) {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("id", conversation.id);
        group.put("channel_id", conversation.channelId);
        group.put("dm_type", DmConversation.GROUP);
        group.put("name", conversation.name);
        List<Map<String, Object>> members = new ArrayList<>();
        participants.forEach(id -> members.add(Map.of("agent_id", id)));
        group.put("participants", members);
        group.put("created_at", DmWire.iso(conversation.createdAt));
        return group;
    }

    /** A replay wrote nothing, so there is nothing to publish. */
    private void published(Answer answer) {
        if (!answer.replayed()) {
            outbox.nudge();
        }
    }

    /** "@self" is the sender; otherwise an agent name, with or without a leading '@' (names never contain one). */
    private static Uni<Agent> recipient(String workspaceId, Agent sender, String to) {
        if ("@self".equals(to)) {
            return Uni.createFrom().item(sender);
        }
        return byName(workspaceId, to.startsWith("@") ? to.substring(1) : to);
    }

    private static Uni<List<Agent>> named(String workspaceId, List<String> names) {
        return Agent.<Agent>list("workspaceId = ?1 and name in ?2", workspaceId, names).map(found -> {
            for (String name : names) {
                if (found.stream().noneMatch(agent -> agent.name.equals(name))) {
                    throw new RelayException(ErrorCode.AGENT_NOT_FOUND, "Agent \"" + name + "\" not found");
                }
            }
            return found.stream()
                    .sorted(Comparator.comparingInt(agent -> names.indexOf(agent.name)))
                    .toList();
        });
    }

    private static Uni<Agent> byName(String workspaceId, String name) {
        return Agent.<Agent>find("workspaceId = ?1 and name = ?2", workspaceId, name).firstResult().map(agent -> {
            if (agent == null) {
                throw new RelayException(ErrorCode.AGENT_NOT_FOUND, "Agent \"" + name + "\" not found");
            }
            return agent;
        });
    }
}
