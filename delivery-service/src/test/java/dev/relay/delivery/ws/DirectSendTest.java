package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.MessageEvent;
import dev.relay.delivery.service.DeliveryStore.Recipient;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.Outbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Rows an event just created go straight to the socket carrying their agent when they are the next seq due, and
 * through the pump (read back from the database) otherwise: over real sockets, a burst to overlapping groups reaches
 * every agent once per seq and in seq order, acked frame by frame as the SDK does; an in-order row on an idle stream
 * is written without being read back, and a row after a gap waits for the rows before it.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DirectSendTest {

    @Inject
    Outbox outbox;

    @Inject
    NodeSockets sockets;

    @Inject
    DeliveryStore store;

    @Inject
    Pool pool;

    private Ws ws;
    private Agent sender;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
        sender = Fixtures.agent(ws, "sender");
    }

    @Test
    void aBurstReachesEveryAgentOncePerSeqInOrder() {
        List<Agent> agents = new ArrayList<>();
        List<NodeSocket> connected = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Agent agent = Fixtures.agent(ws, "a" + i);
            agents.add(agent);
            connected.add(Fixtures.connectDirect(Fixtures.directNode(agent)));
        }
        try {
            List<List<Agent>> groups = List.of(agents, agents.subList(0, 2), agents.subList(1, 4),
                    List.of(agents.get(3)), List.of(agents.get(0), agents.get(2)));
            Map<String, List<String>> expected = new LinkedHashMap<>();
            agents.forEach(agent -> expected.put(agent.id(), new ArrayList<>()));
            for (int k = 0; k < 60; k++) {
                String messageId = ws.id() + String.format("%03d", k);
                List<Agent> to = groups.get(k % groups.size());
                outbox.add(Outbox.messageCreated(ws.id(), messageId, sender, "m" + k, to));
                to.forEach(agent -> expected.get(agent.id()).add(messageId));
            }
            for (int i = 0; i < agents.size(); i++) {
                Agent agent = agents.get(i);
                NodeSocket socket = connected.get(i);
                List<String> want = expected.get(agent.id());
                List<Long> seqs = new ArrayList<>();
                List<String> messages = new ArrayList<>();
                for (int n = 0; n < want.size(); n++) {
                    JsonObject deliver = socket.next("deliver");
                    seqs.add(deliver.getLong("seq"));
                    messages.add(deliver.getString("msg_id"));
                    socket.send(ack(agent, deliver.getLong("seq")));
                }
                assertThat(agent.name() + "'s seqs", seqs, equalTo(LongStream.rangeClosed(1, want.size())
                        .boxed()
                        .toList()));
                assertThat(agent.name() + "'s messages", messages, equalTo(want));
                Await.until(agent.name() + "'s rows all acked", () -> count(agent, "acked") == want.size());
                assertThat(agent.name() + " got nothing twice", socket.duplicates(), empty());
                assertThat(agent.name() + " got nothing more", socket.drain(), empty());
            }
        } finally {
            connected.forEach(NodeSocket::close);
        }
    }

    @Test
    void anInOrderRowOnAnIdleStreamIsWrittenWithoutReadingItBack() {
        Agent ada = Fixtures.agent(ws, "ada");
        try (NodeSocket socket = Fixtures.connectDirect(Fixtures.directNode(ada))) {
            // The first row may meet the replay that follows register; what counts starts once it is settled.
            deliverOne(ada, socket, 1);
            long before = sockets.directSends();
            for (int seq = 2; seq <= 6; seq++) {
                deliverOne(ada, socket, seq);
            }
            assertThat("rows written without a read back", sockets.directSends() - before, equalTo(5L));
        }
    }

    @Test
    void aRowAfterAGapWaitsForTheRowsBeforeIt() {
        Agent ada = Fixtures.agent(ws, "ada");
        try (NodeSocket socket = Fixtures.connectDirect(Fixtures.directNode(ada))) {
            deliverOne(ada, socket, 1);
            // Seq 2 is created as the consumer would, but nobody tells the socket (a lost hand-over): a gap.
            String data = new JsonObject().put("id", ws.id() + 2).put("text", "m2").encode();
            store.create(new MessageEvent("evt_gap_" + ws.id(), ws.id(), "message.created", null, ws.id() + 2, data,
                    "wait", List.of(new Recipient(ada.id(), ada.name(), "message")))).await().indefinitely();
            long before = sockets.directSends();
            outbox.add(Outbox.messageCreated(ws.id(), ws.id() + 3, sender, "m3", List.of(ada)));

            assertThat(socket.next("deliver").getLong("seq"), equalTo(2L));
            assertThat(socket.next("deliver").getLong("seq"), equalTo(3L));
            assertThat("seq 3 waited for seq 2, read back", sockets.directSends() - before, equalTo(0L));
        }
    }

    /** Sends the agent its message {@code seq} and waits until the socket has it and the row is marked delivered. */
    private void deliverOne(Agent agent, NodeSocket socket, int seq) {
        outbox.add(Outbox.messageCreated(ws.id(), ws.id() + seq, sender, "m" + seq, List.of(agent)));
        JsonObject deliver = socket.next("deliver");
        assertThat(deliver.getLong("seq"), equalTo((long) seq));
        Await.until("seq " + seq + " delivered", Duration.ofSeconds(5), () -> count(agent, "delivered") == seq);
    }

    private static JsonObject ack(Agent agent, long upToSeq) {
        return new JsonObject().put("v", 1)
                .put("type", "delivery.ack")
                .put("agent", agent.name())
                .put("up_to_seq", upToSeq);
    }

    private long count(Agent agent, String status) {
        return pool.preparedQuery("select count(*) from deliveries where agent_id = $1 and status = $2")
                .execute(Tuple.of(agent.id(), status))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }
}
