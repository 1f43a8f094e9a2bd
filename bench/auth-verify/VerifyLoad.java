import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Open-loop load generator for auth-service's {@code POST /internal/credentials/verify}. JDK only; run as a
 * single-file source program:
 *
 * <pre>
 * java bench/auth-verify/VerifyLoad.java --auth http://127.0.0.1:28081 --secrets .relay/bench/secrets/services.env \
 *     [--tokens 1000] [--warmup 10] [--duration 30] [--rates 500,1000] [--connections 32] [--server-pid PID]
 * </pre>
 *
 * <p>
 * Setup (not measured): exchanges the service secrets of {@code observer-gateway} (the verifier) and
 * {@code workspace-service} (the minter) for service JWTs at {@code /internal/service-tokens}, re-fetching them
 * before their 5-minute expiry, and mints {@code --tokens} agent tokens in a fresh workspace through
 * {@code POST /internal/credentials}.
 *
 * <p>
 * Measurement: request {@code i} of a phase is due at {@code start + i / rate} whatever happened before (fixed
 * arrival rate, not "send the next one when the last one came back"). A scheduler thread hands each request to a
 * pool of keep-alive HTTP/1.1 connections at its due time; its latency is taken from the <em>due time</em> to the
 * last byte of the response, so time spent queued behind a slow answer (waiting for a free connection, or late
 * sending) counts, and coordinated omission cannot hide it. Latencies go into a preallocated {@code long[]};
 * percentiles are nearest-rank over the sorted array. Every answer must be HTTP 200 with
 * {@code "outcome":"verified"}; anything else, an I/O error or no answer within the phase's grace time is an error.
 *
 * <p>
 * For each phase it prints a human-readable block and one {@code RESULT key=value ...} line for scripts.
 */
public class VerifyLoad {

    static final String VERIFY_PATH = "/internal/credentials/verify";
    static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern EXPIRES_AT = Pattern.compile("\"expires_at\"\\s*:\\s*\"([^\"]+)\"");
    static final byte[] VERIFIED = "\"outcome\":\"verified\"".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parseArgs(args);
        URI auth = URI.create(required(opt, "auth"));
        Map<String, String> secrets = readEnvFile(Path.of(required(opt, "secrets")));
        int tokenCount = Integer.parseInt(opt.getOrDefault("tokens", "1000"));
        int warmupSeconds = Integer.parseInt(opt.getOrDefault("warmup", "10"));
        int durationSeconds = Integer.parseInt(opt.getOrDefault("duration", "30"));
        int[] rates = Arrays.stream(opt.getOrDefault("rates", "500,1000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim()))
                .toArray();
        int connections = Integer.parseInt(opt.getOrDefault("connections", "32"));
        long serverPid = Long.parseLong(opt.getOrDefault("server-pid", "-1"));
        int pauseSeconds = Integer.parseInt(opt.getOrDefault("pause", "0"));

        HttpClient setupClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        ServiceJwt verifier = new ServiceJwt(setupClient, auth, "observer-gateway",
                secret(secrets, "RELAY_GATEWAY_SECRET"));
        ServiceJwt minter = new ServiceJwt(setupClient, auth, "workspace-service",
                secret(secrets, "RELAY_WORKSPACE_SECRET"));
        verifier.refresh();
        minter.refresh();
        Thread refresher = Thread.ofPlatform().daemon().name("jwt-refresher").start(() -> {
            while (true) {
                try {
                    Thread.sleep(5_000);
                    verifier.refreshIfExpiringWithin(Duration.ofSeconds(90));
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.err.println("verify-load: could not refresh the observer-gateway service JWT: " + e);
                }
            }
        });

        String runId = Long.toString(System.currentTimeMillis(), 36);
        long mintStart = System.nanoTime();
        List<String> tokens = mint(setupClient, auth, minter, tokenCount, runId);
        System.out.printf(Locale.ROOT, "verify-load: minted %d agent tokens in workspace w_bench_%s in %.1f s%n",
                tokens.size(), runId, (System.nanoTime() - mintStart) / 1e9);

        byte[][] bodies = tokens.stream()
                .map(t -> ("{\"token\":\"" + t + "\",\"kinds\":[\"agent_token\"],\"remote_host\":\"127.0.0.1\"}")
                        .getBytes(StandardCharsets.UTF_8))
                .toArray(byte[][]::new);

        Driver driver = new Driver(auth, verifier, bodies, connections);
        driver.start();
        try {
            Phase warm = driver.run("warmup", rates[0], warmupSeconds, serverPid);
            warm.print(System.out, false);
            int failedPhases = 0; // warm-up errors are shown, not judged
            for (int rate : rates) {
                Thread.sleep(pauseSeconds * 1000L);
                Phase phase = driver.run("measure", rate, durationSeconds, serverPid);
                phase.print(System.out, true);
                if (phase.errors() > 0) {
                    failedPhases++;
                }
            }
            System.out.println("verify-load: done" + (failedPhases > 0 ? " (" + failedPhases + " phase(s) had errors)" : ""));
        } finally {
            driver.stop();
            refresher.interrupt();
        }
    }

    // --- setup: service JWTs and minting (plain java.net.http, not measured) ----------------------------------

    /** A service JWT for one service identity, re-fetched before it expires (service JWTs live 5 minutes). */
    static final class ServiceJwt {
        private final HttpClient client;
        private final URI auth;
        private final String service;
        private final String secret;
        private volatile String token;
        private volatile Instant expiresAt = Instant.EPOCH;

        ServiceJwt(HttpClient client, URI auth, String service, String secret) {
            this.client = client;
            this.auth = auth;
            this.service = service;
            this.secret = secret;
        }

        String current() {
            return token;
        }

        String fresh() throws IOException, InterruptedException {
            refreshIfExpiringWithin(Duration.ofSeconds(60));
            return token;
        }

        synchronized void refreshIfExpiringWithin(Duration margin) throws IOException, InterruptedException {
            if (token == null || Instant.now().plus(margin).isAfter(expiresAt)) {
                refresh();
            }
        }

        synchronized void refresh() throws IOException, InterruptedException {
            String body = "{\"service\":\"" + service + "\",\"secret\":\"" + secret + "\"}";
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(auth.resolve("/internal/service-tokens"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Matcher t = TOKEN.matcher(response.body());
            Matcher e = EXPIRES_AT.matcher(response.body());
            if (response.statusCode() != 200 || !t.find()) {
                throw new IOException("service-token exchange as " + service + " answered " + response.statusCode()
                        + " " + response.body());
            }
            token = t.group(1);
            expiresAt = e.find() ? Instant.parse(e.group(1)) : Instant.now().plus(Duration.ofMinutes(4));
        }
    }

    static List<String> mint(HttpClient client, URI auth, ServiceJwt minter, int count, String runId)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    String body = "{\"kind\":\"agent_token\",\"workspace_id\":\"w_bench_" + runId
                            + "\",\"subject_id\":\"a_bench_" + runId + "_" + n + "\",\"subject_name\":\"bench-" + n
                            + "\"}";
                    HttpResponse<String> response = client.send(
                            HttpRequest.newBuilder(auth.resolve("/internal/credentials"))
                                    .timeout(Duration.ofSeconds(10))
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + minter.fresh())
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    Matcher m = TOKEN.matcher(response.body());
                    if (response.statusCode() != 201 || !m.find() || !m.group(1).startsWith("at_live_")) {
                        throw new IOException("minting an agent token answered " + response.statusCode() + " "
                                + response.body());
                    }
                    return m.group(1);
                }));
            }
            List<String> tokens = new ArrayList<>(count);
            for (Future<String> f : futures) {
                tokens.add(f.get());
            }
            return tokens;
        } finally {
            pool.shutdownNow();
        }
    }

    // --- measurement ----------------------------------------------------------------------------------------------

    record Job(Phase phase, int index) {
    }

    /** The scheduler (calling thread) and a fixed pool of keep-alive connections, each served by one thread. */
    static final class Driver {
        private static final Job STOP = new Job(null, -1);
        private final URI auth;
        private final ServiceJwt verifier;
        private final byte[][] bodies;
        private final int connections;
        private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
        private final List<Thread> workers = new ArrayList<>();

        Driver(URI auth, ServiceJwt verifier, byte[][] bodies, int connections) {
            this.auth = auth;
            this.verifier = verifier;
            this.bodies = bodies;
            this.connections = connections;
        }

        void start() {
            for (int c = 0; c < connections; c++) {
                Connection connection = new Connection(auth.getHost(), auth.getPort());
                workers.add(Thread.ofPlatform().name("conn-" + c).daemon().start(() -> serve(connection)));
            }
        }

        void stop() throws InterruptedException {
            queue.clear();
            for (int i = 0; i < workers.size(); i++) {
                queue.put(STOP);
            }
            for (Thread worker : workers) {
                worker.join(5_000);
            }
        }

        private void serve(Connection connection) {
            try {
                while (true) {
                    Job job = queue.take();
                    if (job == STOP) {
                        break;
                    }
                    job.phase().execute(connection, job.index());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                connection.close();
            }
        }

        /** Sends {@code rate * seconds} requests at a fixed rate and waits for their answers (grace: 10 s). */
        Phase run(String name, int rate, int seconds, long serverPid) throws InterruptedException {
            int n = rate * seconds;
            Phase phase = new Phase(name, rate, seconds, n, this);
            CpuSample before = CpuSample.take(serverPid);
            long start = System.nanoTime() + 20_000_000L; // a moment for every connection thread to be waiting
            phase.start = start;
            for (int i = 0; i < n; i++) {
                long due = phase.dueTime(i);
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                queue.put(new Job(phase, i));
            }
            phase.lastScheduled = System.nanoTime();
            boolean all = phase.done.await(10, TimeUnit.SECONDS);
            if (!all) {
                queue.removeIf(job -> job.phase() == phase); // never let a late phase leak into the next one
            }
            phase.cpu = CpuSample.take(serverPid).since(before);
            return phase;
        }

        byte[] request(int index) {
            byte[] body = bodies[index % bodies.length];
            String head = "POST " + VERIFY_PATH + " HTTP/1.1\r\nHost: " + auth.getHost() + ":" + auth.getPort()
                    + "\r\nAuthorization: Bearer " + verifier.current()
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
            byte[] request = Arrays.copyOf(headBytes, headBytes.length + body.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
            return request;
        }
    }

    /** One measured (or warm-up) run at one rate: preallocated per-request results. */
    static final class Phase {
        final String name;
        final int rate;
        final int seconds;
        final int n;
        final Driver driver;
        final long[] latencyNanos; // due time -> last response byte; -1 = no valid answer
        final long[] sendLagNanos; // due time -> first request byte written (queueing in the generator)
        final long[] completedAt;
        final CountDownLatch done;
        final AtomicInteger ioErrors = new AtomicInteger();
        final AtomicInteger badStatus = new AtomicInteger();
        final AtomicInteger notVerified = new AtomicInteger();
        final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
        volatile long start;
        volatile long lastScheduled;
        CpuSample.Delta cpu;

        Phase(String name, int rate, int seconds, int n, Driver driver) {
            this.name = name;
            this.rate = rate;
            this.seconds = seconds;
            this.n = n;
            this.driver = driver;
            this.latencyNanos = new long[n];
            this.sendLagNanos = new long[n];
            this.completedAt = new long[n];
            Arrays.fill(latencyNanos, -1);
            this.done = new CountDownLatch(n);
        }

        long dueTime(int i) {
            return start + (long) (i * (1_000_000_000.0 / rate));
        }

        void execute(Connection connection, int i) {
            long due = dueTime(i);
            try {
                byte[] request = driver.request(i);
                sendLagNanos[i] = System.nanoTime() - due;
                Response response = connection.exchange(request);
                long end = System.nanoTime();
                completedAt[i] = end;
                if (response.status() != 200) {
                    badStatus.incrementAndGet();
                    example("HTTP " + response.status() + " " + response.text());
                } else if (!contains(response.body(), VERIFIED)) {
                    notVerified.incrementAndGet();
                    example("HTTP 200 " + response.text());
                } else {
                    latencyNanos[i] = end - due;
                }
            } catch (IOException | RuntimeException e) {
                ioErrors.incrementAndGet();
                example(e.toString());
                connection.close();
            } finally {
                done.countDown();
            }
        }

        private void example(String text) {
            if (examples.size() < 3) {
                examples.add(text.length() > 300 ? text.substring(0, 300) + "..." : text);
            }
        }

        long unanswered() {
            return done.getCount();
        }

        long errors() {
            return ioErrors.get() + badStatus.get() + notVerified.get() + unanswered();
        }

        /**
         * Where in the phase the slow answers were, to tell one stall from a steady tail: per second of due time, how
         * many answers took over {@code overMs}, and the 100 ms windows whose slowest answer took over
         * {@code stallMs}.
         */
        String slowWindows(double overMs, double stallMs) {
            int[] overPerSecond = new int[seconds + 1];
            long[] windowMax = new long[seconds * 10 + 1];
            for (int i = 0; i < n; i++) {
                if (latencyNanos[i] < 0) {
                    continue;
                }
                long offset = dueTime(i) - start;
                int second = (int) Math.min(offset / 1_000_000_000L, seconds);
                int window = (int) Math.min(offset / 100_000_000L, seconds * 10L);
                if (latencyNanos[i] > overMs * 1e6) {
                    overPerSecond[second]++;
                }
                windowMax[window] = Math.max(windowMax[window], latencyNanos[i]);
            }
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "answers over %.0f ms per second:", overMs));
            for (int count : overPerSecond) {
                text.append(' ').append(count);
            }
            text.append(String.format(Locale.ROOT, "%n  100 ms windows whose slowest answer took over %.0f ms:", stallMs));
            int listed = 0;
            for (int w = 0; w < windowMax.length; w++) {
                if (windowMax[w] > stallMs * 1e6) {
                    text.append(String.format(Locale.ROOT, " %.1fs:%.0fms", w / 10.0, ms(windowMax[w])));
                    listed++;
                }
            }
            return listed == 0 ? text.append(" none").toString() : text.toString();
        }

        void print(java.io.PrintStream out, boolean result) {
            long[] ok = Arrays.stream(latencyNanos).filter(v -> v >= 0).sorted().toArray();
            long[] lag = Arrays.stream(sendLagNanos).sorted().toArray();
            long lastCompletion = Arrays.stream(completedAt).max().orElse(start);
            double window = Math.max(lastCompletion - start, 1) / 1e9;
            double sendWindow = Math.max(lastScheduled - start, 1) / 1e9;
            double sentRate = n / Math.max(sendWindow, (n - 1) / (double) rate);
            double achieved = ok.length / window;
            out.printf(Locale.ROOT, "%n== %s: %d requests/s for %d s (%d requests, %d connections) ==%n", name, rate,
                    seconds, n, driver.connections);
            out.printf(Locale.ROOT, "  sent %.1f req/s; verified answers %d/%d, throughput %.1f req/s over %.2f s%n",
                    sentRate, ok.length, n, achieved, window);
            out.printf(Locale.ROOT,
                    "  latency from due time (ms): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f%n",
                    ms(pct(ok, 0.50)), ms(pct(ok, 0.90)), ms(pct(ok, 0.99)), ms(pct(ok, 0.999)), ms(pct(ok, 1.0)),
                    ok.length == 0 ? Double.NaN : Arrays.stream(ok).average().orElse(0) / 1e6);
            out.printf(Locale.ROOT, "  generator send lag (ms, due -> written): p50 %.3f  p99 %.3f  max %.3f%n",
                    ms(pct(lag, 0.50)), ms(pct(lag, 0.99)), ms(pct(lag, 1.0)));
            out.printf(Locale.ROOT,
                    "  errors %d (I/O %d, non-200 %d, not verified %d, unanswered %d)%n", errors(),
                    ioErrors.get(), badStatus.get(), notVerified.get(), unanswered());
            examples.forEach(e -> out.println("    e.g. " + e));
            out.println("  " + slowWindows(3.0, 10.0));
            if (cpu != null) {
                out.println("  " + cpu.describe());
            }
            if (result) {
                out.printf(Locale.ROOT,
                        "RESULT rate=%d duration=%d requests=%d sent_rate=%.1f achieved_rate=%.1f verified=%d "
                                + "errors=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
                                + "mean_ms=%.3f send_lag_p99_ms=%.3f connections=%d %s%n",
                        rate, seconds, n, sentRate, achieved, ok.length, errors(), ms(pct(ok, 0.50)),
                        ms(pct(ok, 0.90)), ms(pct(ok, 0.99)), ms(pct(ok, 0.999)), ms(pct(ok, 1.0)),
                        ok.length == 0 ? Double.NaN : Arrays.stream(ok).average().orElse(0) / 1e6,
                        ms(pct(lag, 0.99)), driver.connections, cpu == null ? "" : cpu.keyValues());
            }
        }
    }

    /** Nearest-rank percentile of a sorted array; NaN when empty. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
    }

    static double ms(double nanos) {
        return nanos / 1e6;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer: for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    // --- a minimal keep-alive HTTP/1.1 client connection ----------------------------------------------------------

    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static final class Connection {
        private final String host;
        private final int port;
        private Socket socket;
        private OutputStream out;
        private InputStream in;

        Connection(String host, int port) {
            this.host = host;
            this.port = port;
        }

        Response exchange(byte[] request) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                socket.connect(new InetSocketAddress(host, port), 5_000);
                socket.setSoTimeout(30_000);
                out = new BufferedOutputStream(socket.getOutputStream(), 8192);
                in = new BufferedInputStream(socket.getInputStream(), 16384);
            }
            out.write(request);
            out.flush();
            String statusLine = readLine();
            if (statusLine == null || statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            int contentLength = -1;
            boolean chunked = false;
            boolean close = statusLine.startsWith("HTTP/1.0");
            String line;
            while (!(line = readLine()).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> contentLength = Integer.parseInt(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> {
                    }
                }
            }
            byte[] body;
            if (chunked) {
                body = readChunked();
            } else if (contentLength >= 0) {
                body = in.readNBytes(contentLength);
                if (body.length != contentLength) {
                    throw new IOException("connection closed inside the body");
                }
            } else {
                body = in.readAllBytes();
                close = true;
            }
            if (close) {
                close();
            }
            return new Response(status, body);
        }

        private byte[] readChunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine();
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                byte[] chunk = in.readNBytes(size);
                if (chunk.length != size) {
                    throw new IOException("connection closed inside a chunk");
                }
                body.write(chunk);
                readLine();
            }
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder(64);
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    int len = line.length();
                    if (len > 0 && line.charAt(len - 1) == '\r') {
                        line.setLength(len - 1);
                    }
                    return line.toString();
                }
                line.append((char) b);
            }
            if (line.isEmpty()) {
                throw new IOException("connection closed by the server");
            }
            return line.toString();
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            socket = null;
        }
    }

    // --- CPU accounting: where the machine's two cores went during a phase ----------------------------------------

    record CpuSample(long at, long machineBusyTicks, long machineTotalTicks, long serverNanos, long selfNanos,
            long postgresNanos) {

        static CpuSample take(long serverPid) {
            long busy = 0;
            long total = 0;
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 8; i++) {
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += v;
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // not Linux: machine figures stay 0
            }
            long server = serverPid > 0 ? cpuNanos(ProcessHandle.of(serverPid)) : 0;
            long self = cpuNanos(Optional.of(ProcessHandle.current()));
            long postgres = ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                    .mapToLong(p -> cpuNanos(Optional.of(p)))
                    .sum();
            return new CpuSample(System.nanoTime(), busy, total, server, self, postgres);
        }

        private static long cpuNanos(Optional<ProcessHandle> process) {
            return process.flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
        }

        Delta since(CpuSample before) {
            long totalTicks = machineTotalTicks - before.machineTotalTicks;
            double busyShare = totalTicks == 0 ? Double.NaN
                    : (double) (machineBusyTicks - before.machineBusyTicks) / totalTicks;
            return new Delta((at - before.at) / 1e9, busyShare * Runtime.getRuntime().availableProcessors(),
                    serverNanos - before.serverNanos, selfNanos - before.selfNanos,
                    postgresNanos - before.postgresNanos);
        }

        /** CPU used during a phase: machine busy cores; auth-service, postgres and this generator in CPU-seconds. */
        record Delta(double seconds, double machineBusyCores, long serverNanos, long selfNanos, long postgresNanos) {

            String describe() {
                double other = machineBusyCores - (serverNanos + selfNanos + postgresNanos) / 1e9 / seconds;
                return String.format(Locale.ROOT,
                        "CPU (cores busy on average, of %d): machine %.2f = auth-service %.2f + postgres %.2f "
                                + "+ load generator %.2f + everything else %.2f",
                        Runtime.getRuntime().availableProcessors(), machineBusyCores, serverNanos / 1e9 / seconds,
                        postgresNanos / 1e9 / seconds, selfNanos / 1e9 / seconds, other);
            }

            String keyValues() {
                double other = machineBusyCores - (serverNanos + selfNanos + postgresNanos) / 1e9 / seconds;
                return String.format(Locale.ROOT,
                        "cpu_machine=%.2f cpu_auth=%.2f cpu_postgres=%.2f cpu_generator=%.2f cpu_other=%.2f",
                        machineBusyCores, serverNanos / 1e9 / seconds, postgresNanos / 1e9 / seconds,
                        selfNanos / 1e9 / seconds, other);
            }
        }
    }

    // --- arguments -----------------------------------------------------------------------------------------------

    static Map<String, String> parseArgs(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("unexpected argument " + args[i]);
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        return opt;
    }

    static String required(Map<String, String> opt, String name) {
        String value = opt.get(name);
        if (value == null) {
            usage("--" + name + " is required");
        }
        return value;
    }

    static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return values;
    }

    static String secret(Map<String, String> secrets, String name) {
        String value = secrets.get(name);
        if (value == null || value.isEmpty()) {
            usage(name + " is missing from the --secrets file");
        }
        return value;
    }

    static void usage(String problem) {
        System.err.println("verify-load: " + problem);
        System.err.println("usage: java VerifyLoad.java --auth URL --secrets services.env [--tokens 1000] "
                + "[--warmup 10] [--duration 30] [--rates 500,1000] [--connections 32] [--server-pid PID] "
                + "[--pause 0]");
        System.exit(2);
    }
}
