package dev.relay.delivery.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/**
 * A real WebSocket client on `/v1/node/ws` (the JDK's), authenticated as the gateway forwards it: `Authorization:
 * Bearer <principal JWT>`. Every text frame received is parsed and queued; the close code and reason are kept.
 */
public final class NodeSocket implements AutoCloseable {

    public static final String PATH = "/v1/node/ws";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** How the server closed the socket (code -1 and the message when the connection failed instead). */
    public record Closed(int code, String reason) {
    }

    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final java.util.Set<String> delivered = new java.util.HashSet<>();
    private final List<JsonObject> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private NodeSocket(String bearer) throws InterruptedException, ExecutionException, TimeoutException {
        this.socket = CLIENT.newWebSocketBuilder()
                .header("Authorization", bearer)
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri(), new Listener())
                .get(10, TimeUnit.SECONDS);
    }

    public static URI uri() {
        return URI.create("ws://127.0.0.1:" + RestAssured.port + PATH);
    }

    /** Opens a socket; the handshake must succeed. */
    public static NodeSocket open(String bearer) {
        try {
            return new NodeSocket(bearer);
        } catch (ExecutionException e) {
            throw new AssertionError("the node socket handshake failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the node socket handshake did not finish", e);
        }
    }

    /** The HTTP status the handshake was refused with; fails if the upgrade succeeded. */
    public static int refusal(String bearer) {
        try {
            NodeSocket accepted = new NodeSocket(bearer);
            accepted.abort();
            throw new AssertionError("the handshake was accepted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("the handshake failed without an HTTP answer: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the handshake did not finish", e);
        }
    }

    public void send(JsonObject frame) {
        sendText(frame.encode());
    }

    public void sendText(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** The next frame, waiting up to 5 s. */
    public JsonObject next() {
        return next(Await.TIMEOUT);
    }

    /**
     * The next frame, waiting up to {@code timeout}. A durable `deliver` this socket already received (same
     * delivery_id) is skipped and kept in {@link #duplicates()}: delivery is at least once, so a re-send (after a
     * reconnect or a failed write-back) is legitimate and must not fail a test that checks order.
     */
    public JsonObject next(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                JsonObject frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (frame == null) {
                    throw new AssertionError("no frame within " + timeout.toMillis() + " ms"
                            + (closed.isDone() ? "; the socket was closed: " + closed.join() : ""));
                }
                if ("deliver".equals(frame.getString("type")) && frame.getLong("seq", 0L) > 0
                        && !delivered.add(frame.getString("delivery_id"))) {
                    duplicates.add(frame);
                    continue;
                }
                return frame;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next frame, which must be of this type. */
    public JsonObject next(String type) {
        JsonObject frame = next();
        if (!type.equals(frame.getString("type"))) {
            throw new AssertionError("expected a " + type + " frame, got " + frame.encode());
        }
        return frame;
    }

    /** Durable deliveries received a second time on this socket. */
    public List<JsonObject> duplicates() {
        return List.copyOf(duplicates);
    }

    /** Sends a request frame and answers the next frame, which must be its reply or error (same id). */
    public JsonObject request(JsonObject frame) {
        send(frame);
        JsonObject answer = next();
        if (!frame.getString("id").equals(answer.getString("id"))) {
            throw new AssertionError("expected the answer to " + frame.getString("id") + ", got " + answer.encode());
        }
        return answer;
    }

    /** Every frame received and not yet taken. */
    public List<JsonObject> drain() {
        List<JsonObject> rest = new ArrayList<>();
        frames.drainTo(rest);
        return rest;
    }

    /** How the server closed the socket, waiting up to {@code timeout}. */
    public Closed awaitClosed(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the socket was not closed within " + timeout.toMillis() + " ms");
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Closes from the client side (1000) and waits for the server's close in reply. */
    @Override
    public void close() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
                closed.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                abort();
            }
        }
    }

    public void abort() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                frames.add(new JsonObject(text));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Closed(-1, String.valueOf(error)));
        }
    }
}
