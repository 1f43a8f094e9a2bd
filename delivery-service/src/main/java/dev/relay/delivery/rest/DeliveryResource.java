package dev.relay.delivery.rest;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Principal;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.delivery.service.DeliveryAcks;
import dev.relay.delivery.service.DeliveryEvents;
import dev.relay.delivery.service.DeliveryExpiry;
import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.Delivery;
import io.smallrye.mutiny.Uni;

/** The agent's own durable deliveries over HTTP (contract §3.9): list, and ack, fail or defer one. */
@Path("/v1/deliveries")
public class DeliveryResource {

    private static final List<String> STATUSES = List.of("queued", "delivered", "acked", "failed", "dead_lettered");
    private static final String INVALID_QUERY = "Invalid status or limit";

    private final DeliveryStore store;
    private final DeliveryAcks acks;
    private final DeliveryEvents events;
    private final DeliveryExpiry expiry;
    private final Caller caller;
    private final ObjectMapper mapper;

    DeliveryResource(DeliveryStore store, DeliveryAcks acks, DeliveryEvents events, DeliveryExpiry expiry,
            Caller caller, ObjectMapper mapper) {
        this.store = store;
        this.acks = acks;
        this.events = events;
        this.expiry = expiry;
        this.caller = caller;
        this.mapper = mapper;
    }

    /** `POST …/fail` body; every field optional, and an empty body is allowed. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FailRequest(String error, Boolean retryable) {
    }

    /** `POST …/defer` body; `available_at` is checked here so any wrong value gets the contract's one message. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DeferRequest(Object availableAt, String reason) {
    }

    @GET
    public Uni<Success<List<Map<String, Object>>>> list(@QueryParam("status") String status,
            @QueryParam("limit") String limit) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        if (status != null && !STATUSES.contains(status)) {
            throw RelayException.badRequest(INVALID_QUERY);
        }
        int size = limit == null ? 100 : limit(limit);
        return expiry.expireFor(agent.subjectId())
                .flatMap(expired -> store.list(agent.subjectId(), status, size))
                .map(rows -> Success.of(rows.stream().map(Delivery::item).toList()));
    }

    @POST
    @Path("/{id}/ack")
    public Uni<Success<Map<String, Object>>> ack(@PathParam("id") String id) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return acks.ackOne(agent.subjectId(), id).map(result -> Success.of(result.getKey().view()));
    }

    @POST
    @Path("/{id}/fail")
    @Consumes(MediaType.WILDCARD)
    public Uni<Success<Map<String, Object>>> fail(@PathParam("id") String id, String body)
            throws JsonProcessingException {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        FailRequest input = body(body, FailRequest.class, new FailRequest(null, null));
        return store.fail(agent.subjectId(), id, input.error(), Boolean.TRUE.equals(input.retryable()))
                .call(result -> result.getValue() ? events.failed(result.getKey()) : Uni.createFrom().voidItem())
                .map(result -> Success.of(result.getKey().view()));
    }

    @POST
    @Path("/{id}/defer")
    @Consumes(MediaType.WILDCARD)
    public Uni<Success<Map<String, Object>>> defer(@PathParam("id") String id, String body)
            throws JsonProcessingException {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        DeferRequest input = body(body, DeferRequest.class, new DeferRequest(null, null));
        Instant availableAt = timestamp(input.availableAt());
        return store.defer(agent.subjectId(), id, availableAt, input.reason())
                .call(result -> result.getValue() ? events.deferred(result.getKey()) : Uni.createFrom().voidItem())
                .map(result -> Success.of(result.getKey().view()));
    }

    /**
     * The JSON body, or {@code empty} when there is none. Read here rather than by JAX-RS so that a body-less POST
     * without a Content-Type is accepted; Jackson's failures reach the shared mappers (`invalid_json`,
     * `invalid_request`).
     */
    private <T> T body(String text, Class<T> type, T empty) throws JsonProcessingException {
        if (text == null || text.isBlank()) {
            return empty;
        }
        T value = mapper.readValue(text, type);
        return value == null ? empty : value;
    }

    /** `limit` 1..200, as the SDK's query schema takes it. */
    private static int limit(String text) {
        try {
            int size = Integer.parseInt(text);
            if (size >= 1 && size <= 200) {
                return size;
            }
        } catch (NumberFormatException e) {
            // falls through to the one message the contract has for every bad query
        }
        throw RelayException.badRequest(INVALID_QUERY);
    }

    private static Instant timestamp(Object value) {
        if (value instanceof String text) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                // falls through
            }
        }
        throw RelayException.badRequest("available_at must be an ISO-8601 timestamp");
    }
}
