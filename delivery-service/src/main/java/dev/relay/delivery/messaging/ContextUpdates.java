package dev.relay.delivery.messaging;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.event.EventTypes;
import dev.relay.delivery.service.DeliveryStore.Recipient;
import dev.relay.delivery.service.NodeService;
import dev.relay.delivery.service.NodeService.Binding;
import dev.relay.delivery.ws.NodeSockets;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Pushes the workspace's ephemeral events to ws nodes as `context.update` frames (contract §5.2.2, §6.8, §8.2): one
 * frame per node socket naming the recipients it hosts, best effort (no row, no ack, no retry). Channel and thread
 * events reach the channel's members, agent-scoped events their agent, presence every node with active bindings in
 * the workspace. Durable and seq-0 types never travel this way.
 */
@ApplicationScoped
public class ContextUpdates {

    static final String CHANNEL = "channel";
    static final String THREAD = "thread";
    static final String AGENT = "agent";
    static final String PRESENCE = "presence";

    private final NodeService nodes;
    private final NodeSockets sockets;

    ContextUpdates(NodeService nodes, NodeSockets sockets) {
        this.nodes = nodes;
        this.sockets = sockets;
    }

    /**
     * The topic an event type is pushed under, or null when nodes never get it as a context update: durable and
     * seq-0 types, `action.invoked` (an `action.invoke` frame) and workspace-wide events (channel.created, file,
     * harness, node status, agent exits), which reach only the observer stream and the log (§8.2).
     */
    static String topic(String type) {
        if (type == null || EventTypes.isMessageBearing(type) || EventTypes.isNodeDurable(type)
                || EventTypes.ACTION_DENIED.equals(type)) {
            return null;
        }
        if (type.startsWith("thread.")) {
            return THREAD;
        }
        if (type.startsWith(EventTypes.AGENT_STATUS_PREFIX)) {
            return PRESENCE;
        }
        if (type.startsWith("member.") || type.equals(EventTypes.CHANNEL_UPDATED)
                || type.equals(EventTypes.CHANNEL_ARCHIVED)) {
            return CHANNEL;
        }
        if (type.startsWith("delivery.") || type.equals(EventTypes.ACTION_COMPLETED)
                || type.equals(EventTypes.ACTION_FAILED)) {
            return AGENT;
        }
        return null;
    }

    /** Pushes one stream entry of a type {@link #topic} names; a failure is logged and dropped (best effort). */
    Uni<Void> push(Map<String, String> entry) {
        String type = entry.get("type");
        String topic = topic(type);
        return Uni.createFrom()
                .deferred(() -> {
                    JsonObject data = entry.get("data") == null ? new JsonObject() : new JsonObject(entry.get("data"));
                    return audience(topic, entry, data).invoke(bindings -> send(topic, type, entry, data, bindings));
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("context.update %s of event %s not pushed: %s", type, entry.get("event_id"),
                            failure.getMessage());
                    return null;
                });
    }

    /** Where the recipients are: their active bindings. */
    private Uni<List<Binding>> audience(String topic, Map<String, String> entry, JsonObject data) {
        List<String> agentIds = switch (topic) {
            case PRESENCE -> null;
            case AGENT -> data.getValue("agent_id") instanceof String agentId ? List.of(agentId) : List.of();
            default -> EventConsumer.recipients(entry.get("recipients")).stream().map(Recipient::agentId).toList();
        };
        if (agentIds == null) {
            return nodes.hostedOnline(entry.get("workspace_id"));
        }
        return agentIds.isEmpty() ? Uni.createFrom().item(List.of()) : nodes.locate(agentIds);
    }

    /** One frame per ws node socket (node and provider), naming the recipients it hosts. */
    private void send(String topic, String type, Map<String, String> entry, JsonObject data, List<Binding> bindings) {
        Map<List<String>, JsonArray> bySocket = new LinkedHashMap<>();
        for (Binding binding : bindings) {
            if ("ws".equals(binding.nodeKind())) {
                bySocket.computeIfAbsent(Arrays.asList(binding.nodeId(), binding.provider()),
                        key -> new JsonArray()).add(binding.agentId());
            }
        }
        if (bySocket.isEmpty()) {
            return;
        }
        JsonObject raw = rawData(topic, data);
        String channelId = channelId(topic, entry, data);
        bySocket.forEach((socket, agentIds) -> sockets.sendToNode(socket.get(0), socket.get(1), new JsonObject()
                .put("v", 1)
                .put("type", "context.update")
                .put("topic", topic)
                .put("event", type)
                .put("channel_id", channelId)
                .put("agent_ids", agentIds)
                .put("data", raw)));
    }

    /**
     * The raw event data; channel and thread events carry the channel's name as both `channel` and `channel_name`,
     * because the SDK's node transform passes the raw data through as the event (§8.2).
     */
    private static JsonObject rawData(String topic, JsonObject data) {
        if (!topic.equals(CHANNEL) && !topic.equals(THREAD)) {
            return data;
        }
        String name = data.getValue("channel_name") instanceof String n
                ? n
                : data.getValue("channel") instanceof String c ? c : null;
        if (name != null) {
            if (!data.containsKey("channel")) {
                data.put("channel", name);
            }
            if (!data.containsKey("channel_name")) {
                data.put("channel_name", name);
            }
        }
        return data;
    }

    private static String channelId(String topic, Map<String, String> entry, JsonObject data) {
        if (!topic.equals(CHANNEL) && !topic.equals(THREAD)) {
            return null;
        }
        String fromEntry = entry.get("channel_id");
        if (fromEntry != null && !fromEntry.isBlank()) {
            return fromEntry;
        }
        return data.getValue("channel_id") instanceof String id ? id : null;
    }
}
