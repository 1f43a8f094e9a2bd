package dev.relay.workspace.rest;

import dev.relay.common.auth.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.service.ChannelService;
import dev.relay.workspace.service.ChannelService.Counted;
import dev.relay.workspace.service.ChannelService.Member;
import dev.relay.workspace.service.JsonText;
import io.smallrye.mutiny.Uni;

/** Channels and membership (contract §3.4). */
@Path("/v1/channels")
public class ChannelResource {

    private final ChannelService channels;
    private final Caller caller;

    ChannelResource(ChannelService channels, Caller caller) {
        this.channels = channels;
        this.caller = caller;
    }

    public record CreatedBody(String id, String name, String topic, Map<String, Object> metadata, String createdBy,
            Instant createdAt, long memberCount) {
    }

    public record ChannelBody(String id, String name, String topic, Map<String, Object> metadata, long memberCount,
            Instant createdAt, boolean isArchived) {

        static ChannelBody of(Counted counted) {
            Channel c = counted.channel();
            return new ChannelBody(c.id, c.name, c.topic, JsonText.read(c.metadata), counted.memberCount(),
                    c.createdAt, c.archived);
        }
    }

    public record MemberBody(String agentId, String agentName, String role, Instant joinedAt, boolean isMuted) {

        static MemberBody of(Member m) {
            return new MemberBody(m.member().agentId, m.agentName(), m.member().role, m.member().joinedAt,
                    m.member().muted);
        }
    }

    public record ChannelWithMembersBody(String id, String name, String topic, Map<String, Object> metadata,
            long memberCount, Instant createdAt, boolean isArchived, List<MemberBody> members) {
    }

    public record JoinedBody(String channel, String agentId, boolean alreadyMember) {
    }

    public record InvitedBody(String channel, String agent) {
    }

    public record MutedBody(String channel, String agentId, boolean muted) {
    }

    public record ReadStatusBody(String agentName, String lastReadId, Instant lastReadAt) {
    }

    @POST
    public Uni<RestResponse<Success<CreatedBody>>> create(Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        Map<String, Object> fields = body == null ? Map.of() : body;
        String name = ChannelService.validName(fields.get("name"));
        Object topic = fields.get("topic");
        if (topic != null && !(topic instanceof String)) {
            throw RelayException.badRequest("topic must be a string or null");
        }
        String creator = principal.kind() == TokenKind.AGENT_TOKEN ? principal.subjectId() : null;
        return channels.create(principal.workspaceId(), name, (String) topic, metadata(fields.get("metadata")), creator)
                .map(counted -> {
                    Channel c = counted.channel();
                    return RestResponse.status(RestResponse.Status.CREATED, Success.of(new CreatedBody(c.id, c.name,
                            c.topic, JsonText.read(c.metadata), c.createdBy, c.createdAt, counted.memberCount())));
                });
    }

    @GET
    public Uni<Success<List<ChannelBody>>> list(@QueryParam("include_archived") String includeArchived) {
        Principal principal = reader();
        return channels.list(principal.workspaceId(), "true".equals(includeArchived))
                .map(found -> Success.of(found.stream()
                        .filter(c -> ObserverVisibility.channel(principal, c.channel()))
                        .map(ChannelBody::of)
                        .toList()));
    }

    @GET
    @Path("/{name}")
    public Uni<Success<ChannelWithMembersBody>> get(@PathParam("name") String name) {
        Principal principal = reader();
        return visibleChannel(principal, name).flatMap(counted -> channels.members(counted.channel().id)
                .map(members -> {
                    Channel c = counted.channel();
                    return Success.of(new ChannelWithMembersBody(c.id, c.name, c.topic, JsonText.read(c.metadata),
                            counted.memberCount(), c.createdAt, c.archived, members.stream()
                                    .map(MemberBody::of)
                                    .toList()));
                }));
    }

    @GET
    @Path("/{name}/members")
    public Uni<Success<List<MemberBody>>> members(@PathParam("name") String name) {
        Principal principal = reader();
        return visibleChannel(principal, name).flatMap(counted -> channels.members(counted.channel().id))
                .map(members -> Success.of(members.stream().map(MemberBody::of).toList()));
    }

    /**
     * Each member's read position. `last_read_at` needs read receipts, which are not stored yet: always null for
     * now.
     */
    @GET
    @Path("/{name}/read-status")
    public Uni<Success<List<ReadStatusBody>>> readStatus(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        return channels.get(principal.workspaceId(), bare(name))
                .flatMap(c -> channels.members(c.channel().id))
                .map(members -> Success.of(members.stream()
                        .map(m -> new ReadStatusBody(m.agentName(), m.member().lastReadId, null))
                        .toList()));
    }

    @PATCH
    @Path("/{name}")
    public Uni<Success<ChannelBody>> update(@PathParam("name") String name, Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        return channels.update(principal.workspaceId(), bare(name), body == null ? Map.of() : body)
                .map(counted -> Success.of(ChannelBody.of(counted)));
    }

    @PATCH
    @Path("/{name}/topic")
    public Uni<Success<ChannelBody>> topic(@PathParam("name") String name, Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        if (body == null || !(body.get("topic") instanceof String)) {
            throw RelayException.badRequest("topic is required (a string)");
        }
        return channels.update(principal.workspaceId(), bare(name), Map.of("topic", body.get("topic")))
                .map(counted -> Success.of(ChannelBody.of(counted)));
    }

    @DELETE
    @Path("/{name}")
    public Uni<RestResponse<Void>> archive(@PathParam("name") String name) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        return channels.archive(principal.workspaceId(), bare(name)).map(done -> RestResponse.noContent());
    }

    @POST
    @Path("/{name}/join")
    public Uni<Success<JoinedBody>> join(@PathParam("name") String name) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return channels.join(agent.workspaceId(), bare(name), agent.subjectId(), agent.subjectName())
                .map(already -> Success.of(new JoinedBody(bare(name), agent.subjectId(), already)));
    }

    @POST
    @Path("/{name}/leave")
    public Uni<RestResponse<Void>> leave(@PathParam("name") String name) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return channels.leave(agent.workspaceId(), bare(name), agent.subjectId(), agent.subjectName())
                .map(done -> RestResponse.noContent());
    }

    @POST
    @Path("/{name}/invite")
    public Uni<Success<InvitedBody>> invite(@PathParam("name") String name, Map<String, Object> body) {
        Principal principal = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN);
        if (principal.kind() != TokenKind.AGENT_TOKEN) {
            throw new RelayException(ErrorCode.AGENT_TOKEN_REQUIRED, "Inviting needs an agent token: the inviter "
                    + "must be a member of the channel");
        }
        if (body == null || !(body.get("agent_name") instanceof String agentName) || agentName.isBlank()) {
            throw RelayException.badRequest("agent_name is required");
        }
        return channels.invite(principal.workspaceId(), bare(name), principal.subjectId(), agentName)
                .map(agent -> Success.of(new InvitedBody(bare(name), agent.name)));
    }

    @POST
    @Path("/{name}/mute")
    public Uni<Success<MutedBody>> mute(@PathParam("name") String name) {
        return setMuted(name, true);
    }

    @POST
    @Path("/{name}/unmute")
    public Uni<Success<MutedBody>> unmute(@PathParam("name") String name) {
        return setMuted(name, false);
    }

    private Uni<Success<MutedBody>> setMuted(String name, boolean muted) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return channels.mute(agent.workspaceId(), bare(name), agent.subjectId(), agent.subjectName(), muted)
                .map(done -> Success.of(new MutedBody(bare(name), agent.subjectId(), muted)));
    }

    private Principal reader() {
        return caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
    }

    /** A channel the principal may see; hidden ones answer 404, never 403 (contract §7.3). */
    private Uni<Counted> visibleChannel(Principal principal, String name) {
        return channels.get(principal.workspaceId(), bare(name)).map(counted -> {
            if (!ObserverVisibility.channel(principal, counted.channel())) {
                throw new RelayException(ErrorCode.CHANNEL_NOT_FOUND, "Channel '" + bare(name) + "' not found");
            }
            return counted;
        });
    }

    private static String bare(String name) {
        return name.startsWith("#") ? name.substring(1) : name;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw RelayException.badRequest("metadata must be an object");
        }
        return (Map<String, Object>) map;
    }
}
