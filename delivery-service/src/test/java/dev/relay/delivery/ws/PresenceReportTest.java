package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.standin.StandInWorkspaceService.Call;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * An agent carried by a node socket is a sign of life whenever its node heartbeats (contract §9): the socket reports
 * it to workspace-service on the flush timer, and the offline bookkeeping of a node that goes away waits for a report
 * already on its way, so that the report cannot bring the agent back.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class PresenceReportTest {

    /** Longer than a flush interval (2 s): a report due by then has been sent. */
    private static final Duration PAST_A_FLUSH = Duration.ofMillis(2_500);

    private Ws ws;
    private Agent ada;

    @BeforeEach
    void agent() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
    }

    @AfterEach
    void answerAtOnce() {
        StandInWorkspaceService.delayPresenceAnswers(Duration.ZERO);
    }

    private List<List<String>> reports() {
        return StandInWorkspaceService.presenceReports(ws.id());
    }

    @Test
    void aHeartbeatReportsTheAgentItsSocketCarries() throws InterruptedException {
        NodeCredential node = Fixtures.directNode(ada);
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            Await.until("the agent to be reported when its socket starts carrying it",
                    () -> reports().contains(List.of(ada.id())));
            int before = reports().size();
            Thread.sleep(PAST_A_FLUSH.toMillis());
            assertEquals(before, reports().size(), "no report without a heartbeat: " + reports());

            socket.send(new JsonObject().put("v", 1)
                    .put("type", "node.heartbeat")
                    .put("node_id", node.nodeId())
                    .put("active_agents", 1));

            Await.until("the heartbeat to report the agent", () -> reports().size() > before);
            assertEquals(List.of(ada.id()), reports().get(before));
        }
    }

    @Test
    void aNodeGoingAwayWaitsForTheReportOnItsWayBeforeTheAgentGoesOffline() {
        StandInWorkspaceService.delayPresenceAnswers(Duration.ofMillis(1_500));
        NodeCredential node = Fixtures.directNode(ada);
        NodeSocket socket = Fixtures.connectDirect(node);
        Await.until("a report in flight", () -> !reports().isEmpty());

        socket.close();

        Await.until("ada offline", () -> "offline".equals(StandInWorkspaceService.agent(ws.id(), "ada")
                .orElseThrow()
                .status()));
        List<Instant> answers = StandInWorkspaceService.presenceAnswers(ws.id());
        assertFalse(answers.isEmpty(), "ada went offline while the report was still in flight");
        Instant answered = answers.get(0);
        Call offline = StandInWorkspaceService.calls("/internal/workspaces/" + ws.id() + "/agents/ada/status")
                .get(0);
        assertThat(offline.body().getString("status"), equalTo("offline"));
        assertThat("the offline status arrived after the report was answered", offline.at(),
                greaterThanOrEqualTo(answered));
    }
}
