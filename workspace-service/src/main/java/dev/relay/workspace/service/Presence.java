package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.event.EventTypes;
import dev.relay.common.json.RelayJson;
import dev.relay.common.redis.RedisNames;
import dev.relay.workspace.messaging.OutboxRelay;
import dev.relay.workspace.repository.Agent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;

/**
 * Agent presence (contract §9): an agent is online while its last sign of life (a heartbeat, any call it makes with
 * its token, or a heartbeat of the node socket that carries it, reported by delivery-service) is younger than the
 * TTL. Kept in Redis, so every replica answers the same: one sorted set whose
 * member is {@code <workspaceId>:<agentId>} and whose score is the time it was last seen, in epoch milliseconds.
 *
 * <p>
 * Transitions are decided by Redis, so exactly one replica sees each: adding a member that was absent makes the agent
 * online; removing it (a disconnect, or the sweep popping members older than the TTL, atomically) makes it offline.
 * Each transition appends `agent.status.active` / `agent.status.offline` to the durable event log, moves the agent's
 * stored status between `offline` and `active`, and is announced on the presence pub/sub channel.
 */
@ApplicationScoped
public class Presence {

    /** KEYS: the set. ARGV: cutoff score, batch size. Pops the members last seen at or before the cutoff. */
    private static final String POP_EXPIRED = """
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
            if #expired > 0 then redis.call('ZREM', KEYS[1], unpack(expired)) end
            return expired
            """;
    private static final int SWEEP_BATCH = 500;
    /**
     * KEYS: the set. ARGV: score, then members. Refreshes every member with one ZADD and answers those that were
     * absent before it, atomically, so that each of them goes online on exactly one replica.
     */
    private static final String ADD_ALL = """
            local before = redis.call('ZMSCORE', KEYS[1], unpack(ARGV, 2))
            local args = {}
            local added = {}
            for i = 2, #ARGV do
              args[#args + 1] = ARGV[1]
              args[#args + 1] = ARGV[i]
              if not before[i - 1] then added[#added + 1] = ARGV[i] end
            end
            redis.call('ZADD', KEYS[1], unpack(args))
            return added
            """;

    private final ReactiveRedisDataSource redis;
    private final RedisNames names;
    private final EventLog events;
    private final OutboxRelay outbox;
    private final Clock clock;
    private final Vertx vertx;
    private final Duration ttl;

    Presence(ReactiveRedisDataSource redis, RedisNames names, EventLog events, OutboxRelay outbox, Clock clock,
            Vertx vertx, @ConfigProperty(name = "relay.presence.ttl", defaultValue = "60s") Duration ttl) {
        this.redis = redis;
        this.names = names;
        this.events = events;
        this.outbox = outbox;
        this.clock = clock;
        this.vertx = vertx;
        this.ttl = ttl;
    }

    /** How long an agent stays online after its last sign of life. */
    public Duration ttl() {
        return ttl;
    }

    /** A sign of life from the agent; completes once a resulting online transition is durable. */
    public Uni<Void> seen(String workspaceId, String agentId) {
        Instant now = clock.instant();
        return redis.execute("ZADD", names.presenceSet(), String.valueOf(now.toEpochMilli()), member(workspaceId,
                agentId))
                .flatMap(added -> added != null && added.toLong() == 1
                        ? transition(workspaceId, agentId, Change.SEEN, now, true)
                        : Uni.createFrom().voidItem());
    }

    /** What a report of signs of life did: who came online, and which ids are no agent of the workspace. */
    public record Report(List<String> cameOnline, List<String> ignored) {
    }

    /**
     * Signs of life for many agents at once (delivery-service reports the agents its node sockets carry). Ids that
     * are no agent of this workspace are ignored: an agent deleted since its node last spoke must not fail the others.
     * The rest are refreshed in one Redis round trip; those that were absent go online exactly as {@link #seen} makes
     * them (one `agent.status.active` each, a stored `offline` status back to `active`). Completes once those
     * transitions are durable.
     */
    public Uni<Report> seenAll(String workspaceId, Collection<String> agentIds) {
        List<String> asked = List.copyOf(new LinkedHashSet<>(agentIds));
        if (asked.isEmpty()) {
            return Uni.createFrom().item(new Report(List.of(), List.of()));
        }
        Instant now = clock.instant();
        return knownAgents(workspaceId, asked).flatMap(known -> {
            List<String> ignored = asked.stream().filter(id -> !known.contains(id)).toList();
            if (known.isEmpty()) {
                return Uni.createFrom().item(new Report(List.of(), ignored));
            }
            List<String> args = new ArrayList<>(known.size() + 4);
            args.addAll(List.of(ADD_ALL, "1", names.presenceSet(), String.valueOf(now.toEpochMilli())));
            known.forEach(id -> args.add(member(workspaceId, id)));
            return redis.execute("EVAL", args.toArray(String[]::new))
                    .onItem()
                    .transformToMulti(added -> Multi.createFrom().iterable(added))
                    .map(added -> added.toString().substring(workspaceId.length() + 1))
                    .onItem()
                    .call(agentId -> transition(workspaceId, agentId, Change.SEEN, now, true))
                    .collect()
                    .asList()
                    .map(online -> new Report(online, ignored));
        });
    }

    /** Which of the ids are agents of the workspace. */
    private static Uni<Set<String>> knownAgents(String workspaceId, List<String> agentIds) {
        return Panache.withSession(() -> Panache.getSession()
                .flatMap(session -> session
                        .createQuery("select a.id from Agent a where a.workspaceId = ?1 and a.id in ?2", String.class)
                        .setParameter(1, workspaceId)
                        .setParameter(2, agentIds)
                        .getResultList()))
                .map(Set::copyOf);
    }

    /**
     * {@link #seen} for a request in flight: runs on a context of its own, so the request neither waits for Redis nor
     * fails when Redis does.
     */
    public void seenInBackground(String workspaceId, String agentId) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> seen(workspaceId, agentId).subscribe()
                .with(done -> {
                }, failure -> Log.warnf("presence: cannot record agent %s as seen: %s", agentId,
                        failure.getMessage())));
    }

    /** The agent said goodbye (`POST /v1/agents/disconnect`): offline at once. */
    public Uni<Void> gone(String workspaceId, String agentId) {
        Instant now = clock.instant();
        return redis.execute("ZREM", names.presenceSet(), member(workspaceId, agentId))
                .flatMap(removed -> transition(workspaceId, agentId, Change.DISCONNECTED, now,
                        removed != null && removed.toLong() == 1));
    }

    /** Which of the agents are online now, by agent id. */
    public Uni<Map<String, Boolean>> online(String workspaceId, List<String> agentIds) {
        if (agentIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<String> args = new ArrayList<>(agentIds.size() + 1);
        args.add(names.presenceSet());
        agentIds.forEach(id -> args.add(member(workspaceId, id)));
        long cutoff = clock.millis() - ttl.toMillis();
        return redis.execute("ZMSCORE", args.toArray(String[]::new)).map(scores -> {
            Map<String, Boolean> online = new LinkedHashMap<>();
            for (int i = 0; i < agentIds.size(); i++) {
                Response score = scores.get(i);
                online.put(agentIds.get(i), score != null && score.toDouble() > cutoff);
            }
            return online;
        });
    }

    /**
     * Pops agents whose last sign of life is older than the TTL and records them offline. Every replica sweeps; the
     * pop is atomic, so each expiry is recorded once.
     */
    @Scheduled(every = "${relay.presence.sweep-every:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        Instant now = clock.instant();
        return redis.execute("EVAL", POP_EXPIRED, "1", names.presenceSet(),
                String.valueOf(now.toEpochMilli() - ttl.toMillis()), String.valueOf(SWEEP_BATCH))
                .onItem()
                .transformToMulti(expired -> Multi.createFrom().iterable(expired))
                .onItem()
                .transformToUniAndConcatenate(member -> expire(member.toString(), now))
                .collect()
                .last()
                .replaceWithVoid()
                .onFailure()
                .recoverWithUni(failure -> {
                    Log.warnf("presence: sweep failed (%s); will retry", failure.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> expire(String member, Instant now) {
        int colon = member.indexOf(':');
        if (colon < 0) {
            return Uni.createFrom().voidItem();
        }
        return transition(member.substring(0, colon), member.substring(colon + 1), Change.EXPIRED, now, true);
    }

    /** Why presence changed. */
    private enum Change {
        /** A sign of life after none within the TTL: online; a stored `offline` status becomes `active`. */
        SEEN,
        /** The agent disconnected: offline, and so is its stored status. */
        DISCONNECTED,
        /**
         * No sign of life within the TTL: offline. The stored status stays: an agent hosted by a live node receives
         * deliveries without calling the API, and its node's liveness decides that status.
         */
        EXPIRED
    }

    /**
     * Records the transition durably, then announces it; an agent deleted meanwhile has nothing left to record. A
     * disconnect of an agent that was not online still stores its `offline` status (and says so, if that changed).
     */
    private Uni<Void> transition(String workspaceId, String agentId, Change change, Instant now,
            boolean presenceChanged) {
        String status = change == Change.SEEN ? "active" : "offline";
        return Panache.withTransaction(() -> Agent.<Agent>find("workspaceId = ?1 and id = ?2", workspaceId, agentId)
                .firstResult()
                .map(agent -> {
                    if (agent == null) {
                        return null;
                    }
                    boolean statusChanged = !status.equals(agent.status)
                            && (change == Change.DISCONNECTED
                                    || change == Change.SEEN && "offline".equals(agent.status));
                    if (!presenceChanged && !statusChanged) {
                        return null;
                    }
                    agent.lastSeen = now;
                    if (statusChanged) {
                        agent.status = status;
                    }
                    return agent;
                })
                .call(agent -> agent == null
                        ? Uni.createFrom().voidItem()
                        : events.append(workspaceId, event(agent, status, now), now)))
                .invoke(outbox::nudge)
                .flatMap(agent -> agent == null ? Uni.createFrom().voidItem() : announce(agent, status, now));
    }

    /** Best effort: the durable event is what counts; the announcement only spares other replicas a lookup. */
    private Uni<Void> announce(Agent agent, String status, Instant now) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("workspace_id", agent.workspaceId);
        message.put("agent_id", agent.id);
        message.put("agent_name", agent.name);
        message.put("status", "active".equals(status) ? "online" : "offline");
        message.put("at", RelayJson.mapper().convertValue(now, String.class));
        return redis.execute("PUBLISH", names.presenceChannel(), JsonText.write(message))
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("presence: cannot announce agent %s going %s: %s", agent.id, status,
                            failure.getMessage());
                    return null;
                });
    }

    private static EventLog.Event event(Agent agent, String status, Instant now) {
        String timestamp = RelayJson.mapper().convertValue(now, String.class);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("agent", Map.of("name", agent.name, "id", agent.id));
        payload.put("agent_name", agent.name);
        payload.put("status", status);
        payload.put("subject_agent_id", agent.id);
        payload.put("timestamp", timestamp);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("agent_id", agent.id);
        data.put("agent_name", agent.name);
        data.put("status", status);
        return new EventLog.Event(EventTypes.AGENT_STATUS_PREFIX + status, null, null, payload, data, null);
    }

    private static String member(String workspaceId, String agentId) {
        return workspaceId + ":" + agentId;
    }
}
