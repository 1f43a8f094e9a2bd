import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A minimal RFC 6455 client for many idle sockets in one JVM, JDK only: the handshake is a blocking exchange on a
 * virtual thread, after which each socket is read by one of a few selector threads ({@link Reader}) that time-stamp
 * every read ({@code System.nanoTime()} right after the read returns) before parsing the frames in it. Per socket
 * the client keeps a few fields and, only while a frame is split across reads, the unparsed bytes: an idle socket
 * costs the client about one {@link Conn} and its {@link SocketChannel}.
 * <p>
 * Frames from the server: text (passed to the current {@link Listener}, except {@code pong}), close (time, code and
 * reason recorded, answered with a close frame; the server then ends the TCP connection), ping (answered), pong and
 * binary (ignored). Client frames are masked as the RFC requires.
 */
public final class WsClient {

    /** Frames larger than this fail the socket (events are a few hundred bytes; the read buffer is 256 KiB). */
    static final int MAX_FRAME = 200_000;
    static final byte[] PING = "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
    static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"");

    /** Receives every text frame other than a pong, on a reader thread, with the time of the read it came in. */
    public interface Listener {
        void text(Conn conn, String text, long readAt);
    }

    /** One client socket. Fields written by one reader thread; the volatile ones are read by the phases. */
    public static final class Conn {
        public final int slot; // the opener's number for it (by default its index in the batch)
        SocketChannel channel;
        SelectionKey key;
        byte[] carry; // bytes of a frame split across reads
        ByteArrayOutputStream fragments;
        long handshakeNanos;
        volatile long closeFrameAt; // when the server's close frame was read (0: not yet)
        volatile long eofAt; // when the TCP connection ended (0: not yet)
        volatile int closeCode = -1;
        volatile String closeReason = "";
        volatile boolean closeSent;
        volatile long pingSentAt;
        volatile long pongAt;
        volatile int pongs;
        volatile int events; // text frames other than pong
        long lastSeq = -1;
        volatile int seqProblems; // a seq at or below one already seen
        final AtomicBoolean ended = new AtomicBoolean();

        Conn(int slot) {
            this.slot = slot;
        }

        /** When the client learnt the socket was closed: the close frame, else the end of the connection. */
        public long closedAt() {
            long frame = closeFrameAt;
            return frame != 0 ? frame : eofAt;
        }

        public boolean open() {
            return !ended.get() && closeFrameAt == 0;
        }
    }

    /** What opening a batch of sockets did. */
    public record Opened(List<Conn> conns, long[] handshakeNanos, Map<String, Integer> failures, double seconds) {
        public int failed() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final String host;
    private final int port;
    private final Reader[] readers;
    private final ScheduledExecutorService watchdogs = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ws-watchdog");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger openSockets = new AtomicInteger();
    public volatile Listener listener = (conn, text, at) -> {
    };

    public WsClient(String host, int port, int readerThreads) throws IOException {
        this.host = host;
        this.port = port;
        this.readers = new Reader[readerThreads];
        for (int i = 0; i < readerThreads; i++) {
            readers[i] = new Reader(i);
            readers[i].start();
        }
    }

    public int openSockets() {
        return openSockets.get();
    }

    // --- opening ------------------------------------------------------------------------------------------------

    /** Opens {@code count} observer sockets on {@code /v1/ws?token=…}, slots 0 to count-1; see {@link #openTargets}. */
    public Opened open(int count, IntFunction<String> tokenFor, int concurrency) throws InterruptedException {
        return openTargets(IntStream.range(0, count).toArray(), slot -> "/v1/ws?token=" + URLEncoder.encode(
                tokenFor.apply(slot), StandardCharsets.UTF_8), concurrency);
    }

    /**
     * Opens one socket per slot (the caller's number for it, kept in {@link Conn#slot}), slot {@code s} on the
     * request target {@code targetFor(s)} (path and query, e.g. {@code /v1/node/ws?token=…}), at most
     * {@code concurrency} handshakes at a time; a failed handshake (HTTP status other than 101, I/O error, no answer
     * within 15 s) is counted by label and its socket left out.
     */
    public Opened openTargets(int[] slots, IntFunction<String> targetFor, int concurrency)
            throws InterruptedException {
        long start = System.nanoTime();
        int count = slots.length;
        Conn[] conns = new Conn[count];
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        Semaphore permits = new Semaphore(concurrency);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                permits.acquire();
                int k = i;
                threads.submit(() -> {
                    try {
                        conns[k] = handshake(slots[k], targetFor.apply(slots[k]));
                    } catch (HandshakeFailure e) {
                        failures.merge(e.label, 1, Integer::sum);
                    } catch (IOException | RuntimeException e) {
                        failures.merge("I/O " + e.getClass().getSimpleName(), 1, Integer::sum);
                    } finally {
                        permits.release();
                    }
                });
            }
        }
        List<Conn> opened = new ArrayList<>(count);
        for (Conn c : conns) {
            if (c != null) {
                opened.add(c);
            }
        }
        long[] handshakes = opened.stream().mapToLong(c -> c.handshakeNanos).sorted().toArray();
        return new Opened(opened, handshakes, new TreeMap<>(failures), (System.nanoTime() - start) / 1e9);
    }

    @SuppressWarnings("serial")
    private static final class HandshakeFailure extends IOException {
        final String label;

        HandshakeFailure(String label) {
            super(label);
            this.label = label;
        }
    }

    private Conn handshake(int slot, String target) throws IOException {
        long t0 = System.nanoTime();
        SocketChannel channel = SocketChannel.open();
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        var watchdog = watchdogs.schedule(() -> {
            if (!done.get()) {
                timedOut.set(true);
                closeQuietly(channel);
            }
        }, 15, TimeUnit.SECONDS);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress(host, port));
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            String request = "GET " + target + " HTTP/1.1\r\n"
                    + "Host: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(16384);
            int headerEnd;
            while ((headerEnd = headerEnd(in)) < 0) {
                if (!in.hasRemaining()) {
                    throw new HandshakeFailure("answer headers over 16 KiB");
                }
                if (channel.read(in) < 0) {
                    throw new HandshakeFailure("connection closed during the handshake");
                }
            }
            String head = new String(in.array(), 0, headerEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(head.substring(9, 12));
            if (status != 101) {
                String rest = new String(in.array(), headerEnd + 4, in.position() - headerEnd - 4,
                        StandardCharsets.UTF_8);
                Matcher code = ERROR_CODE.matcher(rest);
                throw new HandshakeFailure("HTTP " + status + (code.find() ? " " + code.group(1) : ""));
            }
            if (!head.toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-accept: " + accept(key).toLowerCase(
                    java.util.Locale.ROOT))) {
                throw new HandshakeFailure("101 without the right Sec-WebSocket-Accept");
            }
            done.set(true);
            watchdog.cancel(false);
            Conn conn = new Conn(slot);
            conn.channel = channel;
            conn.handshakeNanos = System.nanoTime() - t0;
            int leftover = in.position() - headerEnd - 4;
            if (leftover > 0) {
                conn.carry = Arrays.copyOfRange(in.array(), headerEnd + 4, in.position());
            }
            channel.configureBlocking(false);
            openSockets.incrementAndGet();
            readers[slot % readers.length].add(conn);
            return conn;
        } catch (IOException | RuntimeException e) {
            done.set(true);
            watchdog.cancel(false);
            closeQuietly(channel);
            if (timedOut.get()) {
                throw new HandshakeFailure("no 101 within 15 s");
            }
            throw e;
        }
    }

    private static int headerEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 3; i < in.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i - 3;
            }
        }
        return -1;
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                    .getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- sending ------------------------------------------------------------------------------------------------

    /** Sends {"type":"ping"} and notes when. */
    public void ping(Conn conn) {
        conn.pingSentAt = System.nanoTime();
        send(conn, 0x1, PING);
    }

    /** Starts a client close (1000); the server answers with its close frame and ends the connection. */
    public void close(Conn conn) {
        if (conn.ended.get() || conn.closeSent) {
            return;
        }
        conn.closeSent = true;
        send(conn, 0x8, new byte[] { 0x03, (byte) 0xE8 });
    }

    /** Drops the connection without a close handshake (cleanup of what did not close in time). */
    public void abort(Conn conn) {
        end(conn, System.nanoTime());
    }

    /** Sends a text frame (a JSON message of up to 64 KiB); false when the socket is gone or would not take it. */
    public boolean send(Conn conn, String text) {
        return send(conn, 0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A masked frame of at most 65535 bytes of payload, written whole (spinning briefly if the kernel is full); false
     * when the socket ended instead.
     */
    private boolean send(Conn conn, int opcode, byte[] payload) {
        if (payload.length > 0xffff) {
            throw new IllegalArgumentException("frame payload of " + payload.length + " bytes");
        }
        int header = payload.length < 126 ? 2 : 4;
        byte[] frame = new byte[header + 4 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        if (header == 2) {
            frame[1] = (byte) (0x80 | payload.length);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        System.arraycopy(mask, 0, frame, header, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (conn) {
            try {
                while (buffer.hasRemaining()) {
                    if (conn.channel.write(buffer) == 0) {
                        if (System.nanoTime() > deadline) {
                            throw new IOException("could not write for 5 s");
                        }
                        Thread.onSpinWait();
                    }
                }
                return true;
            } catch (IOException e) {
                end(conn, System.nanoTime());
                return false;
            }
        }
    }

    // --- reading ------------------------------------------------------------------------------------------------

    private void end(Conn conn, long at) {
        if (conn.ended.compareAndSet(false, true)) {
            conn.eofAt = at;
            if (conn.key != null) {
                conn.key.cancel();
            }
            closeQuietly(conn.channel);
            openSockets.decrementAndGet();
        }
    }

    /** Parses the complete frames in {@code a[0, end)}; returns how many bytes they took. */
    private int parse(Conn c, byte[] a, int end, long now) throws IOException {
        int p = 0;
        while (end - p >= 2) {
            int b0 = a[p] & 0xff;
            int b1 = a[p + 1] & 0xff;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7f;
            int header = 2;
            if (length == 126) {
                if (end - p < 4) {
                    break;
                }
                length = ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
                header = 4;
            } else if (length == 127) {
                if (end - p < 10) {
                    break;
                }
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (a[p + 2 + i] & 0xff);
                }
                header = 10;
            }
            int maskAt = p + header;
            if (masked) {
                header += 4;
            }
            if (length > MAX_FRAME) {
                throw new IOException("frame of " + length + " bytes");
            }
            if (end - p < header + length) {
                break;
            }
            int start = p + header;
            int len = (int) length;
            if (masked) {
                for (int i = 0; i < len; i++) {
                    a[start + i] ^= a[maskAt + (i & 3)];
                }
            }
            frame(c, fin, opcode, a, start, len, now);
            p = start + len;
        }
        return p;
    }

    private void frame(Conn c, boolean fin, int opcode, byte[] a, int start, int len, long now) {
        switch (opcode) {
            case 0x0, 0x1, 0x2 -> {
                if (opcode != 0x0 && fin) {
                    if (opcode == 0x1) {
                        text(c, new String(a, start, len, StandardCharsets.UTF_8), now);
                    }
                    return;
                }
                if (opcode != 0x0) {
                    c.fragments = new ByteArrayOutputStream();
                }
                if (c.fragments != null) {
                    c.fragments.write(a, start, len);
                    if (fin) {
                        text(c, c.fragments.toString(StandardCharsets.UTF_8), now);
                        c.fragments = null;
                    }
                }
            }
            case 0x8 -> {
                if (c.closeFrameAt == 0) {
                    c.closeCode = len >= 2 ? ((a[start] & 0xff) << 8) | (a[start + 1] & 0xff) : 1005;
                    c.closeReason = len > 2 ? new String(a, start + 2, len - 2, StandardCharsets.UTF_8) : "";
                    c.closeFrameAt = now;
                }
                if (!c.closeSent) {
                    c.closeSent = true;
                    send(c, 0x8, len >= 2 ? new byte[] { a[start], a[start + 1] } : new byte[0]);
                }
            }
            case 0x9 -> send(c, 0xA, Arrays.copyOfRange(a, start, start + Math.min(len, 125)));
            default -> {
                // pong or a reserved opcode: nothing to do
            }
        }
    }

    private void text(Conn c, String text, long now) {
        if (text.startsWith("{\"type\":\"pong\"")) {
            c.pongAt = now;
            c.pongs++;
            return;
        }
        c.events++;
        int at = text.indexOf("\"seq\":");
        if (at >= 0) {
            long seq = 0;
            for (int i = at + 6; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
                seq = seq * 10 + (text.charAt(i) - '0');
            }
            if (seq <= c.lastSeq) {
                c.seqProblems++;
            }
            c.lastSeq = Math.max(seq, c.lastSeq);
        }
        listener.text(c, text, now);
    }

    /** One selector thread: reads its sockets, time-stamps each read and parses the frames in it. */
    private final class Reader extends Thread {
        private final Selector selector;
        private final Queue<Conn> pending = new ConcurrentLinkedQueue<>();
        private final byte[] array = new byte[1 << 18];
        private final ByteBuffer buffer = ByteBuffer.wrap(array);

        Reader(int index) throws IOException {
            super("ws-reader-" + index);
            setDaemon(true);
            this.selector = Selector.open();
        }

        void add(Conn conn) {
            pending.add(conn);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    selector.select(500);
                    Conn added;
                    while ((added = pending.poll()) != null) {
                        try {
                            added.key = added.channel.register(selector, SelectionKey.OP_READ, added);
                            if (added.carry != null) {
                                readable(added);
                            }
                        } catch (IOException | RuntimeException e) {
                            end(added, System.nanoTime());
                        }
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (key.isValid() && key.isReadable()) {
                            readable((Conn) key.attachment());
                        }
                    }
                }
            } catch (IOException | ClosedSelectorException e) {
                // shutting down
            }
        }

        private void readable(Conn c) {
            try {
                while (true) {
                    buffer.clear();
                    if (c.carry != null) {
                        buffer.put(c.carry);
                        c.carry = null;
                    }
                    int n = c.channel.read(buffer);
                    long now = System.nanoTime();
                    int end = buffer.position();
                    int used = parse(c, array, end, now);
                    if (used < end) {
                        c.carry = Arrays.copyOfRange(array, used, end);
                    }
                    if (n < 0) {
                        end(c, now);
                        return;
                    }
                    if (end < array.length) {
                        return; // the read did not fill the buffer: nothing more is waiting
                    }
                }
            } catch (IOException | RuntimeException e) {
                end(c, System.nanoTime());
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
