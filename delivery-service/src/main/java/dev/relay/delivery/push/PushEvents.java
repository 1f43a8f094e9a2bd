package dev.relay.delivery.push;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.service.Json;
import dev.relay.delivery.service.NodeService;
import io.quarkus.logging.Log;
import io.vertx.core.json.JsonObject;

/**
 * Ephemeral events for agents hosted on http_push nodes (contract §6.7, §6.8): one POST per node naming its recipients
 * in `agent_ids`, with the node's auth headers but no `X-Relaycast-Delivery`. Best effort: no row, no retry.
 */
@ApplicationScoped
class PushEvents {

    private final NodeService nodes;
    private final PushClient client;
    private final Clock clock;

    PushEvents(NodeService nodes, PushClient client, Clock clock) {
        this.nodes = nodes;
        this.client = client;
        this.clock = clock;
    }

    void post(String workspaceId, String type, String channelId, JsonObject data, List<String> agentIds) {
        nodes.locate(agentIds).subscribe().with(bindings -> {
            Map<String, List<String>> byNode = new LinkedHashMap<>();
            bindings.stream()
                    .filter(binding -> "http_push".equals(binding.nodeKind()))
                    .forEach(binding -> byNode.computeIfAbsent(binding.nodeId(), id -> new ArrayList<>())
                            .add(binding.agentId()));
            byNode.forEach((nodeId, recipients) -> postTo(nodeId, workspaceId, type, channelId, data, recipients));
        }, failure -> Log.warnf("%s: locating http_push recipients failed: %s", type, failure.getMessage()));
    }

    private void postTo(String nodeId, String workspaceId, String type, String channelId, JsonObject data,
            List<String> recipients) {
        nodes.byId(nodeId)
                .map(node -> PushConfig.of(Json.object(node.delivery())))
                .flatMap(config -> {
                    PushRequest request = PushRequest.ephemeral(type, workspaceId, channelId, recipients, data,
                            config.auth(), clock.instant());
                    return client.post(config.url(), request.headers(), request.body());
                })
                .subscribe()
                .with(answer -> {
                    if (answer.status() < 200 || answer.status() >= 300) {
                        Log.debugf("%s to node %s answered HTTP %d; ephemeral events are not retried", type, nodeId,
                                answer.status());
                    }
                }, failure -> Log.debugf("%s to node %s failed: %s; ephemeral events are not retried", type, nodeId,
                        failure.getMessage()));
    }
}
