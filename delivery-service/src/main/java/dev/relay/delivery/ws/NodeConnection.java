package dev.relay.delivery.ws;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.RelayException;
import dev.relay.common.event.EventTypes;
import dev.relay.common.ws.CloseCode;
import dev.relay.delivery.service.DeliveredWriter;
import dev.relay.delivery.service.DeliveryStore.Delivery;
import dev.relay.delivery.service.Node;
import dev.relay.delivery.service.NodeService.Registration;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One node socket on `/v1/node/ws` (contract §5.2): its fleet-wire control frames, handled one at a time in arrival
 * order, and the per-agent delivery streams it carries. Every piece of its state is touched only on the socket's own
 * Vert.x context, so nothing here needs a lock.
 */
final class NodeConnection {

    /** Capability with which a provider asks for per-agent replay after each agent's register reply (§6.6). */
    static final String CURSOR_CAPABILITY = "relay:delivery-cursor-v1";
    private static final int PAGE = 50;

    final String connectionId = "conn_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    final ServerWebSocket socket;
    final Context context;
    final Principal principal;
    final String nodeId;
    final String workspaceId;
    private final NodeSockets sockets;

    private final ArrayDeque<JsonObject> inbox = new ArrayDeque<>();
    private boolean busy;
    /** Ack writes in flight on this socket (at most one per agent). */
    private int acksInFlight;
    private boolean closed;
    boolean registered;
    String provider = "default";
    String instanceId;
    boolean cursorCapable;
    Instant lastFrameAt = Instant.now();
    private Node node;

    /** Delivery streams by agent id: who this socket carries and how far each has been sent. */
    private final Map<String, AgentStream> streams = new HashMap<>();

    private static final class AgentStream {
        final String agentId;
        final String agentName;
        long sentSeq;
        /**
         * How far the agent has acked over this socket: rows at or below it need no write-back to `delivered`, their
         * ack settles them (should the ack's write fail, they stay `queued`, and are replayed like `delivered` ones).
         */
        volatile long ackedSeq;
        /** How far this socket's acks for the agent are written, and whether a write is in flight. */
        long ackWritten;
        boolean ackInFlight;
        boolean running;
        boolean again;

        AgentStream(String agentId, String agentName, long sentSeq) {
            this.agentId = agentId;
            this.agentName = agentName;
            this.sentSeq = sentSeq;
        }
    }

    NodeConnection(ServerWebSocket socket, Context context, Principal principal, NodeSockets sockets) {
        this.socket = socket;
        this.context = context;
        this.principal = principal;
        this.nodeId = principal.subjectId();
        this.workspaceId = principal.workspaceId();
        this.sockets = sockets;
        this.instanceId = connectionId;
    }

    /** Runs on this socket's context, whatever thread completes the work before. */
    <T> Uni<T> here(Uni<T> uni) {
        return uni.emitOn(runnable -> context.runOnContext(ignored -> runnable.run()));
    }

    // --- inbound frames ---------------------------------------------------------------------------------------------

    void onText(String text) {
        lastFrameAt = Instant.now();
        JsonObject frame;
        try {
            frame = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            send(Frames.error(generatedId(), "invalid_message", "frame is not a JSON object"));
            return;
        }
        inbox.add(frame);
        drainInbox();
    }

    private void drainInbox() {
        if (busy || closed) {
            return;
        }
        JsonObject frame = inbox.peek();
        if (frame == null || acksInFlight > 0 && !"delivery.ack".equals(frame.getValue("type"))) {
            return; // an ack still being written goes first; ackSettled() drains again
        }
        inbox.poll();
        busy = true;
        String id = frame.getValue("id") instanceof String s ? s : generatedId();
        String invalid = Frames.invalid(frame);
        Uni<JsonObject> handled = invalid != null
                ? Uni.createFrom().item(Frames.error(id, "invalid_message", invalid))
                : Uni.createFrom().deferred(() -> handle(frame.getString("type"), id, frame));
        here(handled).subscribe().with(answer -> {
            if (answer != null) {
                send(answer);
            }
            busy = false;
            drainInbox();
        }, failure -> {
            send(errorFor(id, failure));
            busy = false;
            drainInbox();
        });
    }

    private static JsonObject errorFor(String id, Throwable failure) {
        if (failure instanceof RelayException relay) {
            return Frames.error(id, relay.code().code(), relay.getMessage());
        }
        if (failure instanceof FrameException frame) {
            return Frames.error(id, frame.code, frame.getMessage());
        }
        Log.errorf(failure, "node socket: a control frame failed");
        return Frames.error(id, "node_control_failed", "The engine could not process this frame; try again");
    }

    /** A refusal of one frame with its wire code. */
    static final class FrameException extends RuntimeException {
        final String code;

        FrameException(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private Uni<JsonObject> handle(String type, String id, JsonObject frame) {
        if (!registered && !type.equals("node.register") && !type.equals("ping")) {
            return Uni.createFrom()
                    .item(Frames.error(id, "node_not_registered", "send node.register before "
                            + type));
        }
        return switch (type) {
            case "node.register" -> register(id, frame);
            case "node.heartbeat" -> heartbeat(frame);
            case "node.deregister" -> deregister();
            case "agent.register" -> agentRegister(id, frame);
            case "agent.recover" -> agentRecover(id, frame);
            case "agent.deregister" -> agentDeregister(frame);
            case "inventory.sync" -> inventorySync(id, frame);
            case "delivery.ack" -> ack(id, frame);
            case "ping" -> Uni.createFrom().item(new JsonObject().put("v", 1).put("type", "pong").put("id", id));
            default -> Uni.createFrom().item(Frames.error(id, "invalid_message", "unknown frame type '" + type + "'"));
        };
    }

    // --- node.register ----------------------------------------------------------------------------------------------

    private Uni<JsonObject> register(String id, JsonObject frame) {
        String claimedNode = frame.getValue("node_id") instanceof String s ? s : null;
        if (claimedNode == null || !claimedNode.equals(nodeId)) {
            throw new FrameException("node_id_mismatch", "node_id " + claimedNode + " is not the node this token "
                    + "belongs to (" + nodeId + ")");
        }
        if (!(frame.getValue("name") instanceof String name)) {
            throw new FrameException("invalid_message", "node.register needs a string name");
        }
        JsonObject providerFrame = frame.getValue("provider") instanceof JsonObject p ? p : null;
        if (frame.containsKey("provider") && frame.getValue("provider") != null && providerFrame == null) {
            throw new FrameException("invalid_message", "provider must be an object {name, instance_id}");
        }
        String providerName = providerFrame == null ? "default" : providerFrame.getString("name", "default");
        String instance = providerFrame == null ? connectionId : providerFrame.getString("instance_id", connectionId);
        List<Map<String, Object>> capabilities = capabilities(frame.getValue("capabilities"));
        Integer maxAgents = nonNegative(frame, "max_agents");
        List<String> tags = strings(frame.getValue("tags"), "tags");
        String version = frame.getValue("version") instanceof String v ? v : null;
        String machineId = frame.getValue("machine_id") instanceof String m ? m : null;
        return sockets.nodes().byId(nodeId).flatMap(found -> {
            if (!found.name().equals(name)) {
                throw new FrameException("node_name_conflict", "Node name '" + name + "' does not match node " + nodeId
                        + " ('" + found.name() + "'); enrol the name with POST /v1/nodes first");
            }
            sockets.claimProvider(this, providerName, instance);
            provider = providerName;
            instanceId = instance;
            cursorCapable = !found.direct() && capabilities.stream()
                    .anyMatch(c -> CURSOR_CAPABILITY.equals(c.get("name")));
            return sockets.nodes()
                    .online(nodeId, new Registration(found.direct() ? null : capabilities, maxAgents, tags, version,
                            machineId));
        }).flatMap(online -> {
            node = online.getKey();
            registered = true;
            if (online.getValue()) {
                sockets.emitNodeStatus(node, EventTypes.NODE_STATUS_ONLINE, null);
            }
            JsonObject data = new JsonObject(node.view(Instant.now()));
            data.put("provider", new JsonObject().put("name", provider).put("instance_id", instanceId));
            JsonArray accepted = new JsonArray();
            if (!node.direct()) {
                capabilities.forEach(c -> accepted.add(new JsonObject().put("name", c.get("name"))
                        .put("kind", c.getOrDefault("kind", "capacity"))
                        .put("accepted", true)));
            }
            data.put("accepted_capabilities", accepted);
            Log.infof("node.registered node=%s workspace=%s provider=%s instance=%s connection=%s cursor=%s", nodeId,
                    workspaceId, provider, instanceId, connectionId, cursorCapable);
            JsonObject reply = Frames.reply(id, data);
            // The reply first, then the replay: a broker matches the reply to its request before anything else.
            send(reply);
            // Replay what the node's agents missed; a cursor-negotiating provider gets its own agents' replay after
            // each one's register reply instead, and only the agents bound by REST now.
            here(sockets.nodes().hosted(nodeId, provider)).subscribe()
                    .with(bindings -> bindings.stream()
                            .filter(b -> !cursorCapable || b.provider() == null)
                            .forEach(b -> startStream(b.agentId(), b.agentName())),
                            failure -> Log.warnf(
                                    "node %s: replay after register failed: %s", nodeId, failure.getMessage()));
            return Uni.createFrom().nullItem();
        });
    }

    // --- heartbeat and deregister -----------------------------------------------------------------------------------

    private Uni<JsonObject> heartbeat(JsonObject frame) {
        Object claimed = frame.getValue("node_id");
        if (claimed != null && !nodeId.equals(claimed)) {
            throw new FrameException("node_id_mismatch", "node_id " + claimed + " is not this socket's node");
        }
        Double load = frame.getValue("load") instanceof Number n ? n.doubleValue() : null;
        if (load != null && load < 0) {
            throw new FrameException("invalid_message", "load must be a number >= 0");
        }
        Integer active = nonNegative(frame, "active_agents");
        Boolean handlersLive = frame.getValue("handlers_live") instanceof Boolean b ? b : null;
        sockets.refreshOwnership(nodeId);
        sockets.heartbeat(this);
        return sockets.nodes().heartbeat(nodeId, load, active, handlersLive).replaceWith((JsonObject) null);
    }

    private Uni<JsonObject> deregister() {
        Log.infof("node.deregistered node=%s provider=%s connection=%s", nodeId, provider, connectionId);
        return sockets.providerGone(this, "deregistered").replaceWith((JsonObject) null);
    }

    // --- agents -----------------------------------------------------------------------------------------------------

    private Uni<JsonObject> agentRegister(String id, JsonObject frame) {
        String name = requiredString(frame, "name");
        String sessionRef = frame.getValue("session_ref") instanceof String s ? s : null;
        return sockets.workspaces()
                .register(workspaceId, name, "agent", Map.of("provider_name", provider, "origin_node_id", nodeId),
                        principal.credentialId())
                .flatMap(agent -> sockets.nodes()
                        .hostOnNode(workspaceId, agent.agentId(), agent.name(), nodeId, provider, sessionRef)
                        .replaceWith(agent))
                .flatMap(agent -> agentReply(id, agent.agentId(), agent.name(), agent.token()));
    }

    private Uni<JsonObject> agentRecover(String id, JsonObject frame) {
        String name = requiredString(frame, "name");
        String expected = frame.getValue("expected_agent_id") instanceof String s ? s : null;
        String sessionRef = frame.getValue("session_ref") instanceof String s ? s : null;
        return sockets.workspaces().agent(workspaceId, name).flatMap(agent -> {
            if (expected != null && !expected.equals(agent.agentId())) {
                throw new FrameException("agent_identity_mismatch", "Agent '" + name + "' is " + agent.agentId()
                        + ", not " + expected + "; register a new name instead");
            }
            return sockets.workspaces().rotateToken(workspaceId, name);
        })
                .flatMap(agent -> sockets.nodes()
                        .hostOnNode(workspaceId, agent.agentId(), agent.name(), nodeId, provider, sessionRef)
                        .replaceWith(agent))
                .flatMap(agent -> agentReply(id, agent.agentId(), agent.name(), agent.token()));
    }

    /** The register/recover reply, then (as §6.6 orders it) the agent's replay. */
    private Uni<JsonObject> agentReply(String id, String agentId, String agentName, String token) {
        return sockets.deliveries().ackCursor(agentId).map(cursor -> {
            JsonObject data = new JsonObject().put("agent_id", agentId).put("token", token).put("name", agentName);
            if (cursorCapable) {
                data.put("delivery_ack_seq", cursor);
            }
            send(Frames.reply(id, data));
            startStream(agentId, agentName, cursor);
            return null;
        });
    }

    private Uni<JsonObject> agentDeregister(JsonObject frame) {
        String agentId = frame.getValue("agent_id") instanceof String s ? s : null;
        String name = frame.getValue("name") instanceof String s ? s : null;
        if (agentId == null && name == null) {
            throw new FrameException("invalid_message", "agent.deregister needs agent_id or name");
        }
        Uni<String[]> who = agentId != null && name != null
                ? Uni.createFrom().item(new String[]{agentId, name})
                : name != null
                        ? sockets.workspaces().agent(workspaceId, name).map(a -> new String[]{a.agentId(), a.name()})
                        : Uni.createFrom().item(new String[]{agentId, streamName(agentId)});
        return who.flatMap(ids -> exit(ids[0], ids[1], "deregistered")).replaceWith((JsonObject) null);
    }

    /**
     * The agent leaves this node: its binding is released and it is re-homed on its direct node (§5.2.1, §6.2), its
     * stream here stops, it goes offline and `agent.exited` says why ("deregistered", "missing_from_inventory");
     * nothing happens if it was not bound here. Its later deliveries follow the new binding, never this node.
     */
    private Uni<Void> exit(String agentId, String agentName, String reason) {
        return sockets.nodes().release(workspaceId, nodeId, agentId).flatMap(released -> {
            streams.remove(agentId);
            sockets.notCarrying(this, agentId);
            if (!released) {
                return Uni.createFrom().voidItem();
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("agent_id", agentId);
            data.put("agent_name", agentName);
            data.put("node_id", nodeId);
            data.put("invocation_id", null);
            data.put("reason", reason);
            // After a presence report on its way, which would otherwise bring the agent back as `active`.
            Uni<Void> offline = agentName == null
                    ? Uni.createFrom().voidItem()
                    : sockets.presence()
                            .settled(workspaceId)
                            .chain(() -> sockets.workspaces().setStatus(workspaceId, agentName, "offline"));
            return offline.call(() -> sockets.workspaces().emit(workspaceId, EventTypes.AGENT_EXITED, data))
                    .call(() -> sockets.replay(List.of(agentId)));
        });
    }

    private String streamName(String agentId) {
        AgentStream stream = streams.get(agentId);
        return stream == null ? null : stream.agentName;
    }

    private Uni<JsonObject> inventorySync(String id, JsonObject frame) {
        if (!(frame.getValue("agents") instanceof JsonArray agents)) {
            throw new FrameException("invalid_message", "inventory.sync needs an agents array");
        }
        List<JsonObject> listed = new ArrayList<>();
        for (Object entry : agents) {
            if (!(entry instanceof JsonObject agent) || !(agent.getValue("name") instanceof String)
                    || !(agent.getValue("agent_id") instanceof String)) {
                throw new FrameException("invalid_message", "each inventory entry needs agent_id and name");
            }
            listed.add(agent);
        }
        JsonArray rebound = new JsonArray();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (JsonObject entry : listed) {
            String name = entry.getString("name");
            String agentId = entry.getString("agent_id");
            chain = chain.flatMap(ignored -> sockets.workspaces().agent(workspaceId, name).flatMap(agent -> {
                if (!agent.agentId().equals(agentId)) {
                    throw new FrameException("agent_identity_mismatch", "Agent '" + name + "' is " + agent.agentId()
                            + ", not " + agentId);
                }
                return sockets.nodes()
                        .hostOnNode(workspaceId, agentId, name, nodeId, provider,
                                entry.getValue("session_ref") instanceof String s ? s : null)
                        .invoke(() -> rebound.add(new JsonObject().put("agent_id", agentId).put("name", name)))
                        .replaceWithVoid();
            }));
        }
        // The provider's agents it no longer lists have left this machine (§5.2.1); bindings made over REST stay.
        Set<String> listedIds = new HashSet<>();
        listed.forEach(entry -> listedIds.add(entry.getString("agent_id")));
        Uni<Void> released = chain.flatMap(ignored -> sockets.nodes().hosted(nodeId, provider)).flatMap(bindings -> {
            Uni<Void> exits = Uni.createFrom().voidItem();
            for (var binding : bindings) {
                if (provider != null && provider.equals(binding.provider()) && !listedIds.contains(binding.agentId())) {
                    exits = exits.flatMap(x -> exit(binding.agentId(), binding.agentName(), "missing_from_inventory"));
                }
            }
            return exits;
        });
        return released.flatMap(ignored -> {
            JsonObject data = new JsonObject().put("rebound_agents", rebound)
                    .put("open_invocations", new JsonArray())
                    .put("completed_invocations", new JsonArray())
                    .put("rescheduled_invocations", new JsonArray());
            send(Frames.reply(id, data));
            Uni<Void> starts = Uni.createFrom().voidItem();
            for (Object agent : rebound) {
                JsonObject a = (JsonObject) agent;
                starts = starts.flatMap(x -> sockets.deliveries()
                        .ackCursor(a.getString("agent_id"))
                        .invoke(cursor -> startStream(a.getString("agent_id"), a.getString("name"), cursor))
                        .replaceWithVoid());
            }
            return here(starts).replaceWith((JsonObject) null);
        });
    }

    private Uni<JsonObject> ack(String id, JsonObject frame) {
        String agentName = requiredString(frame, "agent");
        if (!(frame.getValue("up_to_seq") instanceof Number n) || n.longValue() < 0
                || n.doubleValue() != Math.floor(n.doubleValue())) {
            throw new FrameException("invalid_message", "up_to_seq must be an integer >= 0");
        }
        long upTo = n.longValue();
        AgentStream stream = streams.values()
                .stream()
                .filter(s -> s.agentName.equals(agentName))
                .findFirst()
                .orElse(null);
        if (stream == null) {
            throw new FrameException("agent_not_found", "Agent '" + agentName + "' is not hosted on this node");
        }
        if (upTo == 0) {
            return Uni.createFrom().nullItem();
        }
        stream.ackedSeq = Math.max(stream.ackedSeq, upTo);
        writeAcks(stream, id);
        return Uni.createFrom().nullItem();
    }

    /**
     * Writes the agent's highest ack, one write at a time per agent, without holding up the socket's next frame. An SDK
     * acks every frame: when each ack waited for its own write before the next frame was read, a socket's acks fell
     * behind the database under load, and everything keyed to them (write-backs, read receipts) fell behind too. Acks
     * that arrive during a write are folded into the next one (acks are cumulative); a failed write is answered with an
     * error frame when it fails, and the next ack retries it. Other frames wait until the acks before them are written
     * (see {@link #drainInbox}), so a frame that reads the cursor sees them.
     */
    private void writeAcks(AgentStream stream, String frameId) {
        if (stream.ackInFlight || stream.ackedSeq <= stream.ackWritten) {
            return;
        }
        long upTo = stream.ackedSeq;
        stream.ackInFlight = true;
        acksInFlight++;
        here(sockets.acks().ackUpTo(stream.agentId, upTo)).subscribe().with(written -> {
            stream.ackInFlight = false;
            stream.ackWritten = Math.max(stream.ackWritten, upTo);
            writeAcks(stream, frameId);
            ackSettled();
        }, failure -> {
            stream.ackInFlight = false;
            send(errorFor(frameId, failure));
            ackSettled();
        });
    }

    private void ackSettled() {
        acksInFlight--;
        if (acksInFlight == 0) {
            drainInbox();
        }
    }

    // --- delivery streams -------------------------------------------------------------------------------------------

    /** Starts (or restarts) carrying the agent from its ack cursor, replaying what it has not acked. */
    void startStream(String agentId, String agentName) {
        here(sockets.deliveries().ackCursor(agentId)).subscribe()
                .with(cursor -> carry(agentId, agentName, cursor, false),
                        failure -> Log.warnf("node %s: no ack cursor for %s: %s", nodeId, agentId,
                                failure.getMessage()));
    }

    /** Restarts the agent's stream from the cursor: an agent (re)registered or synced gets its whole replay again. */
    private void startStream(String agentId, String agentName, long cursor) {
        carry(agentId, agentName, cursor, true);
    }

    /**
     * Carries the agent from {@code cursor}. A stream that already exists keeps its position unless {@code restart}
     * (a register, recover or sync asks for the replay again); otherwise a replay and a nudge racing each other would
     * send the same rows twice.
     */
    private void carry(String agentId, String agentName, long cursor, boolean restart) {
        AgentStream stream = streams.get(agentId);
        if (stream == null || (restart && !stream.running)) {
            stream = new AgentStream(agentId, agentName, cursor);
            streams.put(agentId, stream);
        }
        sockets.carrying(this, agentId);
        pump(stream);
    }

    /**
     * New rows for an agent this socket carries: send what is due (called on this context). A cursor-negotiating
     * provider carries the agents it registered, recovered or synced only once it has had their cursor; agents bound to
     * the node by REST ({@code viaProvider} false) were never negotiated and are carried at once.
     */
    void nudge(String agentId, String agentName, boolean viaProvider) {
        AgentStream stream = streams.get(agentId);
        if (stream == null) {
            if (registered && (!cursorCapable || !viaProvider)) {
                startStream(agentId, agentName);
            }
            return;
        }
        pump(stream);
    }

    /**
     * A row just created for an agent this socket carries (see {@link NodeSockets#sendNew}): written as it is when the
     * agent's stream is idle and the row is the next seq due, which spares reading it back. Anything else (a send or
     * replay in progress, a gap, a row out of order) is left to the pump, which reads what is due from the database,
     * so the order and the at-least-once rules stay the pump's; a row this socket cannot take (it closed, or stopped
     * carrying the agent) is routed again.
     */
    void offer(Delivery row) {
        AgentStream stream = streams.get(row.agentId());
        if (stream == null || gone()) {
            sockets.replay(List.of(row.agentId())).subscribe().with(ignored -> {
            }, failure -> Log.warnf("node %s: routing delivery %s again failed: %s", nodeId, row.id(),
                    failure.getMessage()));
            return;
        }
        if (stream.running || row.seq() != stream.sentSeq + 1 || writeQueueFull()) {
            pump(stream);
            return;
        }
        stream.running = true;
        stream.again = false;
        sockets.sentDirectly();
        send(stream, List.of(row), 0, new ArrayList<>());
    }

    boolean carries(String agentId) {
        return streams.containsKey(agentId);
    }

    Set<String> agentIds() {
        return new HashSet<>(streams.keySet());
    }

    private void pump(AgentStream stream) {
        if (closed) {
            return;
        }
        if (stream.running) {
            stream.again = true;
            return;
        }
        stream.running = true;
        stream.again = false;
        here(sockets.deliveries().pending(stream.agentId, stream.sentSeq, PAGE)).subscribe()
                .with(rows -> send(stream, rows, 0, new ArrayList<>()), failure -> {
                    stream.running = false;
                    Log.warnf("node %s: reading deliveries of %s failed: %s", nodeId, stream.agentId,
                            failure.getMessage());
                });
    }

    /** Sends rows in seq order, stopping at the first write that fails; marks the written ones delivered. */
    private void send(AgentStream stream, List<Delivery> rows, int index, List<DeliveredWriter.Written> written) {
        if (index == rows.size() || gone() || writeQueueFull()) {
            // The stream moves on without waiting for the write-back: what it sends next is chosen by sentSeq, not by
            // a row's status, so the next row can go out while these are still being marked delivered. A failed
            // write-back leaves the rows queued (an ack still settles them); the stream has already passed them.
            here(sockets.delivered().markDelivered(written, () -> stream.ackedSeq)).subscribe().with(ignored -> {
            }, failure -> Log.warnf("node %s: marking deliveries delivered failed: %s", nodeId, failure.getMessage()));
            stream.running = false;
            // Read after clearing `running`: a nudge while the rows were being written only set `again`.
            boolean more = rows.size() == PAGE || stream.again;
            if (more && !gone() && index == rows.size() && !writeQueueFull()) {
                pump(stream);
            } else if (writeQueueFull()) {
                socket.drainHandler(ignored2 -> pump(stream));
            }
            return;
        }
        Delivery row = rows.get(index);
        JsonObject data = new JsonObject(row.data());
        String mode = "steer".equals(row.injectionMode()) ? "steer" : "wait";
        Future<Void> write = socket.writeTextMessage(Frames.deliver(row.id(), row.agentId(), stream.agentName,
                row.messageId(), row.seq(), mode, row.eventType(), data).encode());
        write.onComplete(result -> context.runOnContext(ignored -> {
            if (result.succeeded()) {
                stream.sentSeq = row.seq();
                written.add(new DeliveredWriter.Written(row.id(), row.seq()));
                send(stream, rows, index + 1, written);
            } else {
                Log.infof("node %s: deliver %s failed (%s); the rest waits for the next replay", nodeId, row.id(),
                        result.cause().getMessage());
                send(stream, rows, rows.size(), written);
            }
        }));
    }

    /** Closed by us, or by the peer before the close handler has run (Vert.x refuses writes to a closed socket). */
    private boolean gone() {
        return closed || socket.isClosed();
    }

    /** Whether writes must wait for the socket to drain; never asks a closed socket, which would throw. */
    private boolean writeQueueFull() {
        return !socket.isClosed() && socket.writeQueueFull();
    }

    /** An ephemeral seq-0 `deliver` (message.read, message.reacted) for an agent this socket carries (§6.8). */
    void sendEphemeral(String agentId, String eventType, String eventId, String messageId, JsonObject data) {
        AgentStream stream = streams.get(agentId);
        if (stream == null) {
            return;
        }
        send(Frames.deliver("evt_" + eventId + "_" + agentId, agentId, stream.agentName, messageId, 0, "wait",
                eventType, data));
    }

    // --- writes and close -------------------------------------------------------------------------------------------

    void send(JsonObject frame) {
        if (!closed) {
            socket.writeTextMessage(frame.encode());
        }
    }

    /** Closes with a catalogued code and reason (at most 123 bytes, as a close frame allows). */
    void close(CloseCode code) {
        if (!closed) {
            Log.infof("node.socket_closed node=%s workspace=%s connection=%s code=%d reason=%s", nodeId, workspaceId,
                    connectionId, code.code(), code.reason());
            closed = true;
            socket.close((short) code.code(), code.reason());
        }
    }

    void markClosed() {
        closed = true;
    }

    boolean closed() {
        return closed;
    }

    Node node() {
        return node;
    }

    private static String generatedId() {
        return "srv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static String requiredString(JsonObject frame, String key) {
        if (!(frame.getValue(key) instanceof String value) || value.isBlank()) {
            throw new FrameException("invalid_message", key + " must be a non-empty string");
        }
        return value;
    }

    private static Integer nonNegative(JsonObject frame, String key) {
        Object value = frame.getValue(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer i) || i < 0) {
            throw new FrameException("invalid_message", key + " must be an integer >= 0");
        }
        return i;
    }

    private static List<String> strings(Object value, String key) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array) || array.stream().anyMatch(item -> !(item instanceof String))) {
            throw new FrameException("invalid_message", key + " must be an array of strings");
        }
        return array.stream().map(String.class::cast).toList();
    }

    private static List<Map<String, Object>> capabilities(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw new FrameException("invalid_message", "capabilities must be an array");
        }
        Function<Object, Map<String, Object>> one = item -> {
            if (item instanceof String name) {
                return Map.of("name", name);
            }
            if (item instanceof JsonObject object && object.getValue("name") instanceof String) {
                return object.getMap();
            }
            throw new FrameException("invalid_message", "each capability needs a string name");
        };
        return array.stream().map(one).toList();
    }

    @Override
    public String toString() {
        return "node " + nodeId + " provider " + provider + " (" + connectionId + ")";
    }
}
