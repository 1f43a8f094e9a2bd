package dev.relay.delivery.service;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.service.DeliveryStore.Delivery;
import io.smallrye.mutiny.Uni;

/**
 * Acknowledging one delivery (contract §6.5 single ack): only that row becomes `acked`, the cursor stays, and the agent
 * hears `delivery.delivered` when the row changed. One path for the agent's `POST /v1/deliveries/:id/ack` and for an
 * http_push receiver whose answer acknowledges the POST.
 */
@ApplicationScoped
public class DeliveryAcks {

    private final DeliveryStore store;
    private final DeliveryEvents events;
    private final ReadReceipts receipts;

    DeliveryAcks(DeliveryStore store, DeliveryEvents events, ReadReceipts receipts) {
        this.store = store;
        this.events = events;
        this.receipts = receipts;
    }

    /** Acks the agent's row; answers it and whether it changed (404 `delivery_not_found` when there is none). */
    public Uni<Map.Entry<Delivery, Boolean>> ackOne(String agentId, String deliveryId) {
        return store.ackOne(agentId, deliveryId)
                .call(result -> result.getValue() ? events.delivered(result.getKey()) : Uni.createFrom().voidItem())
                .invoke(result -> {
                    if (result.getValue()) {
                        receipts.acked(result.getKey().workspaceId(), agentId, List.of(result.getKey().messageId()));
                    }
                });
    }
}
