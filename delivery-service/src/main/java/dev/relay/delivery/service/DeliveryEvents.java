package dev.relay.delivery.service;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.event.EventTypes;
import dev.relay.delivery.client.WorkspaceClient;
import dev.relay.delivery.service.DeliveryStore.Delivery;
import dev.relay.delivery.service.DeliveryStore.Sender;
import io.smallrye.mutiny.Uni;

/**
 * The `delivery.*` events this service appends to the workspace's log (contract §6.5, §8.1). Each is addressed to the
 * agent it concerns through `agent_id`/`agent_name`, the fields observer filters and agent-scoped routing read: the
 * recipient for its own fail and defer reports, the message's sender for expiry and depth-cap notices.
 */
@ApplicationScoped
public class DeliveryEvents {

    static final String TTL_EXPIRED_ERROR = "delivery TTL expired";
    static final String DEPTH_CAP_ERROR = "mailbox depth cap exceeded";

    private final WorkspaceClient workspaces;

    DeliveryEvents(WorkspaceClient workspaces) {
        this.workspaces = workspaces;
    }

    /** `delivery.delivered {delivery_id, message_id}` to the agent whose HTTP ack changed the row (§6.5). */
    public Uni<Void> delivered(Delivery delivery) {
        return emit(delivery.workspaceId(), EventTypes.DELIVERY_DELIVERED, about(delivery.id(), delivery.messageId()),
                delivery.agentId(), delivery.agentName());
    }

    /** `delivery.failed {delivery_id, message_id, error, retryable}` to the agent that reported the failure. */
    public Uni<Void> failed(Delivery delivery) {
        Map<String, Object> data = about(delivery.id(), delivery.messageId());
        String error = delivery.row().getString("error");
        if (error != null) {
            data.put("error", error); // optional, not nullable, in the SDK's schema
        }
        data.put("retryable", Boolean.TRUE.equals(delivery.row().getBoolean("retryable")));
        return emit(delivery.workspaceId(), EventTypes.DELIVERY_FAILED, data, delivery.agentId(),
                delivery.agentName());
    }

    /** `delivery.deferred {delivery_id, message_id, available_at, reason}` to the agent that deferred the row. */
    public Uni<Void> deferred(Delivery delivery) {
        Map<String, Object> data = about(delivery.id(), delivery.messageId());
        data.put("available_at", delivery.availableAt());
        data.put("reason", delivery.deferReason());
        return emit(delivery.workspaceId(), EventTypes.DELIVERY_DEFERRED, data, delivery.agentId(),
                delivery.agentName());
    }

    /** `delivery.failed` with reason `ttl_expired` to the sender of a message its recipient never acknowledged. */
    public Uni<Void> expired(Delivery delivery) {
        Map<String, Object> data = about(delivery.id(), delivery.messageId());
        data.put("target_agent_id", delivery.agentId());
        data.put("target_agent_name", delivery.agentName());
        data.put("seq", delivery.seq());
        data.put("reason", "ttl_expired");
        data.put("error", TTL_EXPIRED_ERROR);
        data.put("retryable", false);
        return toSender(delivery.workspaceId(), delivery.sender(), data);
    }

    /** `delivery.failed` with reason `depth_cap` (no delivery was made) to the sender of a refused message. */
    public Uni<Void> refused(String workspaceId, String messageId, Sender sender, String targetAgentId,
            String targetAgentName) {
        Map<String, Object> data = about(null, messageId);
        data.put("target_agent_id", targetAgentId);
        data.put("target_agent_name", targetAgentName);
        data.put("reason", "depth_cap");
        data.put("error", DEPTH_CAP_ERROR);
        data.put("retryable", false);
        return toSender(workspaceId, sender, data);
    }

    private Uni<Void> toSender(String workspaceId, Sender sender, Map<String, Object> data) {
        return emit(workspaceId, EventTypes.DELIVERY_FAILED, data, sender.agentId(), sender.agentName());
    }

    private static Map<String, Object> about(String deliveryId, String messageId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("delivery_id", deliveryId);
        data.put("message_id", messageId);
        return data;
    }

    private Uni<Void> emit(String workspaceId, String type, Map<String, Object> data, String agentId,
            String agentName) {
        data.put("agent_id", agentId);
        data.put("agent_name", agentName);
        return workspaces.emit(workspaceId, type, data);
    }
}
