package dev.relay.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/** A client of `/v1/ws` for tests: records every frame it receives and how the server closed it. */
final class TestSocket {

    final WebSocket socket;
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile long closedAt;

    private TestSocket(WebSocket socket) {
        this.socket = socket;
    }

    /** Opens `/v1/ws?token=` on the gateway; {@code receiveBuffer} > 0 shrinks the client's TCP receive buffer. */
    static TestSocket open(Vertx vertx, int port, String token, int receiveBuffer) throws Exception {
        HttpClientOptions options = new HttpClientOptions().setMaxWebSocketMessageSize(1 << 20)
                .setMaxWebSocketFrameSize(1 << 20);
        if (receiveBuffer > 0) {
            options.setReceiveBufferSize(receiveBuffer);
        }
        HttpClient client = vertx.createHttpClient(options);
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(port)
                .setURI("/v1/ws?token=" + token + "&origin_client=@relaycast/sdk&origin_version=6.0.2");
        TestSocket[] holder = new TestSocket[1];
        // Handlers are set on the event loop as the socket opens, before the first frame can arrive.
        client.webSocket(connect).onSuccess(opened -> {
            TestSocket test = new TestSocket(opened);
            holder[0] = test;
            opened.textMessageHandler(text -> test.frames.add(new JsonObject(text)));
            opened.closeHandler(ignored -> {
                test.closedAt = System.currentTimeMillis();
                test.closed.countDown();
            });
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return holder[0];
    }

    static TestSocket open(Vertx vertx, int port, String token) throws Exception {
        return open(vertx, port, token, 0);
    }

    void send(String text) throws Exception {
        socket.writeTextMessage(text).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** The workspace events received (every frame but `pong`). */
    List<JsonObject> events() {
        return frames.stream().filter(frame -> !"pong".equals(frame.getString("type"))).toList();
    }

    List<Long> seqs() {
        return events().stream().map(frame -> frame.getLong("seq")).toList();
    }

    /** Waits until a frame matches, failing after {@code ms}. */
    JsonObject await(Predicate<JsonObject> match, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            for (JsonObject frame : frames) {
                if (match.test(frame)) {
                    return frame;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no matching frame within " + ms + " ms; received " + frames);
    }

    /** Waits until the server closed the socket, failing after {@code ms}. */
    void awaitClose(long ms) throws InterruptedException {
        assertTrue(closed.await(ms, TimeUnit.MILLISECONDS), "socket still open after " + ms + " ms; received "
                + frames.size() + " frame(s)");
    }

    Short closeCode() {
        return socket.closeStatusCode();
    }

    String closeReason() {
        return socket.closeReason();
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    void close() {
        if (!isClosed()) {
            socket.close();
        }
    }
}
