package dev.relay.common.wire;

/**
 * The contract's response envelope (§1.3): every JSON response body is either a {@link Success} or a
 * {@link Failure}, told apart by the boolean {@code ok} the SDK checks first.
 */
public sealed interface Envelope permits Success, Failure {

    /** {@code true} for a success body, {@code false} for an error body. */
    boolean ok();
}
