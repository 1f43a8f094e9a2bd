package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.service.PresenceReports;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * How node sockets' signs of life are batched (contract §9): every agent the sockets of a workspace carry goes into one
 * report per workspace per flush, and an agent no live socket carries any more (its socket closed, or it left the
 * node) is not reported, even when its heartbeat came before. The flush timer is off; the test flushes.
 */
@QuarkusTest
@TestProfile(PresenceBatchTest.ManualFlush.class)
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class PresenceBatchTest {

    /** No flush timer: reports leave only when the test flushes. */
    public static class ManualFlush implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.delivery.presence-reports-every", "off");
        }
    }

    @Inject
    PresenceReports reports;

    private Ws ws;
    private Agent ada;
    private Agent bob;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    private static List<List<String>> reported(Ws ws) {
        return StandInWorkspaceService.presenceReports(ws.id());
    }

    /** Flushes until every one of the agents has been reported since the socket started carrying it. */
    private void awaitCarried(Ws ws, String... agentIds) {
        Await.until("the sockets to carry " + List.of(agentIds), () -> {
            reports.flush().await().atMost(Duration.ofSeconds(20));
            Set<String> seen = new HashSet<>();
            reported(ws).forEach(seen::addAll);
            return seen.containsAll(List.of(agentIds));
        });
    }

    /** The reports of the workspace the next flush sends. */
    private List<List<String>> flushed(Ws ws) {
        int before = reported(ws).size();
        reports.flush().await().atMost(Duration.ofSeconds(20));
        List<List<String>> all = reported(ws);
        return all.subList(before, all.size());
    }

    private static void heartbeat(NodeSocket socket, NodeCredential node) {
        socket.send(new JsonObject().put("v", 1).put("type", "node.heartbeat").put("node_id", node.nodeId()));
        // Frames are handled in order: the pong says the heartbeat has been.
        JsonObject pong = socket.request(new JsonObject().put("v", 1).put("id", "hb-done").put("type", "ping"));
        assertThat(pong.encode(), pong.getString("type"), equalTo("pong"));
    }

    @Test
    void everyAgentTheSocketsOfAWorkspaceCarryGoesIntoOneReport() {
        Ws other = Fixtures.workspace();
        Agent carol = Fixtures.agent(other, "carol");
        NodeCredential adaNode = Fixtures.directNode(ada);
        NodeCredential bobNode = Fixtures.directNode(bob);
        NodeCredential carolNode = Fixtures.directNode(carol);
        NodeCredential fleet = Fixtures.enrol(ws, Map.of("name", "fleet"));
        try (NodeSocket adaSocket = Fixtures.connectDirect(adaNode);
                NodeSocket bobSocket = Fixtures.connectDirect(bobNode);
                NodeSocket carolSocket = Fixtures.connectDirect(carolNode);
                NodeSocket brokerSocket = Fixtures.connectBroker(fleet)) {
            String w1 = Fixtures.registerWorker(brokerSocket, "worker-1");
            String w2 = Fixtures.registerWorker(brokerSocket, "worker-2");
            awaitCarried(ws, ada.id(), bob.id(), w1, w2);
            awaitCarried(other, carol.id());
            assertEquals(List.of(), flushed(ws), "nothing is reported twice without a new sign of life");

            heartbeat(adaSocket, adaNode);
            heartbeat(bobSocket, bobNode);
            heartbeat(carolSocket, carolNode);
            heartbeat(brokerSocket, fleet);
            heartbeat(adaSocket, adaNode);
            int otherBefore = reported(other).size();

            List<List<String>> sent = flushed(ws);
            assertEquals(1, sent.size(), "one request for the workspace: " + sent);
            assertThat(sent.get(0), containsInAnyOrder(ada.id(), bob.id(), w1, w2));
            assertEquals(List.of(List.of(carol.id())), reported(other).subList(otherBefore, reported(other).size()));
        }
    }

    @Test
    void anAgentNoLiveSocketCarriesIsNotReported() {
        NodeCredential adaNode = Fixtures.directNode(ada);
        NodeCredential bobNode = Fixtures.directNode(bob);
        NodeCredential fleet = Fixtures.enrol(ws, Map.of("name", "fleet"));
        NodeSocket adaSocket = Fixtures.connectDirect(adaNode);
        try (NodeSocket bobSocket = Fixtures.connectDirect(bobNode);
                NodeSocket brokerSocket = Fixtures.connectBroker(fleet)) {
            String w1 = Fixtures.registerWorker(brokerSocket, "worker-1");
            String w2 = Fixtures.registerWorker(brokerSocket, "worker-2");
            awaitCarried(ws, ada.id(), bob.id(), w1, w2);

            heartbeat(adaSocket, adaNode);
            heartbeat(bobSocket, bobNode);
            heartbeat(brokerSocket, fleet);
            // ada's socket closes and worker-1 leaves its node after their heartbeats, before the flush.
            Fixtures.disconnect(adaSocket, ws, adaNode.nodeName());
            brokerSocket.send(new JsonObject().put("v", 1)
                    .put("type", "agent.deregister")
                    .put("agent_id", w1)
                    .put("name", "worker-1"));
            Await.until("worker-1 offline", () -> "offline".equals(StandInWorkspaceService.agent(ws.id(), "worker-1")
                    .orElseThrow()
                    .status()));

            List<String> sent = new ArrayList<>();
            flushed(ws).forEach(sent::addAll);
            assertThat(sent, containsInAnyOrder(bob.id(), w2));
            assertEquals("offline", StandInWorkspaceService.agent(ws.id(), "ada").orElseThrow().status());
        }
    }
}
