package dev.relay.common.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The success envelope {@code {"ok":true,"data":…}}; without data it is just {@code {"ok":true}}, which the SDK
 * accepts for heartbeat and disconnect.
 */
public record Success<T>(boolean ok, @JsonInclude(JsonInclude.Include.NON_NULL) T data) implements Envelope {

    public Success {
        if (!ok) {
            throw new IllegalArgumentException("a success envelope has ok=true");
        }
    }

    public static <T> Success<T> of(T data) {
        return new Success<>(true, data);
    }
}
