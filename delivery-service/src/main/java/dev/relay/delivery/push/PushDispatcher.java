package dev.relay.delivery.push;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.service.DeliveryAcks;
import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.Delivery;
import dev.relay.delivery.service.Json;
import dev.relay.delivery.service.NodeService;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Delivers rows routed to http_push nodes (contract §6.4, §6.7): each new row is POSTed right after its write, in the
 * background, and {@link PushSweep} POSTs again the queued rows whose retry is due, until they are settled or their
 * TTL dead-letters them. Every POST is preceded by a claim on the row, so however many dispatchers run (replicas, the
 * first dispatch and a sweep) a row is POSTed by one of them at a time, once per retry interval.
 */
@ApplicationScoped
public class PushDispatcher {

    private static final String HTTP_PUSH = "http_push";

    private final PushRows rows;
    private final PushClient client;
    private final PushEvents pushEvents;
    private final NodeService nodes;
    private final DeliveryStore store;
    private final DeliveryAcks acks;
    private final Clock clock;
    private final PushSettings settings;

    PushDispatcher(PushRows rows, PushClient client, PushEvents pushEvents, NodeService nodes, DeliveryStore store,
            DeliveryAcks acks, Clock clock, PushSettings settings) {
        this.rows = rows;
        this.client = client;
        this.pushEvents = pushEvents;
        this.nodes = nodes;
        this.store = store;
        this.acks = acks;
        this.clock = clock;
        this.settings = settings;
    }

    /** What one dispatch did: POSTed and settled, POSTed and failed, or left the row to whoever claimed it. */
    public enum Outcome {
        SETTLED,
        FAILED,
        NOT_CLAIMED
    }

    /** New rows: those routed to an http_push node are POSTed now, in the background (the sweep covers a crash). */
    public void dispatchNew(List<Delivery> created) {
        created.stream().filter(PushDispatcher::routedToPush).forEach(row -> dispatch(row).subscribe().with(ignored -> {
        }, failure -> Log.warnf("delivery %s: push dispatch failed: %s", row.id(), failure.getMessage())));
    }

    /** Ephemeral events (§6.7, §6.8) for the recipients on http_push nodes, best effort. */
    public void ephemeral(String workspaceId, String type, String channelId, JsonObject data, List<String> agentIds) {
        pushEvents.post(workspaceId, type, channelId, data, agentIds);
    }

    /** Claims the row as read and, when this dispatcher won it, POSTs it and settles the outcome. */
    Uni<Outcome> dispatch(Delivery row) {
        return rows.claim(row, clock.instant().plus(lease()))
                .flatMap(claimed -> claimed.isEmpty()
                        ? Uni.createFrom().item(Outcome.NOT_CLAIMED)
                        : post(claimed.get()));
    }

    /**
     * The claim holds the row until its retry is due, and outlives the longest POST, so a slow receiver's row is
     * never claimed again mid-flight.
     */
    private Duration lease() {
        Duration longest = settings.timeout().plusSeconds(5);
        return longest.compareTo(settings.retryAfter()) > 0 ? longest : settings.retryAfter();
    }

    private Uni<Outcome> post(Delivery row) {
        return nodes.byId(row.row().getString("route_node_id"))
                .map(node -> PushConfig.of(Json.object(node.delivery())))
                .flatMap(config -> {
                    PushRequest request = PushRequest.delivery(row, config.auth(), clock.instant());
                    return client.post(config.url(), request.headers(), request.body())
                            .flatMap(answer -> settle(row, config.ackMode(), answer));
                })
                .onFailure()
                .recoverWithUni(failure -> failed(row, failure.getMessage()));
    }

    /** A 2xx answer settles the row by the node's ack mode; anything else is a failure, retried. */
    private Uni<Outcome> settle(Delivery row, AckMode mode, PushClient.Answer answer) {
        int status = answer.status();
        if (status >= 300 && status < 400) {
            return failed(row, "redirect not followed (HTTP " + status + ")");
        }
        if (status < 200 || status >= 300) {
            return failed(row, "HTTP " + status);
        }
        return switch (mode) {
            case MANUAL -> store.markDelivered(List.of(row.id())).replaceWith(Outcome.SETTLED);
            case ON_2XX -> acks.ackOne(row.agentId(), row.id()).replaceWith(Outcome.SETTLED);
            case RESPONSE -> acknowledges(answer)
                    ? acks.ackOne(row.agentId(), row.id()).replaceWith(Outcome.SETTLED)
                    : failed(row, "HTTP " + status + " did not acknowledge: the response ack mode needs a JSON "
                            + "body {\"ack\":true} or {\"delivery_status\":\"acked\"}");
        };
    }

    /** A JSON answer `{"ack": true}` or `{"delivery_status": "acked"}`. */
    private static boolean acknowledges(PushClient.Answer answer) {
        if (answer.body() == null || answer.contentType() == null
                || !answer.contentType().toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return false;
        }
        try {
            JsonObject body = new JsonObject(answer.body());
            return Boolean.TRUE.equals(body.getValue("ack")) || "acked".equals(body.getValue("delivery_status"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Uni<Outcome> failed(Delivery row, String error) {
        Log.infof("delivery.push_failed delivery=%s node=%s attempt=%d error=%s", row.id(),
                row.row().getString("route_node_id"), row.row().getInteger("dispatch_attempts"), error);
        return rows.failed(row.id(), error).replaceWith(Outcome.FAILED);
    }

    private static boolean routedToPush(Delivery row) {
        return HTTP_PUSH.equals(row.row().getString("route_node_kind"));
    }
}
