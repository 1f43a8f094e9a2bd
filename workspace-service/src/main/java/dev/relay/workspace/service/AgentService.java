package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.event.EventTypes;
import dev.relay.common.id.Snowflake;
import dev.relay.common.token.TokenKind;
import dev.relay.common.auth.Capability;
import dev.relay.common.auth.Principal;
import dev.relay.common.internal.AuthClient;
import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.ChannelMember;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/** Registers agents (minting their tokens at auth-service), reads, changes, deletes them and rotates tokens. */
@ApplicationScoped
public class AgentService {

    /** Names the SDK and brokers use: a letter or digit, then letters, digits, '.', '_' or '-'; at most 64. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    public static final List<String> STATUSES = List.of("active", "idle", "blocked", "waiting", "offline");

    private final AuthClient auth;
    private final EventLog events;
    private final OutboxRelay outbox;
    private final Snowflake ids;
    private final Clock clock;

    AgentService(AuthClient auth, EventLog events, OutboxRelay outbox, Snowflake ids, Clock clock) {
        this.auth = auth;
        this.events = events;
        this.outbox = outbox;
        this.ids = ids;
        this.clock = clock;
    }

    /** What registering needs; `metadata` already carries any `skills`. */
    public record Registration(String name, String type, String persona, Map<String, Object> metadata,
            Map<String, Object> capabilities) {
    }

    /** An agent and its raw token (shown once). */
    public record Registered(Agent agent, String token) {
    }

    public static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw RelayException.badRequest("name is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw RelayException.badRequest("Invalid agent name '" + name + "': use 1-64 letters, digits, '.', '_' "
                    + "or '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * Registers the agent and joins it to `general`; a taken name is a 409 that says how to reclaim it.
     * {@code issuedBy} is the caller's credential (the workspace key, or the node token of a broker registering a
     * worker), so the agent's token is revoked with the machine key it traces back to.
     */
    public Uni<Registered> register(String workspaceId, Registration registration, String issuedBy) {
        Instant now = clock.instant();
        String id = ids.nextId();
        return Panache.withSession(() -> requireFreeName(workspaceId, registration.name()))
                .flatMap(free -> auth.mint(TokenKind.AGENT_TOKEN, workspaceId, id, registration.name(), issuedBy))
                .flatMap(token -> Panache.withTransaction(() -> {
                    Agent agent = new Agent();
                    agent.id = id;
                    agent.workspaceId = workspaceId;
                    agent.name = registration.name();
                    agent.type = registration.type() == null ? "agent" : registration.type();
                    agent.status = "active";
                    agent.persona = registration.persona();
                    agent.metadata = JsonText.write(registration.metadata());
                    agent.capabilities = JsonText.write(registration.capabilities());
                    agent.credentialId = token.credentialId();
                    agent.createdAt = now;
                    agent.lastSeen = now;
                    return agent.persist().call(() -> joinGeneral(agent, now)).replaceWith(agent);
                })
                        .onFailure()
                        .call(failure -> revokeOrphanToken(workspaceId, id, failure))
                        .onFailure(AgentService::lostNameRace)
                        .transform(failure -> nameTaken(registration.name()))
                        .map(agent -> new Registered(agent, token.token())));
    }

    private static Uni<Void> joinGeneral(Agent agent, Instant now) {
        return Channel.<Channel>find("workspaceId = ?1 and name = ?2", agent.workspaceId, Channel.GENERAL)
                .firstResult()
                .flatMap(general -> {
                    if (general == null) {
                        return Uni.createFrom().voidItem();
                    }
                    ChannelMember member = new ChannelMember();
                    member.channelId = general.id;
                    member.agentId = agent.id;
                    member.role = "member";
                    member.joinedAt = now;
                    return member.persist().replaceWithVoid();
                });
    }

    private Uni<Void> revokeOrphanToken(String workspaceId, String agentId, Throwable why) {
        Log.errorf("agent %s was not stored (%s); revoking its token", agentId, why.getMessage());
        return auth.revokeSubject(workspaceId, agentId, "agent registration failed").onFailure().recoverWithNull();
    }

    @WithSession
    public Uni<List<Agent>> list(String workspaceId, String status) {
        if (status == null || status.equals("all")) {
            return Agent.list("workspaceId = ?1 order by createdAt, id", workspaceId);
        }
        return Agent.list("workspaceId = ?1 and status = ?2 order by createdAt, id", workspaceId, status);
    }

    @WithSession
    public Uni<Agent> get(String workspaceId, String name) {
        return find(workspaceId, name);
    }

    @WithSession
    public Uni<Agent> byId(String workspaceId, String agentId) {
        return Agent.<Agent>find("workspaceId = ?1 and id = ?2", workspaceId, agentId).firstResult().map(agent -> {
            if (agent == null) {
                throw new RelayException(ErrorCode.AGENT_NOT_FOUND, "Agent " + agentId + " not found");
            }
            return agent;
        });
    }

    /** The channels an agent belongs to, with its role and join time. */
    @WithSession
    public Uni<List<Object[]>> memberships(String agentId) {
        return Panache.getSession()
                .flatMap(session -> session.createQuery(
                        "select c, m from Channel c, ChannelMember m where m.channelId = c.id and m.agentId = ?1 "
                                + "and c.channelType = 0 order by m.joinedAt",
                        Object[].class).setParameter(1, agentId).getResultList());
    }

    /** Applies a PATCH: status, persona, metadata (merged), capabilities. */
    public Uni<Agent> update(String workspaceId, String name, Map<String, Object> patch) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> find(workspaceId, name).call(agent -> {
            String before = agent.status;
            AgentPatch.apply(agent, patch);
            return agent.status.equals(before)
                    ? Uni.createFrom().voidItem()
                    : events.append(workspaceId, statusEvent(agent), now);
        })).invoke(outbox::nudge);
    }

    /** `agent.status.<status>` (contract §8.1) for a status an operator set. */
    private static EventLog.Event statusEvent(Agent agent) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("agent", Map.of("name", agent.name, "id", agent.id));
        payload.put("status", agent.status);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("agent_id", agent.id);
        data.put("agent_name", agent.name);
        data.put("status", agent.status);
        return new EventLog.Event(EventTypes.AGENT_STATUS_PREFIX + agent.status, null, null, payload, data, null);
    }

    /** Revokes the agent's credentials at auth-service, then deletes the agent and its memberships. */
    public Uni<Void> delete(String workspaceId, String name) {
        return Panache.withSession(() -> find(workspaceId, name))
                .call(agent -> auth.revokeSubject(workspaceId, agent.id, "agent deleted"))
                .call(agent -> Panache.withTransaction(() -> Agent.delete("id", agent.id)))
                .replaceWithVoid();
    }

    /**
     * A fresh token for the agent; the previous one stops working at once. {@code callerAgentId}, when an agent
     * rotates, must be this agent's id: a name alone may since have passed to a new agent.
     */
    /**
     * A restricted workspace key may manage only the agents it registered (their tokens trace back to it); the admin
     * key and every other caller pass without a lookup (the operation itself answers 404 for an unknown agent).
     */
    public Uni<Void> requireManagedBy(Principal principal, String workspaceId, String name, String attempted) {
        if (!Capability.restricted(principal)) {
            return Uni.createFrom().voidItem();
        }
        return get(workspaceId, name).call(found -> auth.issuerKeyOf(found.credentialId).invoke(root -> {
            if (!principal.credentialId().equals(root)) {
                throw Capability.refusal(attempted + " for agent '" + name + "', which another key registered,",
                        Capability.ADMIN, principal);
            }
        })).replaceWithVoid();
    }

    public Uni<Registered> rotateToken(String workspaceId, String name, Optional<String> callerAgentId) {
        return Panache.withSession(() -> find(workspaceId, name))
                .invoke(agent -> {
                    if (callerAgentId.isPresent() && !callerAgentId.get().equals(agent.id)) {
                        throw new RelayException(ErrorCode.AGENT_RECOVERY_NOT_AUTHORIZED,
                                "An agent token may rotate only its own agent's token");
                    }
                })
                .flatMap(agent -> auth.rotate(agent.credentialId).map(minted -> new Registered(agent, minted.token())));
    }

    private static Uni<Boolean> requireFreeName(String workspaceId, String name) {
        return Agent.count("workspaceId = ?1 and name = ?2", workspaceId, name).map(count -> {
            if (count > 0) {
                throw nameTaken(name);
            }
            return true;
        });
    }

    private static RelayException nameTaken(String name) {
        return new RelayException(ErrorCode.AGENT_ALREADY_EXISTS, "Agent '" + name + "' already exists in this "
                + "workspace; to reclaim it, rotate its token with POST /v1/agents/" + name
                + "/rotate-token using the workspace key");
    }

    /** A concurrent registration of the same name got in between the check and the insert. */
    private static boolean lostNameRace(Throwable failure) {
        return UniqueViolation.of(failure, "agents_name_per_workspace");
    }

    private static Uni<Agent> find(String workspaceId, String name) {
        return Agent.<Agent>find("workspaceId = ?1 and name = ?2", workspaceId, name).firstResult().map(agent -> {
            if (agent == null) {
                throw new RelayException(ErrorCode.AGENT_NOT_FOUND, "Agent '" + name + "' not found");
            }
            return agent;
        });
    }
}
