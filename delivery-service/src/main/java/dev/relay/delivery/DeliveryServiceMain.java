package dev.relay.delivery;

import dev.relay.common.boot.Preflight;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Entry point of delivery-service, owner of nodes and durable deliveries: checks that PostgreSQL and Redis answer, then boots Quarkus. */
@QuarkusMain
public final class DeliveryServiceMain {

    private DeliveryServiceMain() {
    }

    public static void main(String... args) {
        Preflight.verifyOrExit("delivery-service");
        Quarkus.run(args);
    }
}
