package dev.relay.delivery.ws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.auth.RevocationFeedGap;
import dev.relay.common.event.EventTypes;
import dev.relay.common.internal.AuthClient;
import dev.relay.common.redis.RedisNames;
import dev.relay.common.ws.CloseCode;
import dev.relay.delivery.client.WorkspaceClient;
import dev.relay.delivery.service.AckWriter;
import dev.relay.delivery.service.DeliveredWriter;
import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.Delivery;
import dev.relay.delivery.service.Node;
import dev.relay.delivery.service.NodeService;
import dev.relay.delivery.service.PresenceReports;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * This replica's node sockets and the routing of deliveries to them. Redis records which replica holds each node
 * ({@link RedisNames#nodeOwnerKey}); new deliveries for an agent whose node another replica holds are handed to
 * that replica over its channel ({@link RedisNames#replicaChannel}), which sends them from PostgreSQL. Revocation
 * broadcasts close the sockets of withdrawn node tokens here, within the second.
 */
@ApplicationScoped
public class NodeSockets {

    /** A different live instance of the same provider blocks a newcomer for this long after its last frame. */
    static final Duration PROVIDER_CONFLICT_WINDOW = Duration.ofSeconds(35);
    private static final Duration OWNER_TTL = Duration.ofSeconds(90);
    /** Queued rows this old are re-driven by the sweep; younger ones are still on their way. */
    private static final Duration REDRIVE_AGE = Duration.ofSeconds(5);
    private static final String WS = "ws";

    private final Map<String, List<NodeConnection>> byNode = new ConcurrentHashMap<>();
    private final Map<String, NodeConnection> byAgent = new ConcurrentHashMap<>();
    private final AtomicLong directSends = new AtomicLong();
    private final NodeService nodes;
    private final DeliveryStore deliveries;
    private final AckWriter acks;
    private final DeliveredWriter delivered;
    private final PresenceReports presence;
    private final WorkspaceClient workspaces;
    private final AuthClient auth;
    private final ReactiveRedisDataSource redis;
    private final RedisNames names;
    private final String replicaId;

    NodeSockets(NodeService nodes, DeliveryStore deliveries, WorkspaceClient workspaces, AuthClient auth,
            ReactiveRedisDataSource redis, RedisNames names, AckWriter acks, DeliveredWriter delivered,
            PresenceReports presence, @ConfigProperty(name = "relay.delivery.replica-id") Optional<String> replicaId) {
        this.nodes = nodes;
        this.acks = acks;
        this.delivered = delivered;
        this.presence = presence;
        this.auth = auth;
        this.deliveries = deliveries;
        this.workspaces = workspaces;
        this.redis = redis;
        this.names = names;
        this.replicaId = replicaId.filter(id -> !id.isBlank()).orElseGet(NodeSockets::hostName);
    }

    private static String hostName() {
        try {
            return "delivery-" + java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "delivery-local";
        }
    }

    public String replicaId() {
        return replicaId;
    }

    NodeService nodes() {
        return nodes;
    }

    DeliveryStore deliveries() {
        return deliveries;
    }

    /** Where cumulative acks go: written together with other sockets' acks, reporting the reads they imply. */
    AckWriter acks() {
        return acks;
    }

    /** Where rows written to a socket are marked delivered, together with other sockets' write-backs. */
    DeliveredWriter delivered() {
        return delivered;
    }

    /** Where the signs of life of carried agents go, batched with other sockets' (contract §9). */
    PresenceReports presence() {
        return presence;
    }

    WorkspaceClient workspaces() {
        return workspaces;
    }

    /** Starts listening for work other replicas hand over. */
    public Uni<Void> listen() {
        return redis.pubsub(String.class)
                .subscribe(names.replicaChannel(replicaId), this::onReplicaMessage)
                .invoke(() -> Log.infof("delivery replica %s listening on %s", replicaId,
                        names.replicaChannel(replicaId)))
                .replaceWithVoid();
    }

    // --- sockets ----------------------------------------------------------------------------------------------------

    void attach(NodeConnection connection) {
        byNode.compute(connection.nodeId, (id, open) -> {
            List<NodeConnection> list = open == null ? new CopyOnWriteArrayList<>() : open;
            list.add(connection);
            return list;
        });
    }

    /**
     * Arbitrates a provider attaching (§5.2.1): an open socket of the same provider from another instance that spoke
     * within {@link #PROVIDER_CONFLICT_WINDOW} refuses the newcomer; any other is superseded (closed `1000 superseded`).
     */
    void claimProvider(NodeConnection newcomer, String provider, String instanceId) {
        for (NodeConnection other : byNode.getOrDefault(newcomer.nodeId, List.of())) {
            if (other == newcomer || other.closed() || !other.registered || !other.provider.equals(provider)) {
                continue;
            }
            boolean explicitInstances = !other.instanceId.equals(other.connectionId)
                    && !instanceId.equals(newcomer.connectionId);
            boolean recent = other.lastFrameAt.plus(PROVIDER_CONFLICT_WINDOW).isAfter(Instant.now());
            if (explicitInstances && !other.instanceId.equals(instanceId) && recent) {
                throw new NodeConnection.FrameException("provider_instance_conflict", "Provider '" + provider
                        + "' of node " + newcomer.nodeId + " is connected from instance " + other.instanceId
                        + " (last heard " + other.lastFrameAt + "); stop it or wait "
                        + PROVIDER_CONFLICT_WINDOW.toSeconds() + " s after it goes quiet");
            }
            Log.infof("node.superseded node=%s provider=%s old=%s new=%s", newcomer.nodeId, provider,
                    other.connectionId, newcomer.connectionId);
            other.context.runOnContext(ignored -> {
                // Replaced, not gone: its close must not take the node offline under the newcomer.
                other.registered = false;
                other.close(CloseCode.SUPERSEDED);
            });
        }
        claimOwnership(newcomer.nodeId);
    }

    private void claimOwnership(String nodeId) {
        String key = names.nodeOwnerKey(nodeId);
        redis.value(String.class)
                .setGet(key, replicaId, new io.quarkus.redis.datasource.value.SetArgs().ex(OWNER_TTL))
                .subscribe()
                .with(previous -> {
                    if (previous != null && !previous.equals(replicaId)) {
                        publish(previous, new JsonObject().put("supersede", nodeId));
                    }
                }, failure -> Log.warnf("could not record the owner of node %s: %s", nodeId, failure.getMessage()));
    }

    void refreshOwnership(String nodeId) {
        redis.key().expire(names.nodeOwnerKey(nodeId), OWNER_TTL).subscribe().with(ignored -> {
        }, failure -> Log.debugf("owner ttl refresh failed: %s", failure.getMessage()));
    }

    /** The socket carries the agent from now on; a live one reports it seen (contract §9). */
    void carrying(NodeConnection connection, String agentId) {
        if (connection.closed()) {
            return; // a stream started late, after its socket closed: it must not shadow a live carrier
        }
        NodeConnection previous = byAgent.put(agentId, connection);
        if (previous != null && previous != connection && !previous.closed()) {
            Log.debugf("agent %s moved from %s to %s", agentId, previous, connection);
        }
        if (connection.registered) {
            presence.carried(connection.workspaceId, List.of(agentId));
        }
    }

    /**
     * The socket's node heartbeated: every agent it carries is seen. An agent that moved to another socket since is
     * that socket's to report.
     */
    void heartbeat(NodeConnection connection) {
        if (connection.registered && !connection.closed()) {
            presence.carried(connection.workspaceId, connection.agentIds()
                    .stream()
                    .filter(agentId -> byAgent.get(agentId) == connection)
                    .toList());
        }
    }

    /** The socket no longer carries the agent (it left the node). */
    void notCarrying(NodeConnection connection, String agentId) {
        if (byAgent.remove(agentId, connection)) {
            presence.notCarried(connection.workspaceId, List.of(agentId));
        }
    }

    /** The socket carries none of its agents any more; signs of life collected for them no longer hold. */
    private void carryingNothing(NodeConnection connection) {
        List<String> dropped = new ArrayList<>();
        byAgent.entrySet().removeIf(entry -> {
            boolean mine = entry.getValue() == connection;
            if (mine) {
                dropped.add(entry.getKey());
            }
            return mine;
        });
        presence.notCarried(connection.workspaceId, dropped);
    }

    /** The socket closed: forget it; the last socket of a node takes the node offline. */
    void detach(NodeConnection connection) {
        connection.markClosed();
        // The node's entry goes only with its last socket: one still opening (a reconnect) must stay reachable.
        List<NodeConnection> list = byNode.computeIfPresent(connection.nodeId, (id, open) -> {
            open.remove(connection);
            return open.isEmpty() ? null : open;
        });
        carryingNothing(connection);
        if (connection.registered && (list == null || list.stream().noneMatch(c -> c.registered && !c.closed()))) {
            releaseOwnership(connection.nodeId);
            goOffline(connection, "disconnected").subscribe().with(ignored -> {
            }, failure -> Log.warnf("node %s offline bookkeeping failed: %s", connection.nodeId,
                    failure.getMessage()));
        }
    }

    /** A provider said `node.deregister`: it stops carrying agents; the node goes offline if it was the last. */
    Uni<Void> providerGone(NodeConnection connection, String reason) {
        connection.registered = false;
        carryingNothing(connection);
        List<NodeConnection> list = byNode.getOrDefault(connection.nodeId, List.of());
        if (list.stream().anyMatch(c -> c != connection && c.registered && !c.closed())) {
            return Uni.createFrom().voidItem();
        }
        return goOffline(connection, reason);
    }

    private Uni<Void> goOffline(NodeConnection connection, String reason) {
        return nodes.offline(connection.nodeId).flatMap(wasOnline -> {
            if (!wasOnline || connection.node() == null) {
                return Uni.createFrom().voidItem();
            }
            Log.infof("node.offline node=%s workspace=%s reason=%s", connection.nodeId, connection.workspaceId,
                    reason);
            // Every agent located on the node goes offline with it (§5.2.3), after any presence report on its way,
            // which would otherwise bring an agent back as `active`.
            return emit(connection.node(), EventTypes.NODE_STATUS_OFFLINE, reason)
                    .chain(() -> presence.settled(connection.workspaceId))
                    .chain(() -> nodes.hosted(connection.nodeId, null))
                    .chain(hosted -> {
                        Uni<Void> chain = Uni.createFrom().voidItem();
                        for (NodeService.Binding binding : hosted) {
                            chain = chain.chain(() -> workspaces.setStatus(connection.workspaceId,
                                    binding.agentName(), "offline"));
                        }
                        return chain;
                    });
        });
    }

    private void releaseOwnership(String nodeId) {
        String key = names.nodeOwnerKey(nodeId);
        redis.execute("EVAL", "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
                + "return 0", "1", key, replicaId).subscribe().with(ignored -> {
                }, failure -> Log.debugf("owner release failed: %s", failure.getMessage()));
    }

    void emitNodeStatus(Node node, String type, String reason) {
        emit(node, type, reason).subscribe().with(ignored -> {
        }, failure -> Log.warnf("node status event failed: %s", failure.getMessage()));
    }

    private Uni<Void> emit(Node node, String type, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("node_id", node.id());
        data.put("node_name", node.name());
        if (reason != null) {
            data.put("reason", reason);
        }
        return workspaces.emit(node.workspaceId(), type, data);
    }

    // --- routing deliveries -----------------------------------------------------------------------------------------

    /**
     * New (or newly routable) deliveries for these agents: each goes to the socket carrying its node, on this
     * replica or, through Redis, on the replica that holds it. Agents whose node is not connected anywhere keep their
     * rows queued until the node registers and replays them.
     */
    public Uni<Void> replay(List<String> agentIds) {
        if (agentIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return nodes.locate(agentIds).flatMap(located -> {
            Map<String, JsonArray> remote = new LinkedHashMap<>();
            for (NodeService.Binding binding : located) {
                Optional<NodeConnection> local = carrierOf(binding.nodeId(), binding.provider());
                if (local.isPresent()) {
                    NodeConnection connection = local.get();
                    connection.context.runOnContext(ignored -> connection.nudge(binding.agentId(), binding.agentName(),
                            binding.provider() != null));
                } else {
                    remote.computeIfAbsent(binding.nodeId(), id -> new JsonArray()).add(binding.agentId());
                }
            }
            List<Uni<Void>> handovers = new ArrayList<>();
            remote.forEach((nodeId, agents) -> handovers.add(redis.value(String.class)
                    .get(names.nodeOwnerKey(nodeId))
                    .invoke(owner -> {
                        if (owner != null && !owner.equals(replicaId)) {
                            publish(owner, new JsonObject().put("nudge", agents));
                        }
                    })
                    .replaceWithVoid()));
            return handovers.isEmpty()
                    ? Uni.createFrom().voidItem()
                    : Uni.join().all(handovers).andCollectFailures().replaceWithVoid();
        });
    }

    /**
     * Rows an event just created, and every recipient of the event. A row for an agent that a live socket here carries
     * on the ws node the row is routed to is handed to that socket, which sends it as it is when it is the next one
     * due (no read back from the database, no lookup of the binding). Every other recipient, routed elsewhere, carried
     * by another replica, not connected, or without a new row (a redelivered event), is routed by {@link #replay}.
     */
    public Uni<Void> sendNew(List<Delivery> created, List<String> agentIds) {
        Set<String> handed = new HashSet<>();
        for (Delivery row : created) {
            NodeConnection connection = byAgent.get(row.agentId());
            if (connection != null && connection.registered && !connection.closed() && WS.equals(row.routeNodeKind())
                    && connection.nodeId.equals(row.routeNodeId())) {
                connection.context.runOnContext(ignored -> connection.offer(row));
                handed.add(row.agentId());
            }
        }
        return replay(agentIds.stream().filter(agentId -> !handed.contains(agentId)).toList());
    }

    /** A socket wrote a fresh row without reading it back (see {@link #sendNew}). */
    void sentDirectly() {
        directSends.incrementAndGet();
    }

    /** How many fresh rows sockets here wrote without reading them back (for tests and metrics). */
    public long directSends() {
        return directSends.get();
    }

    private Optional<NodeConnection> carrierOf(String nodeId, String provider) {
        List<NodeConnection> list = byNode.getOrDefault(nodeId, List.of());
        return list.stream()
                .filter(c -> c.registered && !c.closed() && (provider == null || provider.equals(c.provider)))
                .findFirst()
                .or(() -> list.stream().filter(c -> c.registered && !c.closed()).findFirst());
    }

    /** Seq-0 `deliver` frames for an ephemeral event (§6.8) to every recipient this replica carries. */
    public void ephemeral(String eventType, String eventId, String messageId, JsonObject data, List<String> agentIds) {
        for (String agentId : agentIds) {
            NodeConnection connection = byAgent.get(agentId);
            if (connection != null && !connection.closed()) {
                connection.context.runOnContext(ignored -> connection.sendEphemeral(agentId, eventType, eventId,
                        messageId, data));
            }
        }
    }

    /**
     * A best-effort frame (no row, no retry) for the socket of one node's provider: written here when this replica
     * holds the node, else handed to the replica that does; dropped when no replica does.
     */
    public void sendToNode(String nodeId, String provider, JsonObject frame) {
        Optional<NodeConnection> local = carrierOf(nodeId, provider);
        if (local.isPresent()) {
            write(local.get(), frame);
            return;
        }
        redis.value(String.class).get(names.nodeOwnerKey(nodeId)).subscribe().with(owner -> {
            if (owner != null && !owner.equals(replicaId)) {
                publish(owner, new JsonObject().put("frame", frame).put("node_id", nodeId).put("provider", provider));
            }
        }, failure -> Log.debugf("no owner lookup for node %s: %s", nodeId, failure.getMessage()));
    }

    private static void write(NodeConnection connection, JsonObject frame) {
        connection.context.runOnContext(ignored -> connection.send(frame));
    }

    private void publish(String replica, JsonObject message) {
        redis.pubsub(String.class)
                .publish(names.replicaChannel(replica), message.encode())
                .subscribe()
                .with(ignored -> {
                }, failure -> Log.warnf("handing work to replica %s failed: %s", replica, failure.getMessage()));
    }

    private void onReplicaMessage(String text) {
        JsonObject message;
        try {
            message = new JsonObject(text);
        } catch (RuntimeException e) {
            Log.warnf("ignoring malformed replica message: %s", e.getMessage());
            return;
        }
        if (message.getValue("nudge") instanceof JsonArray agents) {
            replay(agents.stream().map(String::valueOf).toList()).subscribe().with(ignored -> {
            }, failure -> Log.warnf("handed-over replay failed: %s", failure.getMessage()));
        }
        if (message.getValue("frame") instanceof JsonObject frame
                && message.getValue("node_id") instanceof String node) {
            carrierOf(node, message.getString("provider")).ifPresent(connection -> write(connection, frame));
        }
        if (message.getValue("supersede") instanceof String nodeId) {
            for (NodeConnection connection : byNode.getOrDefault(nodeId, List.of())) {
                connection.context.runOnContext(ignored -> {
                    // Replaced on another replica, not gone: its close must not take the node offline there.
                    connection.registered = false;
                    connection.close(CloseCode.SUPERSEDED);
                });
            }
        }
    }

    // --- revocation, liveness, shutdown -----------------------------------------------------------------------------

    /** A node token was revoked or rotated: close its sockets here with the reason auth-service gave. */
    void onCredentialChange(@Observes CredentialChange change) {
        if (CredentialChange.UPDATED.equals(change.event()) || change.credentialId() == null) {
            return;
        }
        CloseCode code = Optional.ofNullable(change.reason())
                .flatMap(CloseCode::fromReason)
                .orElse(CredentialChange.ROTATED.equals(change.event())
                        ? CloseCode.NODE_TOKEN_ROTATED
                        : CloseCode.NODE_TOKEN_REVOKED);
        byNode.values().forEach(list -> list.forEach(connection -> {
            String prefix = connection.principal.hashPrefix();
            boolean sameCredential = change.credentialId().equals(connection.principal.credentialId());
            boolean sameToken = prefix == null || change.tokenHashes().isEmpty()
                    || change.tokenHashes().stream().anyMatch(hash -> hash.startsWith(prefix));
            if (sameCredential && sameToken) {
                Log.infof("node.token_withdrawn node=%s connection=%s event=%s reason=%s", connection.nodeId,
                        connection.connectionId, change.event(), code.reason());
                connection.context.runOnContext(ignored -> connection.close(code));
            }
        }));
    }

    /**
     * Revocation broadcasts may have been missed while the subscription was gone: ask auth-service about the token
     * behind every socket here and close those that would no longer verify. A socket whose check fails (auth-service
     * unreachable) stays: liveness and the next broadcast still apply.
     */
    void onRevocationFeedGap(@Observes RevocationFeedGap gap) {
        Instant now = Instant.now();
        byNode.values().forEach(list -> list.forEach(connection -> {
            String credentialId = connection.principal.credentialId();
            if (credentialId == null) {
                return;
            }
            auth.stillValid(credentialId, now).subscribe().with(valid -> {
                if (!valid) {
                    Log.infof("node.token_withdrawn node=%s connection=%s event=missed-broadcast reason=%s",
                            connection.nodeId, connection.connectionId, CloseCode.NODE_TOKEN_REVOKED.reason());
                    connection.context.runOnContext(ignored -> connection.close(CloseCode.NODE_TOKEN_REVOKED));
                }
            }, failure -> Log.warnf("node %s: cannot check its token after a revocation-feed gap: %s",
                    connection.nodeId, failure.getMessage()));
        }));
    }

    /**
     * Re-drives queued rows that no nudge delivered (a hand-over lost with its Redis message, a write that failed):
     * each such agent is routed again, so the replica holding its node resumes from where that socket stopped.
     */
    @Scheduled(every = "${relay.delivery.redrive-every:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> redriveQueued() {
        return deliveries.agentsWithStaleQueuedRows(REDRIVE_AGE, 500)
                .flatMap(this::replay)
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("re-driving queued deliveries failed: %s", failure.getMessage());
                    return null;
                });
    }

    /** Online nodes silent for {@link Node#LIVENESS} go offline everywhere (reason `liveness_timeout`). */
    @Scheduled(every = "${relay.delivery.liveness-sweep:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweepLiveness() {
        return nodes.expireSilent()
                .flatMap(expired -> {
                    List<Uni<Void>> events = expired.stream()
                            .peek(node -> Log.infof("node.offline node=%s workspace=%s reason=liveness_timeout",
                                    node.id(), node.workspaceId()))
                            .map(node -> emit(node, EventTypes.NODE_STATUS_OFFLINE, "liveness_timeout"))
                            .toList();
                    return events.isEmpty()
                            ? Uni.createFrom().voidItem()
                            : Uni.join().all(events).andCollectFailures().replaceWithVoid();
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("liveness sweep failed: %s", failure.getMessage());
                    return null;
                });
    }

    void onShutdown(@Observes ShutdownEvent event) {
        byNode.values()
                .forEach(list -> list.forEach(connection -> connection.context
                        .runOnContext(ignored -> connection.close(CloseCode.SERVER_SHUTDOWN))));
    }

    /** How many sockets this replica holds (for tests and metrics). */
    public int socketCount() {
        return byNode.values().stream().mapToInt(List::size).sum();
    }
}
