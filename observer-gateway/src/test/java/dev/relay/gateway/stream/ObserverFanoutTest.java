package dev.relay.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.relay.gateway.edge.StandInServices;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Scale-out (ARCHITECTURE "Events"): each replica holds one Redis subscription per workspace while it has sockets
 * there, however many, and fans events out in memory; the last socket leaving ends the subscription. A second
 * replica is played by a second {@link WorkspaceFanout} with a connection of its own.
 */
@QuarkusTest
@QuarkusTestResource(StandInServices.class)
class ObserverFanoutTest extends StreamTestSupport {

    /** What a socket on the other replica would be handed. */
    private static final class Recorder implements EventSink {
        final List<Long> seqs = new CopyOnWriteArrayList<>();

        @Override
        public void offer(StreamEvent event) {
            seqs.add(event.seq());
        }

        @Override
        public void lost() {
            seqs.add(-1L);
        }
    }

    @Test
    void oneSubscriptionPerWorkspacePerReplicaAndEveryReplicaFansOut() throws Exception {
        String workspace = newWorkspace();
        String token = StandInServices.observer(workspace, List.of("stream:read", "messages:read"), Map.of()).token;
        TestSocket first = open(token);
        TestSocket second = open(StandInServices.workspaceKey(workspace).token);
        assertEquals(1, subscriptions(workspace), "two sockets, one replica: one subscription");

        WorkspaceFanout otherReplica = WorkspaceFanout.replica(vertx, names(),
                ConfigProvider.getConfig().getValue("quarkus.redis.hosts", String.class));
        Recorder remote = new Recorder();
        otherReplica.join(workspace, remote).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(2, subscriptions(workspace), "a second replica adds its own subscription");
        assertEquals(1, otherReplica.subscriptions());

        for (long seq = 1; seq <= 3; seq++) {
            publish(workspace, seq, "message.created", message("general", "ch_g", "a1", "m" + seq));
        }
        first.await(frame -> frame.getLong("seq") == 3, 2_000);
        second.await(frame -> frame.getLong("seq") == 3, 2_000);
        long deadline = System.currentTimeMillis() + 2_000;
        while (remote.seqs.size() < 3 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(1L, 2L, 3L), first.seqs());
        assertEquals(List.of(1L, 2L, 3L), second.seqs());
        assertEquals(List.of(1L, 2L, 3L), remote.seqs, "the other replica received every event once");

        first.close();
        second.close();
        awaitSubscriptions(workspace, 1);
        otherReplica.leave(workspace, remote);
        awaitSubscriptions(workspace, 0);
        assertEquals(0, otherReplica.subscriptions());
        otherReplica.close();
    }

    @Test
    void aWorkspaceIsSubscribedAgainWhenASocketReturnsAfterTheLastLeft() throws Exception {
        String workspace = newWorkspace();
        String token = StandInServices.observer(workspace, List.of("stream:read", "messages:read"), Map.of()).token;
        TestSocket first = open(token);
        first.close();
        awaitSubscriptions(workspace, 0);

        TestSocket again = open(token);
        publish(workspace, 1, "message.created", message("general", "ch_g", "a1", "back"));
        again.await(frame -> frame.getLong("seq") == 1, 2_000);
        assertEquals(1, subscriptions(workspace));
    }

    private static void awaitSubscriptions(String workspace, long expected) throws Exception {
        long deadline = System.currentTimeMillis() + 3_000;
        while (subscriptions(workspace) != expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, subscriptions(workspace));
    }
}
