package dev.relay.gateway.stream;

import java.util.ArrayDeque;
import java.util.UUID;

import dev.relay.common.ws.CloseCode;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * One observer socket on `/v1/ws` (contract §5.1): the workspace's events its token may see, each at most once and in
 * `seq` order, `pong` for `ping`, and a catalogued close when its credential is withdrawn or it reads too slowly.
 * Its state is touched only on the socket's own Vert.x context, so nothing here needs a lock.
 */
final class ObserverSocket implements EventSink {

    private static final String PONG = "{\"type\":\"pong\"}";

    final String connectionId = "obs_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    final TokenSession session;
    private final Context context;
    private final long maxBuffered;
    private final ObserverSessions sessions;

    /** Null until the upgrade completes; events arriving before wait in {@link #held}. */
    private ServerWebSocket socket;
    /** Events waiting for the upgrade or for a re-verification of the token, in arrival order. */
    private final ArrayDeque<StreamEvent> held = new ArrayDeque<>();
    /** Bytes held plus bytes written but not yet taken by the network: what a slow reader costs this replica. */
    private long buffered;
    private long lastSeq;
    private boolean closed;
    /** Why the socket was closed before its upgrade completed, to tell the client once it has. */
    private CloseCode closedWith = CloseCode.NORMAL;

    ObserverSocket(TokenSession session, Context context, long maxBuffered, ObserverSessions sessions) {
        this.session = session;
        this.context = context;
        this.maxBuffered = maxBuffered;
        this.sessions = sessions;
    }

    String workspaceId() {
        return session.workspaceId();
    }

    // --- called from other threads: each hops onto the socket's context, in order ---------------------------------

    @Override
    public void offer(StreamEvent event) {
        context.runOnContext(ignored -> deliver(event));
    }

    @Override
    public void lost() {
        context.runOnContext(ignored -> close(CloseCode.INTERNAL_ERROR));
    }

    /** Sends what waited for a re-verification of the token, filtered by what it now allows. */
    void release() {
        context.runOnContext(ignored -> flush());
    }

    void closeLater(CloseCode code) {
        context.runOnContext(ignored -> close(code));
    }

    // --- on the socket's context ----------------------------------------------------------------------------------

    /** The upgrade completed: from now on frames flow both ways. */
    void upgraded(ServerWebSocket upgraded) {
        this.socket = upgraded;
        upgraded.textMessageHandler(this::onText);
        upgraded.binaryMessageHandler(ignored -> {
            // frames are JSON text; anything else is ignored (§4)
        });
        upgraded.exceptionHandler(failure -> Log.debugf("observer socket %s: %s", connectionId, failure.getMessage()));
        upgraded.closeHandler(ignored -> gone());
        if (closed) {
            upgraded.close((short) closedWith.code(), closedWith.reason());
            return;
        }
        flush();
    }

    private void onText(String text) {
        if (isPing(text)) {
            write(PONG, PONG.length());
        }
        // subscribe, unsubscribe, resync and malformed frames are ignored (§5.1)
    }

    private static boolean isPing(String text) {
        try {
            return "ping".equals(new JsonObject(text).getValue("type"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void deliver(StreamEvent event) {
        if (closed) {
            return;
        }
        if (socket == null || session.verifying() || !held.isEmpty()) {
            held.add(event);
            grow(event.bytes());
            return;
        }
        send(event);
    }

    private void flush() {
        if (socket == null || session.verifying()) {
            return;
        }
        while (!held.isEmpty() && !closed) {
            StreamEvent event = held.poll();
            buffered -= event.bytes();
            send(event);
        }
    }

    /** At most once and in order: an event at or below the last seq sent (a duplicate, or late) is dropped. */
    private void send(StreamEvent event) {
        if (event.seq() <= lastSeq) {
            return;
        }
        lastSeq = event.seq();
        if (session.view().allows(event)) {
            write(event.text(), event.bytes());
        }
    }

    private void write(String text, int bytes) {
        if (closed || socket.isClosed() || !grow(bytes)) {
            return;
        }
        socket.writeTextMessage(text).onComplete(ignored -> buffered -= bytes);
    }

    /** Counts bytes against the socket's budget; a socket past it is closed as a slow consumer. */
    private boolean grow(int bytes) {
        buffered += bytes;
        if (buffered > maxBuffered) {
            close(CloseCode.SLOW_CONSUMER);
            return false;
        }
        return true;
    }

    /** Closes with a catalogued code and reason, once. */
    void close(CloseCode code) {
        if (closed) {
            return;
        }
        closed = true;
        closedWith = code;
        held.clear();
        Log.infof("observer.socket_closed workspace=%s kind=%s hash=%s connection=%s code=%d reason=%s",
                workspaceId(), session.kind().wireName(), session.hashPrefix(), connectionId, code.code(),
                code.reason());
        if (socket != null && !socket.isClosed()) {
            socket.close((short) code.code(), code.reason());
        }
        sessions.detach(this, code);
    }

    /** The upgrade never happened: forget the socket without a word. */
    void discard() {
        if (!closed) {
            closed = true;
            held.clear();
            sessions.detach(this, null);
        }
    }

    /** The client closed (or the connection dropped). */
    private void gone() {
        if (!closed) {
            closed = true;
            held.clear();
            Log.debugf("observer socket %s closed by the client", connectionId);
            sessions.detach(this, null);
        }
    }

    boolean closed() {
        return closed;
    }
}
