package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.event.EventTypes;
import dev.relay.common.id.Snowflake;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.ChannelMember;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/** Regular channels (contract §3.4): create, read, change, archive, and membership. */
@ApplicationScoped
public class ChannelService {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,79}");

    private final EventLog events;
    private final Snowflake ids;
    private final Clock clock;

    ChannelService(EventLog events, Snowflake ids, Clock clock) {
        this.events = events;
        this.ids = ids;
        this.clock = clock;
    }

    /** Appends a channel-scoped event (see {@link #event}). */
    private Uni<Void> emit(Channel channel, String type, Map<String, Object> fields, Instant now) {
        return event(channel, type, fields).flatMap(event -> events.append(channel.workspaceId, event, now))
                .replaceWithVoid();
    }

    /**
     * A channel-scoped event; member and channel events carry both `channel` and `channel_name`, and the channel's
     * members as recipients, to whose nodes delivery-service pushes the event as a `context.update` (contract §6.8).
     * channel.created is workspace-wide (§8.2) and has none.
     */
    private static Uni<EventLog.Event> event(Channel channel, String type, Map<String, Object> fields) {
        java.util.Map<String, Object> payload = new java.util.LinkedHashMap<>(fields);
        payload.putIfAbsent("channel", channel.name);
        payload.put("channel_id", channel.id);
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>(payload);
        data.put("channel", channel.name);
        data.put("channel_name", channel.name);
        Uni<List<EventLog.Recipient>> audience = EventTypes.CHANNEL_CREATED.equals(type)
                ? Uni.createFrom().nullItem()
                : audience(channel.id, fields);
        return audience.map(recipients -> new EventLog.Event(type, null, channel.id, payload, data, recipients));
    }

    /** The channel's members, with the agent the event is about even when its membership is not flushed yet. */
    private static Uni<List<EventLog.Recipient>> audience(String channelId, Map<String, Object> fields) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery("select a.id, a.name from ChannelMember m, Agent a where "
                        + "m.agentId = a.id and m.channelId = ?1 order by m.joinedAt, a.name", Object[].class)
                        .setParameter(1, channelId)
                        .getResultList())
                .map(rows -> {
                    List<EventLog.Recipient> members = new java.util.ArrayList<>();
                    rows.forEach(row -> members.add(new EventLog.Recipient((String) row[0], (String) row[1],
                            "member")));
                    if (fields.get("agent_id") instanceof String agentId
                            && members.stream().noneMatch(member -> member.agentId().equals(agentId))) {
                        members.add(new EventLog.Recipient(agentId, (String) fields.get("agent_name"), "member"));
                    }
                    return members;
                });
    }

    /** The `channel` of channel.created and channel.updated (contract §8.1): the topic may be null. */
    private static Map<String, Object> nameAndTopic(Channel channel) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("name", channel.name);
        fields.put("topic", channel.topic);
        return fields;
    }

    private static Map<String, Object> member(String agentId, String agentName) {
        return agentName == null ? Map.of("agent_id", agentId) : Map.of("agent_id", agentId, "agent_name", agentName);
    }

    /** A channel with its member count. */
    public record Counted(Channel channel, long memberCount) {
    }

    /** A member with the agent's name. */
    public record Member(ChannelMember member, String agentName) {
    }

    public static String validName(Object raw) {
        if (!(raw instanceof String name) || name.isEmpty()) {
            throw RelayException.badRequest("name is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw new RelayException(ErrorCode.INVALID_CHANNEL_NAME, "Invalid channel name '" + name
                    + "': use lower-case letters, digits and '-', starting with a letter or digit (at most 80)");
        }
        return name;
    }

    /** Creates a channel; an agent creator joins it as owner. */
    public Uni<Counted> create(String workspaceId, String name, String topic, Map<String, Object> metadata,
            String creatorAgentId) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> Channel.count("workspaceId = ?1 and name = ?2", workspaceId, name)
                .flatMap(taken -> {
                    if (taken > 0) {
                        throw new RelayException(ErrorCode.CHANNEL_ALREADY_EXISTS, "Channel '" + name
                                + "' already exists");
                    }
                    Channel channel = new Channel();
                    channel.id = ids.nextId();
                    channel.workspaceId = workspaceId;
                    channel.name = name;
                    channel.topic = topic;
                    channel.metadata = JsonText.write(metadata);
                    channel.createdBy = creatorAgentId;
                    channel.createdAt = now;
                    Uni<Void> owner = creatorAgentId == null
                            ? Uni.createFrom().voidItem()
                            : member(channel.id, creatorAgentId, "owner", now).persist().replaceWithVoid();
                    return channel.persist()
                            .call(() -> owner)
                            .call(() -> emit(channel, EventTypes.CHANNEL_CREATED, Map.of("channel",
                                    nameAndTopic(channel)), now))
                            .replaceWith(new Counted(channel, creatorAgentId == null ? 0 : 1));
                }))
                .onFailure(failure -> UniqueViolation.of(failure, "channels_name_per_workspace"))
                .transform(failure -> new RelayException(ErrorCode.CHANNEL_ALREADY_EXISTS, "Channel '" + name
                        + "' already exists"));
    }

    @WithSession
    public Uni<List<Counted>> list(String workspaceId, boolean includeArchived) {
        String archived = includeArchived ? "" : " and c.archived = false";
        return Panache.getSession()
                .flatMap(session -> session.createQuery(
                        "select c, (select count(m) from ChannelMember m where m.channelId = c.id) from Channel c "
                                + "where c.workspaceId = ?1 and c.channelType = 0" + archived
                                + " order by c.createdAt, c.id",
                        Object[].class).setParameter(1, workspaceId).getResultList())
                .map(rows -> rows.stream().map(row -> new Counted((Channel) row[0], (Long) row[1])).toList());
    }

    @WithSession
    public Uni<Counted> get(String workspaceId, String name) {
        return counted(workspaceId, name);
    }

    @WithSession
    public Uni<List<Member>> members(String channelId) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery(
                        "select m, a.name from ChannelMember m, Agent a where m.agentId = a.id and m.channelId = ?1 "
                                + "order by m.joinedAt, a.name",
                        Object[].class)
                        .setParameter(1, channelId)
                        .getResultList())
                .map(rows -> rows.stream().map(row -> new Member((ChannelMember) row[0], (String) row[1])).toList());
    }

    /** Changes topic and/or metadata (merged as given: replaced) of an unarchived channel. */
    public Uni<Counted> update(String workspaceId, String name, Map<String, Object> patch) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> counted(workspaceId, name).invoke(counted -> {
            Channel channel = unarchived(counted.channel());
            if (patch.containsKey("topic")) {
                Object topic = patch.get("topic");
                if (topic != null && !(topic instanceof String)) {
                    throw RelayException.badRequest("topic must be a string or null");
                }
                channel.topic = (String) topic;
            }
            if (patch.containsKey("metadata")) {
                if (!(patch.get("metadata") instanceof Map<?, ?> metadata)) {
                    throw RelayException.badRequest("metadata must be an object");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) metadata;
                channel.metadata = JsonText.write(typed);
            }
        })
                .call(counted -> emit(counted.channel(), EventTypes.CHANNEL_UPDATED, Map.of("channel",
                        nameAndTopic(counted.channel())), now)));
    }

    /** Archives (soft-deletes) a channel; `general` cannot be archived. */
    public Uni<Void> archive(String workspaceId, String name) {
        if (Channel.GENERAL.equals(name)) {
            throw new RelayException(ErrorCode.CANNOT_ARCHIVE_GENERAL, "The general channel cannot be archived");
        }
        Instant now = clock.instant();
        return Panache.withTransaction(() -> channel(workspaceId, name).invoke(channel -> channel.archived = true)
                .call(channel -> emit(channel, EventTypes.CHANNEL_ARCHIVED, Map.of("channel", Map.of("name", name)),
                        now)))
                .replaceWithVoid();
    }

    /** Joins the agent; answers whether it already was a member. */
    public Uni<Boolean> join(String workspaceId, String name, String agentId, String agentName) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> channel(workspaceId, name).map(ChannelService::unarchived)
                .flatMap(channel -> membership(channel.id, agentId).flatMap(existing -> existing != null
                        ? Uni.createFrom().item(true)
                        : member(channel.id, agentId, "member", now).persist()
                                .call(() -> emit(channel, EventTypes.MEMBER_JOINED, member(agentId, agentName), now))
                                .replaceWith(false))));
    }

    /** Leaves the channel; leaving a channel one is not in changes nothing. */
    public Uni<Void> leave(String workspaceId, String name, String agentId, String agentName) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> channel(workspaceId, name).flatMap(channel -> membership(channel.id,
                agentId).flatMap(
                        existing -> existing == null
                                ? Uni.createFrom().voidItem()
                                // The leaver is still in the audience; the append still comes last.
                                : event(channel, EventTypes.MEMBER_LEFT, member(agentId, agentName))
                                        .call(() -> ChannelMember.delete("channelId = ?1 and agentId = ?2", channel.id,
                                                agentId))
                                        .call(event -> events.append(channel.workspaceId, event, now))
                                        .replaceWithVoid())));
    }

    /** A member invites another agent by name. */
    public Uni<Agent> invite(String workspaceId, String name, String inviterId, String agentName) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> channel(workspaceId, name).map(ChannelService::unarchived)
                .flatMap(channel -> requireMember(channel, inviterId)
                        .flatMap(ok -> Agent.find("workspaceId = ?1 and name = ?2", workspaceId, agentName)
                                .<Agent>firstResult())
                        .flatMap(agent -> {
                            if (agent == null) {
                                throw new RelayException(ErrorCode.AGENT_NOT_FOUND, "Agent '" + agentName
                                        + "' not found");
                            }
                            return membership(channel.id, agent.id).flatMap(existing -> existing != null
                                    ? Uni.createFrom().item(agent)
                                    : member(channel.id, agent.id, "member", now).persist()
                                            .call(() -> emit(channel, EventTypes.MEMBER_JOINED,
                                                    member(agent.id, agent.name), now))
                                            .replaceWith(agent));
                        })));
    }

    /** Mutes or unmutes the channel for a member. */
    public Uni<Boolean> mute(String workspaceId, String name, String agentId, String agentName, boolean muted) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> channel(workspaceId, name)
                .flatMap(channel -> requireMember(channel, agentId).invoke(member -> member.muted = muted)
                        .call(() -> emit(channel, muted
                                ? EventTypes.MEMBER_CHANNEL_MUTED
                                : EventTypes.MEMBER_CHANNEL_UNMUTED, member(agentId, agentName), now)))
                .replaceWith(muted));
    }

    private static Uni<ChannelMember> requireMember(Channel channel, String agentId) {
        return membership(channel.id, agentId).map(member -> {
            if (member == null) {
                throw new RelayException(ErrorCode.NOT_A_MEMBER, "Not a member of #" + channel.name);
            }
            return member;
        });
    }

    private static Uni<ChannelMember> membership(String channelId, String agentId) {
        return ChannelMember.find("channelId = ?1 and agentId = ?2", channelId, agentId).firstResult();
    }

    private static Uni<Counted> counted(String workspaceId, String name) {
        return channel(workspaceId, name).flatMap(channel -> ChannelMember.count("channelId", channel.id)
                .map(count -> new Counted(channel, count)));
    }

    private static Uni<Channel> channel(String workspaceId, String name) {
        return Channel.<Channel>find("workspaceId = ?1 and name = ?2 and channelType = 0", workspaceId, name)
                .firstResult()
                .map(channel -> {
                    if (channel == null) {
                        throw new RelayException(ErrorCode.CHANNEL_NOT_FOUND, "Channel '" + name + "' not found");
                    }
                    return channel;
                });
    }

    private static Channel unarchived(Channel channel) {
        if (channel.archived) {
            throw new RelayException(ErrorCode.CHANNEL_ARCHIVED, "Channel '" + channel.name + "' is archived");
        }
        return channel;
    }

    private static ChannelMember member(String channelId, String agentId, String role, Instant now) {
        ChannelMember member = new ChannelMember();
        member.channelId = channelId;
        member.agentId = agentId;
        member.role = role;
        member.joinedAt = now;
        return member;
    }
}
