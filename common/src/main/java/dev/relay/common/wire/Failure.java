package dev.relay.common.wire;

import java.util.Objects;

/** The error envelope {@code {"ok":false,"error":{"code","message"}}} that the SDK branches on. */
public record Failure(boolean ok, ErrorBody error) implements Envelope {

    public Failure {
        if (ok) {
            throw new IllegalArgumentException("a failure envelope has ok=false");
        }
        Objects.requireNonNull(error, "error");
    }

    public static Failure of(String code, String message) {
        return new Failure(false, new ErrorBody(code, message));
    }
}
