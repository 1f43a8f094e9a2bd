package dev.relay.workspace;

import dev.relay.common.boot.Preflight;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Entry point of workspace-service, owner of workspaces, agents, channels, messages and the event log: checks that PostgreSQL and Redis answer, then boots Quarkus. */
@QuarkusMain
public final class WorkspaceServiceMain {

    private WorkspaceServiceMain() {
    }

    public static void main(String... args) {
        Preflight.verifyOrExit("workspace-service");
        Quarkus.run(args);
    }
}
