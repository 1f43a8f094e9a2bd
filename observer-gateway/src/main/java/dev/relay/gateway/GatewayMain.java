package dev.relay.gateway;

import dev.relay.common.boot.Preflight;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Entry point of observer-gateway: checks that Redis answers, then boots Quarkus. */
@QuarkusMain
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(String... args) {
        Preflight.verifyOrExit("observer-gateway");
        Quarkus.run(args);
    }
}
