package dev.relay.delivery.ws;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.event.StableEventId;
import dev.relay.common.redis.RedisNames;
import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.MessageEvent;
import dev.relay.delivery.service.DeliveryStore.Recipient;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.NodeSocket.Closed;
import dev.relay.delivery.support.Outbox;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands.RedisSubscriber;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Work handed between delivery replicas through Redis (the node owner key and each replica's channel), with this JVM
 * as replica `delivery-test` and the test playing the other replica.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class ReplicaHandoverTest {

    private static final String OTHER = "delivery-other";

    @Inject
    RedisDataSource redis;

    @Inject
    RedisNames names;

    @Inject
    Outbox outbox;

    @Inject
    DeliveryStore store;

    private Ws ws;
    private Agent ada;
    private Agent bob;
    private NodeCredential node;

    @BeforeEach
    void directNode() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
        node = Fixtures.directNode(ada);
    }

    @Test
    void deliveriesForANodeHeldByAnotherReplicaAreHandedToIt() {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        RedisSubscriber subscriber = redis.pubsub(String.class).subscribe(names.replicaChannel(OTHER), received::add);
        try {
            redis.value(String.class).setex(names.nodeOwnerKey(node.nodeId()), 60, OTHER);

            outbox.add(Outbox.messageCreated(ws.id(), "1001", bob, "for the other replica", List.of(ada)));

            String message = received.poll(5, TimeUnit.SECONDS);
            assertThat(message, equalTo(new JsonObject().put("nudge", new io.vertx.core.json.JsonArray().add(ada.id()))
                    .encode()));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            subscriber.unsubscribe();
            redis.key().del(names.nodeOwnerKey(node.nodeId()));
        }
    }

    @Test
    void aNudgeFromAnotherReplicaSendsWhatPostgresHolds() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            // Rows made elsewhere (by another replica's consumer): nothing routes them here but the nudge.
            store.create(new MessageEvent(StableEventId.of(ws.id(), "2001"), ws.id(), "message.created", "ch-1",
                    "2001", new JsonObject().put("id", "2001").put("text", "made elsewhere").encode(), "wait",
                    List.of(new Recipient(ada.id(), "ada", "message")))).await().atMost(Duration.ofSeconds(5));

            redis.pubsub(String.class)
                    .publish(names.replicaChannel("delivery-test"), new JsonObject().put("nudge",
                            new io.vertx.core.json.JsonArray().add(ada.id())).encode());

            JsonObject deliver = socket.next("deliver");
            assertThat(deliver.getString("msg_id"), equalTo("2001"));
            assertThat(deliver.getLong("seq"), equalTo(1L));
        }
    }

    @Test
    void aContextUpdateForANodeHeldByAnotherReplicaIsHandedToIt() {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        RedisSubscriber subscriber = redis.pubsub(String.class).subscribe(names.replicaChannel(OTHER), received::add);
        try {
            redis.value(String.class).setex(names.nodeOwnerKey(node.nodeId()), 60, OTHER);

            outbox.add(Outbox.event(ws.id(), "delivery.deferred", null, new JsonObject().put("delivery_id", "d1")
                    .put("agent_id", ada.id())
                    .put("agent_name", "ada"), List.of()));

            JsonObject message = new JsonObject(received.poll(5, TimeUnit.SECONDS));
            assertThat(message.getString("node_id"), equalTo(node.nodeId()));
            JsonObject frame = message.getJsonObject("frame");
            assertThat(frame.getString("type"), equalTo("context.update"));
            assertThat(frame.getString("topic"), equalTo("agent"));
            assertThat(frame.getJsonArray("agent_ids"), equalTo(new io.vertx.core.json.JsonArray().add(ada.id())));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            subscriber.unsubscribe();
            redis.key().del(names.nodeOwnerKey(node.nodeId()));
        }
    }

    @Test
    void aFrameHandedOverByAnotherReplicaIsWrittenToTheLocalSocket() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            JsonObject frame = new JsonObject().put("v", 1)
                    .put("type", "context.update")
                    .put("topic", "presence")
                    .put("event", "agent.status.idle")
                    .put("channel_id", null)
                    .put("agent_ids", new io.vertx.core.json.JsonArray().add(ada.id()))
                    .put("data", new JsonObject().put("agent_name", "bob"));

            redis.pubsub(String.class)
                    .publish(names.replicaChannel("delivery-test"), new JsonObject().put("frame", frame)
                            .put("node_id", node.nodeId())
                            .put("provider", null)
                            .encode());

            assertThat(socket.next("context.update"), equalTo(frame));
        }
    }

    @Test
    void aSupersedeFromAnotherReplicaClosesTheLocalSocketButLeavesTheNodeOnline() {
        NodeSocket socket = Fixtures.connectDirect(node);
        Await.until("node.status.online recorded",
                () -> !StandInWorkspaceService.events(ws.id(), "node.status.online").isEmpty());

        // The other replica's newcomer registered (the node is online there) and tells this one to let go.
        redis.pubsub(String.class)
                .publish(names.replicaChannel("delivery-test"), new JsonObject().put("supersede", node.nodeId())
                        .encode());

        Closed closed = socket.awaitClosed(Duration.ofSeconds(5));
        assertThat(closed.code(), equalTo(1000));
        assertThat(closed.reason(), equalTo("superseded"));
        // The superseded socket's close must not take the node offline under the other replica's newcomer. There is no
        // event to wait for when nothing happens, so this is bounded: a flip would show within a second.
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(StandInWorkspaceService.events(ws.id(), "node.status.offline").size(), equalTo(0));
            assertThat(Fixtures.node(ws, node.nodeName()).getString("data.status"), equalTo("online"));
        }
    }
}
