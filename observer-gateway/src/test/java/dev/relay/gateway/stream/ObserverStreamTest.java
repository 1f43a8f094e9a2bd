package dev.relay.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.gateway.edge.StandInServices;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The observer stream's frames (contract §5.1): `pong` for `ping`, every other client frame ignored, and each
 * workspace event once, in `seq` order, in the client shape with `type`, `seq` and `created_at` on top, to every
 * socket of the workspace and to no socket of another.
 */
@QuarkusTest
@QuarkusTestResource(StandInServices.class)
class ObserverStreamTest extends StreamTestSupport {

    private static final List<String> READ_ALL = List.of("stream:read", "messages:read", "threads:read",
            "channels:read");

    @Test
    void pingGetsPongAndEveryOtherFrameIsIgnored() throws Exception {
        String workspace = newWorkspace();
        TestSocket socket = open(StandInServices.observer(workspace, READ_ALL, Map.of()).token);

        socket.send("not json at all");
        socket.send("[1,2,3]");
        socket.send("{\"type\":\"subscribe\",\"channels\":[\"general\"]}");
        socket.send("{\"type\":\"resync\",\"last_seen_seq\":3}");
        socket.socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer("{\"type\":\"ping\"}"));
        socket.send("{\"type\":\"ping\"}");

        socket.await(frame -> "pong".equals(frame.getString("type")), 2_000);
        Thread.sleep(200);
        assertEquals(List.of(new JsonObject().put("type", "pong")), socket.frames, "one pong, nothing else");
        assertFalse(socket.isClosed(), "ignored frames do not close the socket");
    }

    @Test
    void eventsArriveInTheClientShapeWithSeqAndCreatedAt() throws Exception {
        String workspace = newWorkspace();
        TestSocket socket = open(StandInServices.observer(workspace, READ_ALL, Map.of()).token);

        Map<String, Object> payload = message("general", "ch_1", "a_1", "hello");
        publish(workspace, 1, "message.created", payload);
        // channel.created without its own created_at: the stream still stamps one, and the channel id from the
        // published message when the payload has none
        publishRaw(workspace, "{\"event_id\":\"e2\",\"workspace_id\":\"" + workspace + "\",\"seq\":2,"
                + "\"type\":\"channel.created\",\"channel_id\":\"ch_2\",\"payload\":{\"channel\":"
                + "{\"name\":\"ops\",\"topic\":null}}}");

        JsonObject created = socket.await(frame -> frame.getLong("seq") == 1, 2_000);
        assertEquals("message.created", created.getString("type"));
        assertEquals(1L, created.getLong("seq"));
        assertEquals(CREATED_AT, created.getString("created_at"));
        assertEquals("general", created.getString("channel"));
        assertEquals("ch_1", created.getString("channel_id"));
        assertEquals(payload.get("id"), created.getString("id"));
        assertEquals("hello", created.getJsonObject("message").getString("text"));
        assertEquals("a_1", created.getJsonObject("message").getString("agent_id"));

        JsonObject channel = socket.await(frame -> frame.getLong("seq") == 2, 2_000);
        assertEquals("channel.created", channel.getString("type"));
        assertEquals("ops", channel.getJsonObject("channel").getString("name"));
        assertEquals("ch_2", channel.getString("channel_id"));
        assertTrue(channel.getString("created_at").endsWith("Z"), "created_at stamped: " + channel);
    }

    @Test
    void eachEventAtMostOnceAndInSeqOrder() throws Exception {
        String workspace = newWorkspace();
        TestSocket socket = open(StandInServices.observer(workspace, READ_ALL, Map.of()).token);

        // a duplicate (re-published after a Redis restart), a late one, then a gap that a later event fills in
        for (long seq : new long[]{1, 2, 2, 1, 4, 3, 5, 5}) {
            publish(workspace, seq, "message.created", message("general", "ch_1", "a_1", "m" + seq));
        }
        publishRaw(workspace, "not an event");
        publishRaw(workspace, "{\"workspace_id\":\"" + workspace + "\",\"type\":\"message.created\"}");
        publish(workspace, 6, "message.created", message("general", "ch_1", "a_1", "m6"));

        socket.await(frame -> frame.getLong("seq") == 6, 2_000);
        assertEquals(List.of(1L, 2L, 4L, 5L, 6L), socket.seqs(), "duplicates and late events are dropped");
    }

    @Test
    void everySocketOfTheWorkspaceReceivesOnItsOwnConnectionAndNoOtherWorkspaceDoes() throws Exception {
        String workspace = newWorkspace();
        String other = newWorkspace();
        StandInServices.StandInCredential observer = StandInServices.observer(workspace, READ_ALL, Map.of());
        TestSocket first = open(observer.token);
        TestSocket second = open(observer.token); // the same token twice: one session, two sockets
        TestSocket third = open(StandInServices.observer(workspace, READ_ALL, Map.of()).token);
        TestSocket elsewhere = open(StandInServices.observer(other, READ_ALL, Map.of()).token);

        for (long seq = 1; seq <= 3; seq++) {
            publish(workspace, seq, "message.created", message("general", "ch_1", "a_1", "m" + seq));
        }

        for (TestSocket socket : List.of(first, second, third)) {
            socket.await(frame -> frame.getLong("seq") == 3, 2_000);
            assertEquals(List.of(1L, 2L, 3L), socket.seqs());
        }
        Thread.sleep(100);
        assertEquals(List.of(), elsewhere.events(), "another workspace's socket sees nothing");
        assertEquals(1, subscriptions(workspace), "one subscription for the workspace however many sockets");
    }
}
