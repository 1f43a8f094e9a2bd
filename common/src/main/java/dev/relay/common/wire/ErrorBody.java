package dev.relay.common.wire;

/** The {@code error} object of a {@link Failure}: a stable snake_case code and a human-readable message. */
public record ErrorBody(String code, String message) {
}
