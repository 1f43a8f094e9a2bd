package dev.relay.delivery.push;

import java.util.Arrays;
import java.util.Optional;

/** When a POSTed delivery counts as done (contract §6.7): the receiver acks later, any 2xx, or its 2xx answer says so. */
public enum AckMode {
    MANUAL("manual"),
    ON_2XX("on_2xx"),
    RESPONSE("response");

    private final String wire;

    AckMode(String wire) {
        this.wire = wire;
    }

    static Optional<AckMode> of(String wire) {
        return Arrays.stream(values()).filter(mode -> mode.wire.equals(wire)).findFirst();
    }

    public String wire() {
        return wire;
    }
}
