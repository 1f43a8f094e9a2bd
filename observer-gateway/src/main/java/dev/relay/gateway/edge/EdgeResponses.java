package dev.relay.gateway.edge;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.json.RelayJson;
import dev.relay.common.wire.Failure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Writes the contract's error envelope from Vert.x handlers, where no JAX-RS exception mapper runs. */
final class EdgeResponses {

    private EdgeResponses() {
    }

    static void fail(HttpServerResponse response, ErrorCode code, String message) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(code.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(json(Failure.of(code.code(), message)));
    }

    static String json(Object body) {
        try {
            return RelayJson.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }
}
