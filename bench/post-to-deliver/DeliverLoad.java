import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Issue 6's benchmark: post-to-deliver latency across the whole stack. JDK only; run.sh compiles it with the load
 * kit ({@code bench/loadkit}: {@link OpenLoop}, {@link WsClient}, {@link ProcessCpu}):
 *
 * <pre>
 * java -cp CLASSES DeliverLoad --gateway http://127.0.0.1:28807 [--agents 200] [--channel-size 10]
 *     [--warmup 30] [--duration 30] [--rates 300] [--connections 64] [--text-bytes 100] [--grace 30]
 *     [--drain 120] [--pause 3] [--readers 2] [--open-concurrency 32] [--connect-attempts 2]
 *     [--pids gateway=PID,...] [--databases workspace=DB,...]
 *     [--pg host:port:user] [--markdown FILE]
 * </pre>
 *
 * <p>
 * Setup ({@link Fleet}): a workspace, {@code --agents} agents in channels of {@code --channel-size}, and every agent
 * connected as the SDK's {@code AgentClient} connects: its direct node's {@code nt_live_} token, a socket on
 * {@code /v1/node/ws?token=…} through the gateway, {@code node.register} right after open (a reply must come back),
 * {@code node.heartbeat} every 30 s, and every {@code deliver} frame acknowledged at once with
 * {@code delivery.ack {agent, up_to_seq}} (the SDK's {@code autoAckDeliveries}).
 *
 * <p>
 * Load: open loop through the gateway (the load kit's {@link OpenLoop}); message {@code i} of a phase is due at
 * {@code start + i/rate} and posted by agent {@code i mod agents} to its channel with a text that starts with
 * {@code [pd:PHASE:i]}. Each recipient's reader thread time-stamps the read that brought the {@code deliver} frame;
 * a delivery's latency runs from the post's due time to that read. After the last post the client waits up to
 * {@code --grace} seconds for the deliveries still missing; what has not arrived then is lost. A warm-up phase at the
 * first rate precedes the measured ones (its deliveries are awaited up to {@code --drain} seconds).
 */
public class DeliverLoad {

    static final PrintStream out = System.out;
    static final int TIMELINE_SECONDS = 5;
    static final String MARK = "[pd:";
    static final byte[] OK_TRUE = "\"ok\":true".getBytes(StandardCharsets.US_ASCII);

    final Args opt;
    final URI gateway;
    final JsonApi api;
    final Fleet fleet;
    final WsClient client;
    final ProcessCpu cpu;
    final CpuReport cpuReport;
    final Map<String, String> databases;
    final long epochOffset = Stages.epochOffset();
    final String runId = Long.toString(System.currentTimeMillis(), 36);
    final Map<Integer, Tracker> trackers = new ConcurrentHashMap<>();
    final Map<String, LongAdder> frames = new ConcurrentHashMap<>(); // frames received, by type
    final List<String> frameErrors = Collections.synchronizedList(new ArrayList<>());
    final LongAdder unmarked = new LongAdder(); // durable deliver frames without a bench marker
    final LongAdder outOfOrder = new LongAdder(); // a durable seq at or below one already seen by that agent
    final LongAdder ackFailures = new LongAdder();
    AtomicLongArray lastSeq;
    boolean[] connected; // whose node socket opened
    final LongAdder registered = new LongAdder(); // ok replies to node.register
    List<WsClient.Conn> conns = List.of();

    DeliverLoad(Args opt) throws IOException, InterruptedException {
        this.opt = opt;
        this.gateway = URI.create(opt.required("gateway"));
        Map<String, Long> pids = opt.pids("pids");
        this.databases = Args.pairs(opt.get("databases", ""));
        this.cpu = new ProcessCpu(pids, List.copyOf(databases.values()));
        this.cpuReport = new CpuReport(pids.keySet(), databases);
        this.api = new JsonApi(gateway);
        this.fleet = Fleet.create(api, "bench-post-to-deliver-" + runId, opt.integer("agents", 200),
                opt.integer("channel-size", 10));
        this.client = new WsClient(gateway.getHost(), gateway.getPort(), opt.integer("readers", 2));
    }

    public static void main(String[] args) throws Exception {
        Args opt;
        try {
            opt = Args.parse(args);
            opt.required("gateway");
        } catch (IllegalArgumentException e) {
            System.err.println("deliver-load: " + e.getMessage());
            System.exit(2);
            return;
        }
        DeliverLoad load = new DeliverLoad(opt);
        load.run();
        System.exit(0); // readers, heartbeats and connection threads are daemons, but leave no doubt
    }

    void run() throws Exception {
        int channels = (fleet.size() + fleet.channelSize - 1) / fleet.channelSize;
        out.printf(Locale.ROOT, "deliver-load: workspace %s, %d agents in %d channels of up to %d members (pd-000..."
                + "), each also in general; setup %.1f s through the gateway%n", fleet.workspaceId, fleet.size(),
                channels, fleet.channelSize, fleet.seconds);
        connect();
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeats");
            t.setDaemon(true);
            return t;
        });
        heartbeats.scheduleAtFixedRate(this::heartbeat, 30, 30, TimeUnit.SECONDS);

        int[] rates = Arrays.stream(opt.get("rates", "300").split(",")).mapToInt(s -> Integer.parseInt(s.trim()))
                .toArray();
        OpenLoop loop = new OpenLoop(gateway.getHost(), gateway.getPort(), opt.integer("connections", 64));
        loop.start();
        List<String> results = new ArrayList<>();
        List<Measured> measured = new ArrayList<>();
        try {
            for (int p = 0; p <= rates.length; p++) {
                boolean warmup = p == 0;
                int rate = warmup ? rates[0] : rates[p - 1];
                int seconds = warmup ? opt.integer("warmup", 30) : opt.integer("duration", 30);
                if (seconds <= 0) {
                    continue;
                }
                if (!warmup) {
                    Thread.sleep(opt.integer("pause", 3) * 1000L);
                }
                Measured m = phase(loop, p, warmup ? "warmup" : "measure", rate, seconds,
                        warmup ? opt.integer("drain", 120) : opt.integer("grace", 30));
                if (!warmup) {
                    measured.add(m);
                    results.add(m.result());
                }
            }
        } finally {
            loop.stop();
        }
        long closed = conns.stream().filter(c -> !c.open()).count();
        out.printf(Locale.ROOT, "%nsockets: %d of %d still open at the end (the SDK would have reconnected the others;"
                + " this client does not, so their deliveries count as lost)%n", conns.size() - closed, conns.size());
        out.println("frames received by type: " + new TreeMap<>(frames) + "; durable deliver frames without a bench "
                + "marker: " + unmarked.sum());
        if (!frameErrors.isEmpty()) {
            out.println("error frames (first few): " + frameErrors);
        }
        if (opt.has("pg") && !measured.isEmpty()) {
            stages(measured);
        }
        int agentsConnected = conns.size();
        results.forEach(line -> out.println(line + " agents=" + fleet.size() + " agents_connected=" + agentsConnected
                + " sockets_closed=" + closed + " out_of_order=" + outOfOrder.sum()
                + " ack_failures=" + ackFailures.sum()));
        out.println("deliver-load: done");
    }

    // --- connecting the agents as the SDK does --------------------------------------------------------------------

    /**
     * Opens every agent's node socket and registers it. A handshake that fails (on a busy machine one can take longer
     * than the client's 15 s) is retried, at most {@code --connect-attempts} times in all, with a fresh node token
     * first, as the SDK's reconnect does. Agents whose socket never opens stay unconnected and the load runs all the
     * same: their deliveries are the too, so they count as lost (and are reported apart).
     */
    void connect() throws InterruptedException {
        int n = fleet.size();
        lastSeq = new AtomicLongArray(n);
        connected = new boolean[n];
        client.listener = this::onText;
        long start = System.nanoTime();
        List<WsClient.Conn> open = new ArrayList<>();
        List<Long> handshakes = new ArrayList<>();
        int[] pending = IntStream.range(0, n).toArray();
        int attempts = opt.integer("connect-attempts", 2);
        for (int attempt = 1; pending.length > 0 && attempt <= attempts; attempt++) {
            if (attempt > 1) {
                refreshNodeTokens(pending);
            }
            WsClient.Opened opened = client.openTargets(pending, fleet::nodeSocketTarget,
                    opt.integer("open-concurrency", 32));
            for (WsClient.Conn c : opened.conns()) {
                client.send(c, fleet.registration(c.slot));
                connected[c.slot] = true;
                open.add(c);
                handshakes.add(c.handshakeNanos);
            }
            pending = Arrays.stream(pending).filter(a -> !connected[a]).toArray();
            if (pending.length > 0) {
                out.printf(Locale.ROOT, "deliver-load: attempt %d of %d: %d node sockets did not open (%s)%n", attempt,
                        attempts, pending.length, opened.failures());
            }
        }
        conns = open;
        if (conns.isEmpty()) {
            throw new IllegalStateException("no node socket opened");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (registered.sum() < conns.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (registered.sum() < conns.size()) {
            throw new IllegalStateException((conns.size() - registered.sum()) + " of " + conns.size()
                    + " node.register frames got no ok reply within 60 s; error frames: " + frameErrors);
        }
        long[] sorted = handshakes.stream().mapToLong(Long::longValue).sorted().toArray();
        out.printf(Locale.ROOT, "deliver-load: %d of %d node sockets open and registered in %.1f s (handshake p50 "
                + "%.1f ms, max %.1f ms)%n", conns.size(), n, (System.nanoTime() - start) / 1e9,
                Phase.ms(Phase.pct(sorted, 0.5)), Phase.ms(Phase.pct(sorted, 1.0)));
        if (pending.length > 0) {
            out.printf(Locale.ROOT, "deliver-load: NOT CONNECTED: %d agents' node sockets never opened (%s); the load "
                    + "runs all the same, and their deliveries count as lost%n", pending.length,
                    Arrays.stream(pending).limit(5).mapToObj(a -> fleet.agents.get(a).name())
                            .collect(Collectors.joining(", ")) + (pending.length > 5 ? ", ..." : ""));
        }
    }

    /**
     * A fresh node token per agent before its reconnect, as the SDK does. The first token that cannot be had (the
     * route may be stuck behind the very thing that kept the socket from opening) ends the refreshing: the rest keep
     * their old tokens, which are still valid.
     */
    private void refreshNodeTokens(int[] agents) throws InterruptedException {
        for (int k = 0; k < agents.length; k++) {
            try {
                fleet.refreshNodeToken(api, agents[k]);
            } catch (IOException e) {
                out.printf(Locale.ROOT, "deliver-load: refreshing node tokens failed after %d of %d (%s); the rest keep "
                        + "their tokens%n", k, agents.length, e.getMessage());
                return;
            }
        }
    }

    void heartbeat() {
        for (WsClient.Conn c : conns) {
            if (c.open()) {
                client.send(c, fleet.heartbeat(c.slot));
            }
        }
    }

    /** Every text frame of every agent's socket, on a reader thread, with the time of the read it came in. */
    void onText(WsClient.Conn conn, String text, long at) {
        String type = stringField(text, "type", text.length());
        frames.computeIfAbsent(type == null ? "?" : type, t -> new LongAdder()).increment();
        if ("deliver".equals(type)) {
            deliver(conn, text, at);
        } else if ("reply".equals(type) && text.contains("\"ok\":true")) {
            registered.increment();
        } else if ("error".equals(type) && frameErrors.size() < 5) {
            frameErrors.add(text.length() > 300 ? text.substring(0, 300) + "..." : text);
        }
    }

    /** Acknowledges the frame at once, as the SDK's autoAck does, then records it against its message. */
    private void deliver(WsClient.Conn conn, String text, long at) {
        int payload = text.indexOf("\"payload\"");
        int head = payload < 0 ? text.length() : payload;
        String agent = stringField(text, "agent", head);
        long seq = numberField(text, "seq", head);
        if (agent != null && seq >= 0 && !client.send(conn, "{\"v\":1,\"type\":\"delivery.ack\",\"agent\":\""
                + agent + "\",\"up_to_seq\":" + seq + "}")) {
            ackFailures.increment();
        }
        if (seq <= 0) {
            return; // an ephemeral frame (seq 0): no message of ours
        }
        long previous = lastSeq.getAndAccumulate(conn.slot, seq, Math::max);
        if (seq <= previous) {
            outOfOrder.increment();
        }
        int mark = text.indexOf(MARK, head);
        int colon = mark < 0 ? -1 : text.indexOf(':', mark + MARK.length());
        int end = colon < 0 ? -1 : text.indexOf(']', colon);
        Tracker tracker = end < 0 ? null : trackers.get(Integer.parseInt(text.substring(mark + MARK.length(), colon)));
        if (tracker == null) {
            unmarked.increment();
            return;
        }
        tracker.arrived(Integer.parseInt(text.substring(colon + 1, end)), conn.slot, at);
    }

    /** The value of the first {@code "name":"…"} before {@code limit}, or null. */
    static String stringField(String text, String name, int limit) {
        String key = "\"" + name + "\":\"";
        int at = text.indexOf(key);
        if (at < 0 || at > limit) {
            return null;
        }
        int from = at + key.length();
        int to = text.indexOf('"', from);
        return to < 0 ? null : text.substring(from, to);
    }

    /** The value of the first {@code "name":123} before {@code limit}, or -1. */
    static long numberField(String text, String name, int limit) {
        String key = "\"" + name + "\":";
        int at = text.indexOf(key);
        if (at < 0 || at > limit) {
            return -1;
        }
        long value = 0;
        int i = at + key.length();
        int start = i;
        for (; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return i == start ? -1 : value;
    }

    // --- one phase -------------------------------------------------------------------------------------------------

    /** A finished phase: the posts, the deliveries they made and the CPU it took. */
    record Measured(Phase phase, Tracker tracker, Tracker.Outcome outcome, double waitSeconds,
            Map<String, Double> cores, String cpuFields) {

        String result() {
            long[] lat = outcome.sortedLatencies();
            long[] post = phase.okLatencies();
            long[] gen = phase.scheduleLags();
            String errors = phase.errorsByLabel().entrySet().stream()
                    .map(e -> e.getKey().replaceAll("[^A-Za-z0-9_:\"-]+", "_").replace("\"", "") + ":" + e.getValue())
                    .collect(Collectors.joining(","));
            return String.format(Locale.ROOT, "RESULT rate=%d duration=%d posts=%d posts_ok=%d post_errors=%d "
                    + "post_errors_by=%s post_p50_ms=%.3f post_p99_ms=%.3f expected=%d received=%d lost=%d "
                    + "lost_unconnected=%d "
                    + "duplicates=%d misrouted=%d late=%d unconfirmed=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
                    + "p999_ms=%.3f max_ms=%.3f mean_ms=%.3f last_s=%.2f wait_s=%.1f gen_lag_p99_ms=%.3f%s", phase.rate,
                    phase.seconds, phase.n, phase.ok(), phase.errors(), errors.isEmpty() ? "-" : errors,
                    ms(post, 0.5), ms(post, 0.99), outcome.expected(), outcome.received(), outcome.lost(),
                    outcome.lostUnconnected(), tracker.duplicates(), tracker.misrouted(), tracker.late(), outcome.unconfirmed(), ms(lat, 0.5),
                    ms(lat, 0.9), ms(lat, 0.99), ms(lat, 0.999), ms(lat, 1.0), Phase.ms(Phase.mean(lat)),
                    lastAfterDue(), waitSeconds, ms(gen, 0.99), cpuFields);
        }

        /** Seconds from the last post's due time to the last delivery's arrival (NaN when none arrived). */
        double lastAfterDue() {
            return outcome.lastArrival() == 0 ? Double.NaN
                    : (outcome.lastArrival() - phase.dueTime(phase.n - 1)) / 1e9;
        }
    }

    Measured phase(OpenLoop loop, int p, String name, int rate, int seconds, int graceSeconds) throws Exception {
        Tracker tracker = new Tracker(p, rate * seconds, fleet, connected);
        trackers.put(p, tracker);
        Posts posts = new Posts(p, opt.integer("text-bytes", 100));
        ProcessCpu.Sample before = cpu.take();
        ProcessCpu.Timeline timeline = cpu.timeline(Duration.ofSeconds(TIMELINE_SECONDS));
        Phase phase = loop.run(name, rate, seconds, posts, DeliverLoad::problem, Duration.ofSeconds(10));
        long waitStart = System.nanoTime();
        long deadline = phase.dueTime(phase.n - 1) + graceSeconds * 1_000_000_000L;
        while (tracker.missing(phase) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        tracker.freeze();
        double waited = (System.nanoTime() - waitStart) / 1e9;
        List<Map<String, Double>> windows = timeline.stop();
        Map<String, Double> cores = cpu.cores(before, cpu.take());
        Tracker.Outcome outcome = tracker.outcome(phase);

        phase.printSummary(out, "messages");
        out.printf(Locale.ROOT, "  deliveries: %d expected (posts answered 201 × other members of the sender's "
                + "channel), %d received, %d lost (not read %d s after the last post was due; %d of them to agents "
                + "whose socket never opened), %d duplicates, %d misrouted, %d of posts without a 201%n",
                outcome.expected(), outcome.received(), outcome.lost(), graceSeconds, outcome.lostUnconnected(),
                tracker.duplicates(), tracker.misrouted(), outcome.unconfirmed());
        long[] lat = outcome.sortedLatencies();
        out.printf(Locale.ROOT, "  post-to-deliver (ms, post due -> deliver frame read by the recipient): p50 %.3f  "
                + "p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f%n", ms(lat, 0.5), ms(lat, 0.9), ms(lat, 0.99),
                ms(lat, 0.999), ms(lat, 1.0), Phase.ms(Phase.mean(lat)));
        Measured measured = new Measured(phase, tracker, outcome, waited, cores, cpuReport.fields(cores));
        out.printf(Locale.ROOT, "  the last delivery arrived %.2f s after the last post was due (waited %.1f s after "
                + "the posts' answers)%n", measured.lastAfterDue(), waited);
        timeline(phase, tracker, windows);
        out.println("  " + cpuReport.describe(cores));
        return measured;
    }

    /** Delivery latency per window of due time, with the CPU of that window. */
    void timeline(Phase phase, Tracker tracker, List<Map<String, Double>> windows) {
        int per = phase.rate * TIMELINE_SECONDS;
        out.printf(Locale.ROOT, "  deliveries per %d s of due time (ms):", TIMELINE_SECONDS);
        for (int from = 0, k = 0; from < phase.n; from += per, k++) {
            int to = Math.min(phase.n, from + per);
            Tracker.Outcome o = tracker.outcome(phase, from, to);
            long[] lat = o.sortedLatencies();
            out.printf(Locale.ROOT, "%n    %3d-%3d s: received %6d  lost %5d  p50 %9.3f  p99 %9.3f  max %9.3f",
                    from / phase.rate, to / phase.rate, o.received(), o.lost(), ms(lat, 0.5), ms(lat, 0.99),
                    ms(lat, 1.0));
            if (k < windows.size()) {
                out.print("  | " + cpuReport.brief(windows.get(k)));
            }
        }
        out.println();
    }

    /** A right answer is HTTP 201 with {@code "ok":true}; errors are labelled by status and error code. */
    static String problem(HttpConnection.Response response) {
        return response.status() == 201 && response.contains(OK_TRUE)
                ? null
                : response.label();
    }

    /** Request {@code i}: agent {@code i mod agents} posts {@code [pd:PHASE:i] …} to its channel. */
    final class Posts implements OpenLoop.Requests {
        private final byte[][] heads; // per agent, up to "Content-Length: "
        private final int phase;
        private final String padding;
        private final int textBytes;

        Posts(int phase, int textBytes) {
            this.phase = phase;
            this.textBytes = textBytes;
            this.padding = "lorem ipsum dolor sit amet ".repeat(textBytes / 27 + 1);
            this.heads = new byte[fleet.size()][];
            for (int a = 0; a < fleet.size(); a++) {
                heads[a] = HttpConnection.jsonPostHead(gateway.getHost(), gateway.getPort(), "/v1/channels/"
                        + Fleet.channelName(fleet.channelOf(a)) + "/messages", fleet.agents.get(a).token());
            }
        }

        @Override
        public byte[] request(int index) {
            int agent = fleet.sender(index);
            String text = MARK + phase + ":" + index + "] run " + runId + " from " + Fleet.agentName(agent) + ": ";
            text += padding.substring(0, Math.max(0, textBytes - text.length()));
            return HttpConnection.request(heads[agent], ("{\"text\":\"" + text + "\"}").getBytes(
                    StandardCharsets.UTF_8));
        }
    }

    // --- where the time went ---------------------------------------------------------------------------------------

    void stages(List<Measured> measured) throws IOException, InterruptedException {
        Stages stages = new Stages(opt.required("pg"), databases, fleet.workspaceId, epochOffset);
        StringBuilder md = new StringBuilder();
        for (Measured m : measured) {
            Stages.Split split = stages.split(fleet, m.phase(), m.tracker());
            String table = Stages.table(split);
            out.printf(Locale.ROOT, "%nwhere the time went at %d/s (from the services' timestamps):%n%s",
                    m.phase().rate, table);
            md.append(String.format(Locale.ROOT, "Where the time went at %d messages/s, per delivery, from the "
                    + "timestamps the services store (see `Stages.java`):%n%n%s%n", m.phase().rate, table));
        }
        if (opt.has("markdown")) {
            Files.writeString(Path.of(opt.required("markdown")), md.toString());
        }
    }

    static double ms(long[] sorted, double p) {
        return Phase.ms(Phase.pct(sorted, p));
    }
}
