package dev.relay.delivery.ws;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.Outbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** When a node's last socket closes, the agents located on it go offline at workspace-service (contract §5.2.3). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class NodeGoesAwayTest {

    @Inject
    Outbox outbox;

    private Ws ws;
    private NodeCredential broker;

    @BeforeEach
    void broker() {
        ws = Fixtures.workspace();
        broker = Fixtures.enrol(ws, Map.of("name", "fleet"));
    }

    private NodeSocket connect() {
        return Fixtures.connectBroker(broker);
    }

    @Test
    void theAgentsOfANodeThatGoesAwayGoOffline() {
        NodeSocket socket = connect();
        Fixtures.registerWorker(socket, "worker-1");

        Fixtures.disconnect(socket, ws, "fleet");

        Await.until("worker-1 offline",
                () -> "offline".equals(StandInWorkspaceService.agent(ws.id(), "worker-1").orElseThrow().status()));
    }
}
