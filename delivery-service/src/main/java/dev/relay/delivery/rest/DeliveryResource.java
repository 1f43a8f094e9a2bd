package dev.relay.delivery.rest;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Principal;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.delivery.service.DeliveryStore;
import io.smallrye.mutiny.Uni;

/** The agent's own durable deliveries over HTTP (contract §3.9): list, and ack one. */
@Path("/v1/deliveries")
public class DeliveryResource {

    private static final List<String> STATUSES = List.of("queued", "delivered", "acked", "failed", "dead_lettered");

    private final DeliveryStore store;
    private final Caller caller;

    DeliveryResource(DeliveryStore store, Caller caller) {
        this.store = store;
        this.caller = caller;
    }

    @GET
    public Uni<Success<List<Map<String, Object>>>> list(@QueryParam("status") String status,
            @QueryParam("limit") String limit) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        if (status != null && !STATUSES.contains(status)) {
            throw RelayException.badRequest("Invalid status or limit: status must be one of "
                    + String.join(", ", STATUSES));
        }
        int size = 100;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > 200) {
                throw RelayException.badRequest("Invalid status or limit: limit must be an integer from 1 to 200");
            }
        }
        return store.list(agent.subjectId(), status, size)
                .map(rows -> Success.of(rows.stream().map(DeliveryStore.Delivery::item).toList()));
    }

    @POST
    @Path("/{id}/ack")
    public Uni<Success<Map<String, Object>>> ack(@PathParam("id") String id) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return store.ackOne(agent.subjectId(), id).map(result -> Success.of(result.getKey().view()));
    }
}
