package dev.relay.auth;

import dev.relay.common.boot.Preflight;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Entry point of auth-service, owner of every credential: checks that PostgreSQL and Redis answer, then boots Quarkus. */
@QuarkusMain
public final class AuthServiceMain {

    private AuthServiceMain() {
    }

    public static void main(String... args) {
        Preflight.verifyOrExit("auth-service");
        Quarkus.run(args);
    }
}
