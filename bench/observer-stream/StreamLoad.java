import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The observer stream {@code /v1/ws} of observer-gateway under many sockets: the heap an idle socket costs, how long
 * one channel message takes to reach the last of many observers, and how long a revoked observer token's socket
 * stays open. JDK only; run.sh compiles it with the load kit ({@code bench/loadkit}: {@link WsClient},
 * {@link JsonApi}, {@link Args}, {@link ProcessCpu}):
 *
 * <pre>
 * java -cp CLASSES StreamLoad --gateway http://127.0.0.1:28787 --management http://127.0.0.1:29787
 *     --gateway-pid PID [--pids gateway=PID,auth=PID,...] [--databases auth=relay_auth_bench,...]
 *     [--redis 127.0.0.1:6379] [--redis-namespace relaybench] [--phases idle,fanout,revoke]
 *     [--idle-sockets 10000] [--settle 15] [--fanout-sockets 1000] [--fanout-messages 100]
 *     [--fanout-warmup 10] [--fanout-interval-ms 500] [--revoke-sockets 200] [--revoke-interval-ms 100]
 *     [--tokens 10] [--open-concurrency 64] [--readers 2] [--markdown FILE]
 * </pre>
 *
 * Setup, through the gateway like any client: one workspace, one agent (the poster, a member of {@code general}),
 * {@code --tokens} observer tokens with {@code stream:read} and {@code messages:read} that the idle and fan-out
 * sockets share round-robin, and one more such token per revocation socket.
 */
public class StreamLoad {

    static final Pattern GAUGE = Pattern.compile("(?m)^relay_observer_sockets(?:\\{[^}]*})?\\s+([0-9.eE+-]+)");
    static final PrintStream out = System.out;

    final Args opt;
    final URI gateway;
    final String management;
    final long gatewayPid;
    final JsonApi api;
    final WsClient client;
    final ProcessCpu cpu;
    final String runId = Long.toString(System.currentTimeMillis(), 36);
    final int openConcurrency;
    final StringBuilder md = new StringBuilder(); // the result file's measured sections
    final List<String> results = new ArrayList<>(); // RESULT lines for run.sh
    Setup setup;

    StreamLoad(Args opt) throws IOException {
        this.opt = opt;
        this.gateway = URI.create(opt.required("gateway"));
        this.management = opt.required("management");
        this.gatewayPid = Long.parseLong(opt.required("gateway-pid"));
        this.api = new JsonApi(gateway);
        this.client = new WsClient(gateway.getHost(), gateway.getPort(), integer("readers", 2));
        Map<String, Long> pids = new LinkedHashMap<>();
        Args.pairs(opt.get("pids", "gateway=" + gatewayPid)).forEach((k, v) -> pids.put(k, Long.parseLong(v)));
        this.cpu = new ProcessCpu(pids, List.copyOf(Args.pairs(opt.get("databases", "")).values()));
        this.openConcurrency = integer("open-concurrency", 64);
    }

    public static void main(String[] args) throws Exception {
        StreamLoad load = new StreamLoad(Args.parse(args));
        load.run();
        System.exit(0); // the HTTP client's and readers' threads are daemons, but leave no doubt
    }

    void run() throws Exception {
        List<String> phases = Arrays.asList(opt.get("phases", "idle,fanout,revoke").split(","));
        int idle = phases.contains("idle") ? integer("idle-sockets", 10_000) : 0;
        int fanout = phases.contains("fanout") ? integer("fanout-sockets", 1000) : 0;
        int revoke = phases.contains("revoke") ? integer("revoke-sockets", 200) : 0;
        int tokens = integer("tokens", 10);
        setup = Setup.create(api, "bench-observer-stream-" + runId, tokens, revoke);
        out.printf(Locale.ROOT, "stream-load: workspace %s, agent %s, %d shared observer tokens and %d to revoke "
                + "(scopes stream:read, messages:read; setup %.1f s through the gateway)%n", setup.workspaceId,
                setup.agentName, tokens, revoke, setup.seconds);
        if (idle > 0) {
            idle(idle);
        }
        if (fanout > 0) {
            fanout(fanout);
        }
        if (revoke > 0) {
            revoke(revoke);
        }
        if (opt.has("markdown")) {
            Files.writeString(Path.of(opt.required("markdown")), md.toString());
        }
        results.forEach(out::println);
        out.println("stream-load: done");
    }

    // --- 1. idle sockets: heap per socket ------------------------------------------------------------------------

    void idle(int count) throws Exception {
        int settle = integer("settle", 15);
        out.printf(Locale.ROOT, "%n== idle: %d sockets on %d shared tokens ==%n", count, setup.shared.size());

        // Warm-up, not measured: the stream's code paths, the workspace's Redis subscription and the JIT.
        WsClient.Opened warm = client.open(200, i -> setup.shared.get(i % setup.shared.size()), openConcurrency);
        pingAll(warm.conns(), 15);
        closeAll(warm.conns(), 30);
        waitForGauge(0, 30);
        out.printf(Locale.ROOT, "warm-up: opened %d (%d failed), pinged and closed 200 sockets%n",
                warm.conns().size(), warm.failed());

        Gateway.Sample before = Gateway.sample(gatewayPid, management, "before");
        out.println(before.describe());

        ProcessCpu.Sample cpuOpen = cpu.take();
        WsClient.Opened opened = client.open(count, i -> setup.shared.get(i % setup.shared.size()), openConcurrency);
        Map<String, Double> openCores = cpu.cores(cpuOpen, cpu.take());
        List<WsClient.Conn> conns = opened.conns();
        out.printf(Locale.ROOT, "opened %d of %d sockets in %.1f s (%.0f/s, %d at a time; %s); handshake p50 %.1f ms, "
                + "p99 %.1f ms, max %.1f ms%n", conns.size(), count, opened.seconds(), conns.size() / opened.seconds(),
                openConcurrency, failures(opened), ms(opened.handshakeNanos(), 0.5), ms(opened.handshakeNanos(), 0.99),
                ms(opened.handshakeNanos(), 1.0));
        out.println("  CPU while opening: " + describe(openCores));

        ProcessCpu.Sample cpuIdle = cpu.take();
        Thread.sleep(settle * 1000L);
        Map<String, Double> idleCores = cpu.cores(cpuIdle, cpu.take());
        int eventsWhileIdle = conns.stream().mapToInt(c -> c.events).sum();
        int closedWhileIdle = (int) conns.stream().filter(c -> !c.open()).count();
        out.printf(Locale.ROOT, "idle for %d s: %d frames received, %d sockets closed; CPU: %s%n", settle,
                eventsWhileIdle, closedWhileIdle, describe(idleCores));

        long[] rtt = pingAll(conns, 30);
        int alive = rtt.length;
        out.printf(Locale.ROOT, "ping: %d of %d sockets answered pong; ping->pong p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                alive, conns.size(), ms(rtt, 0.5), ms(rtt, 0.99), ms(rtt, 1.0));

        Gateway.Sample with = Gateway.sample(gatewayPid, management, "with sockets");
        out.println(with.describe());

        closeAll(conns, 60);
        boolean drained = waitForGauge(0, 60);
        Gateway.Sample after = Gateway.sample(gatewayPid, management, "after closing them");
        out.println(after.describe() + (drained ? "" : " (the gateway still counted sockets after 60 s)"));

        int n = conns.size();
        double liveKb = (with.liveBytes() - before.liveBytes()) / 1024.0 / n;
        double usedKb = (with.heapUsedK() - before.heapUsedK()) / (double) n;
        double rssKb = (with.rssK() - before.rssK()) / (double) n;
        double leftKb = (after.liveBytes() - before.liveBytes()) / 1024.0;
        boolean met = liveKb <= 30 && alive == count;
        List<Map.Entry<String, long[]>> classes = Gateway.deltas(before, with);

        out.printf(Locale.ROOT, "heap per idle socket: %.2f KB live (class histogram after a full GC), %.2f KB heap "
                + "used (GC.heap_info), RSS %.2f KB; target <= 30 KB: %s%n", liveKb, usedKb, rssKb,
                met ? "met" : "MISSED");

        md.append("## 1. Idle sockets: heap per socket\n\n");
        md.append(String.format(Locale.ROOT, """
                %,d sockets opened on `/v1/ws?token=…` (%d observer tokens shared round-robin, scopes `stream:read`,
                `messages:read`), %d handshakes at a time, after a warm-up of 200 sockets opened, pinged and closed.
                Each heap figure is taken after a full GC (`jcmd %d GC.run`, then `GC.class_histogram`, which collects
                again before counting): before opening them, with them open (after %d s idle and one ping/pong on
                every socket), and after closing them all.

                | | before | with %,d sockets | after closing them | per socket |
                |---|---:|---:|---:|---:|
                | live heap (class histogram total) | %s | %s | %s | **%.2f KB** |
                | heap used (`GC.heap_info`) | %s | %s | %s | %.2f KB |
                | heap committed | %s | %s | %s | |
                | RSS (`/proc/<pid>/status` VmRSS) | %s | %s | %s | %.2f KB |
                | RssAnon | %s | %s | %s | %.2f KB |
                | gateway threads | %d | %d | %d | |
                | gateway file descriptors | %d | %d | %d | |
                | gateway's `relay_observer_sockets` gauge | %s | %s | %s | |

                **Target: at most 30 KB per idle socket: %s** (%.2f KB live heap per socket; all %,d answered a ping: %s).
                Heap left after closing them all, compared with before: %+.1f KB (%s).

                Opening: %,d of %,d in %.1f s (%.0f/s), handshake (connect to 101) p50 %.1f ms, p99 %.1f ms, max %.1f ms;
                failures: %s. Idle %d s: %d frames received, %d sockets closed. Ping to pong on all %,d: p50 %.1f ms,
                p99 %.1f ms, max %.1f ms.

                CPU (average cores) while opening: %s.
                While the sockets sat idle: %s.

                Where the heap went: the classes whose live bytes grew most between "before" and "with sockets",
                per socket:

                | class | bytes per socket | instances per socket |
                |---|---:|---:|
                """, n, setup.shared.size(), openConcurrency, gatewayPid, settle, n,
                mib(before.liveBytes()), mib(with.liveBytes()), mib(after.liveBytes()), liveKb,
                mibK(before.heapUsedK()), mibK(with.heapUsedK()), mibK(after.heapUsedK()), usedKb,
                mibK(before.heapCommittedK()), mibK(with.heapCommittedK()), mibK(after.heapCommittedK()),
                mibK(before.rssK()), mibK(with.rssK()), mibK(after.rssK()), rssKb,
                mibK(before.rssAnonK()), mibK(with.rssAnonK()), mibK(after.rssAnonK()),
                (with.rssAnonK() - before.rssAnonK()) / (double) n,
                before.threads(), with.threads(), after.threads(), before.fds(), with.fds(), after.fds(),
                before.gauge(), with.gauge(), after.gauge(),
                met ? "met" : "MISSED", liveKb, n, alive == n ? "yes" : "no, " + alive,
                leftKb, Math.abs(leftKb) < n * 0.1 ? "nothing per socket is left behind"
                        : String.format(Locale.ROOT, "%.2f KB per socket closed", leftKb / n),
                n, count, opened.seconds(), n / opened.seconds(), ms(opened.handshakeNanos(), 0.5),
                ms(opened.handshakeNanos(), 0.99), ms(opened.handshakeNanos(), 1.0), failures(opened), settle,
                eventsWhileIdle, closedWhileIdle, n, ms(rtt, 0.5), ms(rtt, 0.99), ms(rtt, 1.0),
                describe(openCores), describe(idleCores)));
        long shown = 0;
        for (Map.Entry<String, long[]> e : classes.subList(0, Math.min(20, classes.size()))) {
            md.append(String.format(Locale.ROOT, "| `%s` | %.0f | %.2f |%n", e.getKey(), e.getValue()[1] / (double) n,
                    e.getValue()[0] / (double) n));
            shown += e.getValue()[1];
        }
        long total = with.liveBytes() - before.liveBytes();
        md.append(String.format(Locale.ROOT, "| (all other classes) | %.0f | |%n| **total** | **%.0f** | |%n%n",
                (total - shown) / (double) n, total / (double) n));

        results.add(String.format(Locale.ROOT, "RESULT phase=idle sockets=%d requested=%d alive=%d kb_per_socket=%.2f "
                + "kb_used_per_socket=%.2f rss_kb_per_socket=%.2f target_kb=30 verdict=%s other_cores=%.2f", n, count,
                alive, liveKb, usedKb, rssKb, met ? "met" : "MISSED", Math.max(openCores.get("other"),
                        idleCores.get("other"))));
    }

    // --- 2. fan-out: one message to many observers ---------------------------------------------------------------

    void fanout(int count) throws Exception {
        int warmup = integer("fanout-warmup", 10);
        int measured = integer("fanout-messages", 100);
        int interval = integer("fanout-interval-ms", 500);
        int total = warmup + measured;
        out.printf(Locale.ROOT, "%n== fan-out: %d sockets, %d messages (%d warm-up) one every %d ms ==%n", count, total,
                warmup, interval);
        String prewarmed = prewarm(integer("fanout-prewarm", 2000), integer("fanout-prewarm-rate", 100));
        WsClient.Opened opened = client.open(count, i -> setup.shared.get(i % setup.shared.size()), openConcurrency);
        List<WsClient.Conn> conns = opened.conns();
        long[] rtt = pingAll(conns, 30);
        out.printf(Locale.ROOT, "opened %d of %d sockets (%s); %d answered a ping%n", conns.size(), count,
                failures(opened), rtt.length);
        int n = conns.size();

        String marker = "[fo:" + runId + ":";
        long[][] received = new long[total][n];
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger others = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger(); // written after each receipt: makes them visible here
        client.listener = (conn, text, at) -> {
            int m = text.indexOf(marker);
            if (m < 0 || !text.contains("\"type\":\"message.created\"")) {
                others.incrementAndGet();
                return;
            }
            int k = 0;
            for (int i = m + marker.length(); i < text.length() && Character.isDigit(text.charAt(i)); i++) {
                k = k * 10 + (text.charAt(i) - '0');
            }
            if (k < total && conn.slot < n) {
                if (received[k][conn.slot] == 0) {
                    received[k][conn.slot] = at;
                    delivered.incrementAndGet();
                } else {
                    duplicates.incrementAndGet();
                }
            }
        };
        RedisWatch redis = RedisWatch.start(opt.get("redis", null), opt.get("redis-namespace", "relay")
                + ":events:ws:" + setup.workspaceId, marker, total);

        long[] started = new long[total];
        long[] lag = new long[total];
        AtomicLongArray answered = new AtomicLongArray(total);
        String[] outcome = new String[total];
        List<CompletableFuture<?>> posts = new ArrayList<>();
        ProcessCpu.Sample cpuStart = null;
        long first = System.nanoTime() + 500_000_000L;
        for (int k = 0; k < total; k++) {
            long due = first + (long) k * interval * 1_000_000L;
            if (k == warmup) {
                cpuStart = cpu.take();
            }
            sleepUntil(due);
            String text = String.format(Locale.ROOT, "fan-out %s%d] message %d of the observer-stream bench; lorem "
                    + "ipsum dolor sit amet", marker, k, k);
            started[k] = System.nanoTime();
            lag[k] = started[k] - due;
            int index = k;
            posts.add(api.async("POST", "/v1/channels/general/messages", setup.agentToken,
                    "{\"text\":\"" + text + "\"}").whenComplete((response, failure) -> {
                        answered.set(index, System.nanoTime());
                        outcome[index] = failure != null ? "I/O " + failure.getClass().getSimpleName()
                                : response.statusCode() == 201 ? null : "HTTP " + response.statusCode();
                    }));
        }
        long lastDue = first + (long) (total - 1) * interval * 1_000_000L;
        long deadline = lastDue + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && !allReceived(received, delivered, warmup, conns)) {
            Thread.sleep(20);
        }
        Map<String, Double> cores = cpu.cores(cpuStart, cpu.take());
        CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).exceptionally(x -> null).get(15,
                TimeUnit.SECONDS);
        redis.stop();
        client.listener = (conn, text, at) -> {
        };
        Thread.sleep(100);
        out.printf(Locale.ROOT, "%d deliveries of marked messages seen%n", delivered.get());

        // Per measured message: POST start to its answer, to Redis, to the first and to the last socket.
        long[] last = new long[measured];
        long[] firstSock = new long[measured];
        long[] answer = new long[measured];
        long[] toRedis = new long[measured];
        long[] spread = new long[measured];
        long[] perSocket = new long[measured * n];
        int samples = 0;
        int missing = 0;
        int incomplete = 0;
        int errors = 0;
        int redisSeen = 0;
        StringBuilder timeline = new StringBuilder();
        for (int j = 0; j < measured; j++) {
            int k = warmup + j;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            int got = 0;
            for (int s = 0; s < n; s++) {
                long at = received[k][s];
                if (at == 0) {
                    continue;
                }
                long d = at - started[k];
                perSocket[samples++] = d;
                min = Math.min(min, d);
                max = Math.max(max, d);
                got++;
            }
            missing += n - got;
            if (got < n) {
                incomplete++;
                max = Long.MAX_VALUE; // the last socket never had it: counted as infinitely late
            }
            if (outcome[k] != null) {
                errors++;
            }
            last[j] = max;
            firstSock[j] = got == 0 ? Long.MAX_VALUE : min;
            answer[j] = answered.get(k) - started[k];
            long r = redis.at(k);
            toRedis[j] = r == 0 ? Long.MAX_VALUE : r - started[k];
            redisSeen += r == 0 ? 0 : 1;
            spread[j] = got == 0 ? Long.MAX_VALUE : max == Long.MAX_VALUE ? Long.MAX_VALUE : max - min;
            timeline.append(String.format(Locale.ROOT, "  #%-3d POST answered %7.1f ms  Redis %7s  first %7s  last "
                    + "%7s  (%d/%d sockets)%s%n", k, ms(answer[j]), msOrDash(toRedis[j]), msOrDash(firstSock[j]),
                    msOrDash(last[j]), got, n, outcome[k] == null ? "" : "  " + outcome[k]));
        }
        long[] perSocketSorted = Arrays.copyOf(perSocket, samples);
        Arrays.sort(perSocketSorted);
        long[] lastSorted = sorted(last);
        long[] firstSorted = sorted(firstSock);
        long[] answerSorted = sorted(answer);
        long[] redisSorted = sorted(toRedis);
        long[] spreadSorted = sorted(spread);
        long[] lagSorted = sorted(Arrays.copyOfRange(lag, warmup, total));
        boolean met = errors == 0 && missing == 0 && pct(lastSorted, 0.99) <= 100e6;

        out.println("per measured message, from the POST's start:");
        out.print(timeline);
        out.printf(Locale.ROOT, "last socket: p50 %s ms, p99 %s ms, max %s ms; target p99 <= 100 ms: %s%n",
                msOrDash(pct(lastSorted, 0.5)), msOrDash(pct(lastSorted, 0.99)), msOrDash(pct(lastSorted, 1.0)),
                met ? "met" : "MISSED");
        out.printf(Locale.ROOT, "every socket's delivery: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max "
                + "%.1f ms (%d deliveries, %d missing, %d duplicates, %d other frames, seq problems %d)%n",
                ms(perSocketSorted, 0.5), ms(perSocketSorted, 0.9), ms(perSocketSorted, 0.99),
                ms(perSocketSorted, 0.999), ms(perSocketSorted, 1.0), samples, missing, duplicates.get(), others.get(),
                conns.stream().mapToInt(c -> c.seqProblems).sum());
        out.println("  CPU during the measured messages: " + describe(cores));

        md.append("## 2. Fan-out: one message to many observers\n\n");
        md.append(String.format(Locale.ROOT, """
                Before the sockets opened, the agent posted messages to warm the posting path up (not measured):
                %s.

                %,d sockets open (%d shared observer tokens with `messages:read`); the agent posts one message to
                `general` every %d ms (%d warm-up messages, then %d measured), each with a marker the sockets look for
                in their `message.created` frame. Each message's time runs from the start of its
                `POST /v1/channels/general/messages` (through the gateway, keep-alive connection) to the read in which
                the **last** of the %,d sockets got the frame (the client's selector threads time-stamp every read);
                a message some socket never got counts as infinitely late. Nearest-rank percentiles over the %d
                measured messages (p99 of %d values is the %s highest).

                | from the POST's start to | p50 ms | p90 ms | p99 ms | max ms |
                |---|---:|---:|---:|---:|
                | the POST's answer (201) | %s | %s | %s | %s |
                | the event on Redis (seen by a bench subscriber of the gateway's channel) | %s | %s | %s | %s |
                | the first socket has it | %s | %s | %s | %s |
                | **the last socket has it** | **%s** | %s | **%s** | %s |
                | first to last socket (spread) | %s | %s | %s | %s |

                **Target: fan-out p99 at most 100 ms: %s** (p99 %s ms).

                Every socket's delivery (%,d deliveries): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms,
                max %.1f ms; %d missing, %d duplicates, %d seq going backwards, POST errors %d, other frames %d.
                Generator lag (POST started late against its schedule) p99 %.2f ms.
                CPU (average cores) over the measured messages: %s.

                """, prewarmed.replaceFirst("^pre-warm: ", ""), n, setup.shared.size(), interval, warmup,
                measured, n, measured, measured,
                ordinalFromTop(measured), msOrDash(pct(answerSorted, 0.5)), msOrDash(pct(answerSorted, 0.9)),
                msOrDash(pct(answerSorted, 0.99)), msOrDash(pct(answerSorted, 1.0)),
                redisSeen == 0 ? "n/a" : msOrDash(pct(redisSorted, 0.5)), msOrDash(pct(redisSorted, 0.9)),
                msOrDash(pct(redisSorted, 0.99)), msOrDash(pct(redisSorted, 1.0)), msOrDash(pct(firstSorted, 0.5)),
                msOrDash(pct(firstSorted, 0.9)), msOrDash(pct(firstSorted, 0.99)), msOrDash(pct(firstSorted, 1.0)),
                msOrDash(pct(lastSorted, 0.5)), msOrDash(pct(lastSorted, 0.9)), msOrDash(pct(lastSorted, 0.99)),
                msOrDash(pct(lastSorted, 1.0)), msOrDash(pct(spreadSorted, 0.5)), msOrDash(pct(spreadSorted, 0.9)),
                msOrDash(pct(spreadSorted, 0.99)), msOrDash(pct(spreadSorted, 1.0)), met ? "met" : "MISSED",
                msOrDash(pct(lastSorted, 0.99)), samples, ms(perSocketSorted, 0.5), ms(perSocketSorted, 0.9),
                ms(perSocketSorted, 0.99), ms(perSocketSorted, 0.999), ms(perSocketSorted, 1.0), missing,
                duplicates.get(), conns.stream().mapToInt(c -> c.seqProblems).sum(), errors, others.get(),
                ms(lagSorted, 0.99), describe(cores)));

        results.add(String.format(Locale.ROOT, "RESULT phase=fanout sockets=%d messages=%d last_p50_ms=%s "
                + "last_p99_ms=%s last_max_ms=%s socket_p50_ms=%.1f socket_p99_ms=%.1f missing=%d errors=%d "
                + "incomplete=%d target_ms=100 verdict=%s other_cores=%.2f", n, measured,
                msOrDash(pct(lastSorted, 0.5)), msOrDash(pct(lastSorted, 0.99)), msOrDash(pct(lastSorted, 1.0)),
                ms(perSocketSorted, 0.5), ms(perSocketSorted, 0.99), missing, errors, incomplete,
                met ? "met" : "MISSED", cores.get("other")));
        closeAll(conns, 30);
        waitForGauge(0, 30);
    }

    /**
     * Posts {@code count} messages at {@code rate}/s before any fan-out socket is open, so that the posting path
     * (gateway proxy, workspace-service, outbox) is compiled rather than interpreted when the fan-out is measured;
     * returns a line on how those posts went (their latency from due time, per quarter of them).
     */
    String prewarm(int count, int rate) throws Exception {
        if (count <= 0) {
            return "no pre-warm";
        }
        long[] took = new long[count];
        int[] failed = new int[1];
        List<CompletableFuture<?>> posts = new ArrayList<>();
        long first = System.nanoTime() + 100_000_000L;
        for (int i = 0; i < count; i++) {
            long due = first + i * 1_000_000_000L / rate;
            sleepUntil(due);
            int index = i;
            posts.add(api.async("POST", "/v1/channels/general/messages", setup.agentToken,
                    "{\"text\":\"pre-warm " + runId + " #" + i + " lorem ipsum dolor sit amet\"}")
                    .whenComplete((response, failure) -> {
                        took[index] = System.nanoTime() - due;
                        if (failure != null || response.statusCode() != 201) {
                            synchronized (failed) {
                                failed[0]++;
                            }
                        }
                    }));
        }
        CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).exceptionally(x -> null).get(60,
                TimeUnit.SECONDS);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "pre-warm: %d posts at %d/s before the sockets opened (not measured), %d failed; latency from due time",
                count, rate, failed[0]));
        for (int from = 0; from < count; from += Math.max(1, count / 4)) {
            long[] part = sorted(Arrays.copyOfRange(took, from, Math.min(count, from + Math.max(1, count / 4))));
            line.append(String.format(Locale.ROOT, "; posts %d-%d p50 %.1f ms p99 %.1f ms", from + 1,
                    from + part.length, ms(part, 0.5), ms(part, 0.99)));
        }
        out.println(line);
        Thread.sleep(2000); // let the outbox and delivery-service catch up before measuring
        return line.toString();
    }

    /** Whether every open socket has every measured message ({@code delivered} is read first, for visibility). */
    private static boolean allReceived(long[][] received, AtomicInteger delivered, int from,
            List<WsClient.Conn> conns) {
        if (delivered.get() < 0) {
            return false;
        }
        for (int k = from; k < received.length; k++) {
            for (int s = 0; s < conns.size(); s++) {
                if (received[k][s] == 0 && conns.get(s).open()) {
                    return false;
                }
            }
        }
        return true;
    }

    // --- 3. revocation to close ----------------------------------------------------------------------------------

    void revoke(int count) throws Exception {
        int interval = integer("revoke-interval-ms", 100);
        out.printf(Locale.ROOT, "%n== revocation: %d sockets, each on its own observer token, one revoked every %d ms ==%n",
                count, interval);
        WsClient.Opened opened = client.open(count, i -> setup.revocable.get(i).token(), openConcurrency);
        List<WsClient.Conn> conns = opened.conns();
        long[] rtt = pingAll(conns, 30);
        out.printf(Locale.ROOT, "opened %d of %d sockets (%s); %d answered a ping%n", conns.size(), count,
                failures(opened), rtt.length);
        Thread.sleep(1000);

        int n = conns.size();
        long[] started = new long[n];
        long[] lag = new long[n];
        AtomicLongArray answered = new AtomicLongArray(n);
        String[] outcome = new String[n];
        List<CompletableFuture<?>> deletes = new ArrayList<>();
        ProcessCpu.Sample cpuStart = cpu.take();
        long first = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < n; i++) {
            WsClient.Conn conn = conns.get(i);
            long due = first + (long) i * interval * 1_000_000L;
            sleepUntil(due);
            started[i] = System.nanoTime();
            lag[i] = started[i] - due;
            int index = i;
            deletes.add(api.async("DELETE", "/v1/observer-tokens/" + setup.revocable.get(conn.slot).id(), setup.key,
                    null).whenComplete((response, failure) -> {
                        answered.set(index, System.nanoTime());
                        outcome[index] = failure != null ? "I/O " + failure.getClass().getSimpleName()
                                : response.statusCode() == 204 ? null : "HTTP " + response.statusCode();
                    }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && conns.stream().anyMatch(WsClient.Conn::open)) {
            Thread.sleep(20);
        }
        Map<String, Double> cores = cpu.cores(cpuStart, cpu.take());
        CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).exceptionally(x -> null).get(15,
                TimeUnit.SECONDS);

        long[] toClose = new long[n];
        long[] answer = new long[n];
        Map<String, Integer> closes = new TreeMap<>();
        int early = 0;
        int open = 0;
        int errors = 0;
        int beforeAnswer = 0;
        for (int i = 0; i < n; i++) {
            WsClient.Conn c = conns.get(i);
            answer[i] = answered.get(i) - started[i];
            if (outcome[i] != null) {
                errors++;
            }
            long closed = c.closedAt();
            if (closed == 0) {
                open++;
                toClose[i] = Long.MAX_VALUE;
                closes.merge("still open after 10 s", 1, Integer::sum);
                continue;
            }
            if (closed < started[i]) {
                early++;
            }
            if (answered.get(i) != 0 && closed < answered.get(i)) {
                beforeAnswer++;
            }
            toClose[i] = closed - started[i];
            String how = c.closeFrameAt != 0 ? c.closeCode + " " + c.closeReason : "no close frame (connection ended)";
            closes.merge(how, 1, Integer::sum);
        }
        long[] closeSorted = sorted(toClose);
        long[] answerSorted = sorted(answer);
        long[] lagSorted = sorted(lag);
        boolean met = open == 0 && early == 0 && errors == 0 && pct(closeSorted, 0.99) <= 1e9;
        String codes = closes.entrySet().stream().map(e -> e.getValue() + " × `" + e.getKey() + "`")
                .collect(Collectors.joining(", "));

        out.printf(Locale.ROOT, "DELETE start to close frame: p50 %s ms, p90 %s ms, p99 %s ms, max %s ms; target p99 "
                + "<= 1000 ms: %s%n", msOrDash(pct(closeSorted, 0.5)), msOrDash(pct(closeSorted, 0.9)),
                msOrDash(pct(closeSorted, 0.99)), msOrDash(pct(closeSorted, 1.0)), met ? "met" : "MISSED");
        out.printf(Locale.ROOT, "DELETE answered (204): p50 %.1f ms, p99 %.1f ms; closes: %s; %d closed before their "
                + "DELETE started, %d before its answer, %d errors%n", ms(answerSorted, 0.5), ms(answerSorted, 0.99),
                codes, early, beforeAnswer, errors);
        out.println("  CPU during the revocations: " + describe(cores));

        md.append("## 3. Revocation to close\n\n");
        md.append(String.format(Locale.ROOT, """
                %,d sockets, each on an observer token of its own; one token revoked every %d ms with
                `DELETE /v1/observer-tokens/:id` (workspace key, through the gateway). Each time runs from the
                DELETE's start to the read in which its socket's close frame arrived (or, without one, the end of the
                connection). Nearest-rank percentiles over the %,d sockets.

                | from the DELETE's start to | p50 ms | p90 ms | p99 ms | max ms |
                |---|---:|---:|---:|---:|
                | the DELETE's answer (204) | %.1f | %.1f | %.1f | %.1f |
                | **the socket's close** | **%s** | %s | **%s** | %s |

                **Target: revocation-to-close p99 at most 1 s: %s** (p99 %s ms).

                Closes: %s. %d sockets closed before their DELETE started, %d before the DELETE's answer arrived, %d
                still open after 10 s; DELETE errors: %d. Generator lag p99 %.2f ms.
                CPU (average cores) during the revocations: %s.

                """, n, interval, n, ms(answerSorted, 0.5), ms(answerSorted, 0.9), ms(answerSorted, 0.99),
                ms(answerSorted, 1.0), msOrDash(pct(closeSorted, 0.5)), msOrDash(pct(closeSorted, 0.9)),
                msOrDash(pct(closeSorted, 0.99)), msOrDash(pct(closeSorted, 1.0)), met ? "met" : "MISSED",
                msOrDash(pct(closeSorted, 0.99)), codes, early, beforeAnswer, open, errors, ms(lagSorted, 0.99),
                describe(cores)));
        results.add(String.format(Locale.ROOT, "RESULT phase=revoke sockets=%d close_p50_ms=%s close_p99_ms=%s "
                + "close_max_ms=%s still_open=%d early=%d errors=%d codes=%s target_ms=1000 verdict=%s "
                + "other_cores=%.2f", n, msOrDash(pct(closeSorted, 0.5)), msOrDash(pct(closeSorted, 0.99)),
                msOrDash(pct(closeSorted, 1.0)), open, early, errors, codes.replaceAll("[^A-Za-z0-9_:,.×-]+", "_"),
                met ? "met" : "MISSED", cores.get("other")));
        conns.forEach(client::abort);
    }

    // --- helpers over the client ---------------------------------------------------------------------------------

    /** Pings every open socket; returns the sorted ping-to-pong times of those that answered within the limit. */
    long[] pingAll(List<WsClient.Conn> conns, int seconds) throws InterruptedException {
        int[] before = conns.stream().mapToInt(c -> c.pongs).toArray();
        for (WsClient.Conn c : conns) {
            if (c.open()) {
                client.ping(c);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int i = 0; i < conns.size() && all; i++) {
                all = conns.get(i).pongs > before[i] || !conns.get(i).open();
            }
            if (all) {
                break;
            }
            Thread.sleep(20);
        }
        List<Long> rtt = new ArrayList<>();
        for (int i = 0; i < conns.size(); i++) {
            WsClient.Conn c = conns.get(i);
            if (c.pongs > before[i]) {
                rtt.add(c.pongAt - c.pingSentAt);
            }
        }
        return rtt.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Closes every socket (client close frame, the server ends the connection); aborts what is left after. */
    void closeAll(List<WsClient.Conn> conns, int seconds) throws InterruptedException {
        conns.forEach(client::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && conns.stream().anyMatch(c -> !c.ended.get())) {
            Thread.sleep(50);
        }
        conns.forEach(client::abort);
    }

    /** Waits until the gateway's relay_observer_sockets gauge shows {@code expected}. */
    boolean waitForGauge(long expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Gateway.gauge(management) == expected) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    String describe(Map<String, Double> cores) {
        return cores.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("postgres/"))
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey().equals("other") ? "everything else"
                        : e.getKey().equals("generator") ? "bench client" : e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    static String failures(WsClient.Opened opened) {
        return opened.failures().isEmpty() ? "no failures" : opened.failures().entrySet().stream()
                .map(e -> e.getValue() + " × " + e.getKey()).collect(Collectors.joining(", "));
    }

    // --- setup: workspace, agent, observer tokens ----------------------------------------------------------------

    record Token(String id, String token) {
    }

    record Setup(String workspaceId, String key, String agentName, String agentToken, List<String> shared,
            List<Token> revocable, double seconds) {

        static Setup create(JsonApi api, String name, int sharedCount, int revocableCount) throws Exception {
            long start = System.nanoTime();
            Map<String, String> ws = JsonApi.fields(api.call("POST", "/v1/workspaces", null, "{\"name\":\"" + name + "\"}",
                    201));
            String key = ws.get("api_key");
            String agentName = "bench-poster";
            String agentToken = JsonApi.fields(api.call("POST", "/v1/agents", key, "{\"name\":\"" + agentName + "\"}", 201))
                    .get("token");
            List<String> shared = new ArrayList<>();
            for (int i = 0; i < sharedCount; i++) {
                shared.add(observer(api, key, "bench-shared-" + i).token());
            }
            List<Token> revocable = new ArrayList<>();
            for (int i = 0; i < revocableCount; i++) {
                revocable.add(observer(api, key, "bench-revoke-" + i));
            }
            return new Setup(ws.get("workspace_id"), key, agentName, agentToken, shared, revocable,
                    (System.nanoTime() - start) / 1e9);
        }

        private static Token observer(JsonApi api, String key, String name) throws Exception {
            Map<String, String> t = JsonApi.fields(api.call("POST", "/v1/observer-tokens", key, "{\"name\":\"" + name
                    + "\",\"scopes\":[\"stream:read\",\"messages:read\"]}", 201));
            if (t.get("id") == null || t.get("token") == null || !t.get("token").startsWith("ot_live_")) {
                throw new IOException("POST /v1/observer-tokens answered without id and token: " + t);
            }
            return new Token(t.get("id"), t.get("token"));
        }
    }

    // --- the gateway process: heap (jcmd), RSS, threads, descriptors, its socket gauge --------------------------

    static final class Gateway {
        static final Pattern HISTO_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
        static final Pattern HISTO_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)");
        static final Pattern HEAP = Pattern.compile("(?:total (?:reserved \\d+K, committed )?)(\\d+)K, used (\\d+)K");

        record Sample(String label, long liveBytes, long liveInstances, long heapUsedK, long heapCommittedK,
                long rssK, long rssAnonK, int threads, int fds, long gauge, Map<String, long[]> classes) {

            String describe() {
                return String.format(Locale.ROOT, "gateway %s: live heap %s, heap used %s of %s committed, RSS %s "
                        + "(anon %s), %d threads, %d fds, relay_observer_sockets %d", label, mib(liveBytes),
                        mibK(heapUsedK), mibK(heapCommittedK), mibK(rssK), mibK(rssAnonK), threads, fds, gauge);
            }
        }

        /** Two forced GCs, then GC.heap_info, then GC.class_histogram (which collects again before counting). */
        static Sample sample(long pid, String management, String label) throws Exception {
            jcmd(pid, "GC.run");
            Thread.sleep(500);
            jcmd(pid, "GC.run");
            Thread.sleep(500);
            String heap = jcmd(pid, "GC.heap_info");
            Matcher h = HEAP.matcher(heap);
            long committed = -1;
            long used = -1;
            if (h.find()) {
                committed = Long.parseLong(h.group(1));
                used = Long.parseLong(h.group(2));
            }
            String histogram = jcmd(pid, "GC.class_histogram");
            Map<String, long[]> classes = new HashMap<>();
            for (String line : histogram.split("\n")) {
                Matcher m = HISTO_LINE.matcher(line);
                if (m.find()) {
                    classes.merge(m.group(3), new long[] { Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) },
                            (a, b) -> new long[] { a[0] + b[0], a[1] + b[1] });
                }
            }
            Matcher total = HISTO_TOTAL.matcher(histogram);
            if (!total.find()) {
                throw new IOException("no Total line in GC.class_histogram of " + pid + ":\n" + histogram.lines()
                        .limit(5).collect(Collectors.joining("\n")));
            }
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            int fds;
            try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = (int) list.count();
            }
            return new Sample(label, Long.parseLong(total.group(2)), Long.parseLong(total.group(1)), used, committed,
                    statusKb(status, "VmRSS"), statusKb(status, "RssAnon"), (int) statusKb(status, "Threads"), fds,
                    gauge(management), classes);
        }

        /** Classes by growth of live bytes from {@code a} to {@code b}: {instances, bytes} deltas, largest first. */
        static List<Map.Entry<String, long[]>> deltas(Sample a, Sample b) {
            Map<String, long[]> d = new HashMap<>();
            b.classes().forEach((name, v) -> {
                long[] was = a.classes().getOrDefault(name, new long[2]);
                d.put(name, new long[] { v[0] - was[0], v[1] - was[1] });
            });
            a.classes().forEach((name, v) -> d.putIfAbsent(name, new long[] { -v[0], -v[1] }));
            List<Map.Entry<String, long[]>> list = new ArrayList<>(d.entrySet());
            list.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
            return list;
        }

        static long gauge(String management) {
            try (var in = URI.create(management + "/q/metrics").toURL().openStream()) {
                Matcher m = GAUGE.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
            } catch (IOException e) {
                return -1;
            }
        }

        private static long statusKb(String status, String field) {
            Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+)").matcher(status);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        private static String jcmd(long pid, String command) throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true)
                    .start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("jcmd " + pid + " " + command + " failed: " + text);
            }
            return text;
        }
    }

    // --- Redis: when each fan-out message was published on the workspace's channel -----------------------------

    /** SUBSCRIBEs to the workspace's event channel and notes when each marked message passed by (best effort). */
    static final class RedisWatch {
        private final long[] seen;
        private final Socket socket;

        private RedisWatch(long[] seen, Socket socket) {
            this.seen = seen;
            this.socket = socket;
        }

        static RedisWatch start(String hostPort, String channel, String marker, int count) {
            long[] seen = new long[count];
            if (hostPort == null) {
                return new RedisWatch(seen, null);
            }
            try {
                String[] hp = hostPort.split(":");
                Socket socket = new Socket(hp[0], Integer.parseInt(hp[1]));
                socket.setTcpNoDelay(true);
                OutputStream o = socket.getOutputStream();
                byte[] name = channel.getBytes(StandardCharsets.UTF_8);
                o.write(("*2\r\n$9\r\nSUBSCRIBE\r\n$" + name.length + "\r\n" + channel + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                o.flush();
                Thread reader = new Thread(() -> read(socket, marker, seen), "redis-watch");
                reader.setDaemon(true);
                reader.start();
                Thread.sleep(200); // the subscription is confirmed long before the first message
                return new RedisWatch(seen, socket);
            } catch (IOException | InterruptedException | RuntimeException e) {
                out.println("stream-load: cannot watch Redis at " + hostPort + " (" + e + "); no Redis column");
                return new RedisWatch(seen, null);
            }
        }

        private static void read(Socket socket, String marker, long[] seen) {
            byte[] buffer = new byte[65536];
            String tail = "";
            try (InputStream in = socket.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    long now = System.nanoTime();
                    String text = tail + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                    int from = 0;
                    int at;
                    while ((at = text.indexOf(marker, from)) >= 0) {
                        int i = at + marker.length();
                        int k = 0;
                        int digits = 0;
                        while (i < text.length() && Character.isDigit(text.charAt(i))) {
                            k = k * 10 + (text.charAt(i++) - '0');
                            digits++;
                        }
                        if (i >= text.length()) {
                            break; // the number may go on in the next read
                        }
                        if (digits > 0 && k < seen.length && seen[k] == 0) {
                            seen[k] = now;
                        }
                        from = i;
                    }
                    int keep = Math.max(from, text.length() - marker.length() - 12);
                    tail = text.substring(Math.max(0, Math.min(keep, text.length())));
                }
            } catch (IOException e) {
                // stopped
            }
        }

        long at(int k) {
            return seen[k];
        }

        void stop() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closed
                }
            }
        }
    }

    // --- numbers and arguments -----------------------------------------------------------------------------------

    static long[] sorted(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    /** Nearest-rank percentile of a sorted array; NaN when empty. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
    }

    static double ms(long[] sorted, double p) {
        return pct(sorted, p) / 1e6;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Milliseconds with one decimal, "never" for a value that did not happen (Long.MAX_VALUE), "-" for none. */
    static String msOrDash(double nanos) {
        if (Double.isNaN(nanos)) {
            return "-";
        }
        if (nanos >= Long.MAX_VALUE / 2.0) {
            return "never";
        }
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    static String ordinalFromTop(int n) {
        int fromTop = n - (int) Math.ceil(0.99 * n) + 1;
        return fromTop == 1 ? "single" : fromTop == 2 ? "second" : fromTop == 3 ? "third" : fromTop + "th";
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    static String mibK(long kb) {
        return kb < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", kb / 1024.0);
    }

    static void sleepUntil(long due) throws InterruptedException {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            if (wait > 2_000_000) {
                Thread.sleep(Duration.ofNanos(wait - 1_000_000));
            } else {
                Thread.onSpinWait();
            }
        }
    }

    int integer(String name, int fallback) {
        return opt.integer(name, fallback);
    }
}
