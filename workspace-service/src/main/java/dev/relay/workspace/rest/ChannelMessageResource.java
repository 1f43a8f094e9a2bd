package dev.relay.workspace.rest;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.RestResponse;

import dev.relay.common.wire.Success;
import dev.relay.workspace.service.Idempotency;
import io.smallrye.mutiny.Uni;

/**
 * `/v1/channels/:name/messages`: its own root path, because JAX-RS never falls back from the more specific
 * `/v1/channels` resource to another class once that one matched the prefix.
 */
@Path("/v1/channels/{name}/messages")
public class ChannelMessageResource {

    private final MessageResource messages;

    ChannelMessageResource(MessageResource messages) {
        this.messages = messages;
    }

    @POST
    public Uni<RestResponse<Success<Map<String, Object>>>> post(@PathParam("name") String channel,
            Map<String, Object> body, @HeaderParam(Idempotency.HEADER) String idempotencyKey) {
        return messages.post(channel, body, idempotencyKey);
    }

    @GET
    public Uni<Success<List<Map<String, Object>>>> history(@PathParam("name") String channel,
            @QueryParam("limit") String limit, @QueryParam("before") String before,
            @QueryParam("after") String after) {
        return messages.history(channel, limit, before, after);
    }
}
