import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Open-loop load generator for {@code POST /v1/channels/general/messages} through observer-gateway. JDK only; run
 * as a single-file source program with the shared load kit ({@code bench/loadkit}, compiled by run.sh) on the class
 * path:
 *
 * <pre>
 * java -cp LOADKIT_CLASSES bench/post-messages/PostLoad.java --gateway http://127.0.0.1:28787 [--agents 20]
 *     [--warmup 10] [--duration 30] [--rates 300,450] [--connections 64] [--text-bytes 100] [--pause 3]
 *     [--pids gateway=PID,auth=PID,...] [--databases workspace=relay_workspace_bench,...]
 *     [--pg 127.0.0.1:5432:postgres] [--drain 120]
 * </pre>
 *
 * <p>
 * Setup (not measured), through the gateway like any client: creates a workspace ({@code POST /v1/workspaces}),
 * registers {@code --agents} agents with its key ({@code POST /v1/agents}; each joins {@code general}) and checks
 * that {@code general} has exactly those members. Request {@code i} of a phase is posted by agent
 * {@code i mod agents} with {@code {"text": "..."}} of about {@code --text-bytes} characters. Every answer must be
 * HTTP 201 with {@code "ok":true}; anything else is an error, grouped by status and error code (a 429 from a rate
 * limiter included).
 *
 * <p>
 * With {@code --pg} it also follows the asynchronous rest of a post (outbox to Redis, then one durable delivery per
 * other member of {@code general}, written by delivery-service) through psql: the backlog at the end of each phase,
 * and before each measured phase it waits (up to {@code --drain} seconds) for that backlog to clear, so no phase
 * pays for the one before.
 */
public class PostLoad {

    static final Pattern FIELD = Pattern.compile("\"(api_key|workspace_id|token|code)\"\\s*:\\s*\"([^\"]+)\"");
    static final byte[] OK_TRUE = "\"ok\":true".getBytes(StandardCharsets.US_ASCII);
    static final int TIMELINE_SECONDS = 5;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parseArgs(args);
        URI gateway = URI.create(required(opt, "gateway"));
        int agentCount = Integer.parseInt(opt.getOrDefault("agents", "20"));
        int warmupSeconds = Integer.parseInt(opt.getOrDefault("warmup", "10"));
        int durationSeconds = Integer.parseInt(opt.getOrDefault("duration", "30"));
        int[] rates = Arrays.stream(opt.getOrDefault("rates", "300,450").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim()))
                .toArray();
        int connections = Integer.parseInt(opt.getOrDefault("connections", "64"));
        int textBytes = Integer.parseInt(opt.getOrDefault("text-bytes", "100"));
        int pauseSeconds = Integer.parseInt(opt.getOrDefault("pause", "3"));
        int drainSeconds = Integer.parseInt(opt.getOrDefault("drain", "120"));
        Map<String, Long> pids = pairs(opt.getOrDefault("pids", "")).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> Long.parseLong(e.getValue()), (a, b) -> a,
                        LinkedHashMap::new));
        Map<String, String> databases = pairs(opt.getOrDefault("databases", ""));

        String runId = Long.toString(System.currentTimeMillis(), 36);
        Setup setup = Setup.create(gateway, "bench-post-messages-" + runId, agentCount);
        System.out.printf(Locale.ROOT,
                "post-load: workspace %s with %d agents, all members of general (setup %.1f s, through the gateway)%n",
                setup.workspaceId, agentCount, setup.seconds);

        Pipeline pipeline = opt.containsKey("pg") ? new Pipeline(opt.get("pg"), databases, setup.workspaceId,
                agentCount - 1) : null;
        ProcessCpu cpu = new ProcessCpu(pids, List.copyOf(databases.values()));
        Report report = new Report(System.out, pids.keySet(), databases);
        OpenLoop loop = new OpenLoop(gateway.getHost(), gateway.getPort(), connections);
        loop.start();
        try {
            int failed = 0;
            for (int p = -1; p < rates.length; p++) {
                boolean warmup = p < 0;
                int rate = warmup ? rates[0] : rates[p];
                if (!warmup) {
                    Thread.sleep(pauseSeconds * 1000L);
                    if (pipeline != null) {
                        report.drained("before the phase", pipeline.drain(drainSeconds, cpu));
                    }
                }
                String name = warmup ? "warmup" : "measure";
                Messages messages = new Messages(gateway, setup.tokens, runId + "-" + (p + 1), textBytes);
                ProcessCpu.Sample before = cpu.take();
                ProcessCpu.Timeline timeline = cpu.timeline(Duration.ofSeconds(TIMELINE_SECONDS));
                Phase phase = loop.run(name, rate, warmup ? warmupSeconds : durationSeconds, messages,
                        PostLoad::problem, Duration.ofSeconds(10));
                List<Map<String, Double>> windows = timeline.stop();
                Map<String, Double> cores = cpu.cores(before, cpu.take());
                Pipeline.State backlog = pipeline == null ? null : pipeline.state();
                report.phase(phase, cores, windows, backlog, !warmup);
                failed += !warmup && phase.errors() > 0 ? 1 : 0;
            }
            if (pipeline != null) {
                report.drained("after the last phase", pipeline.drain(drainSeconds, cpu));
            }
            System.out.println("post-load: done" + (failed > 0 ? " (" + failed + " measured phase(s) had errors)" : ""));
        } finally {
            loop.stop();
        }
    }

    /** A right answer is HTTP 201 with {@code "ok":true}; errors are labelled by status and error code. */
    static String problem(HttpConnection.Response response) {
        if (response.status() == 201 && response.contains(OK_TRUE)) {
            return null;
        }
        if (response.status() == 201) {
            return "HTTP 201 without \"ok\":true";
        }
        Matcher m = FIELD.matcher(response.text());
        while (m.find()) {
            if (m.group(1).equals("code")) {
                return "HTTP " + response.status() + " " + m.group(2);
            }
        }
        return "HTTP " + response.status();
    }

    // --- setup: one workspace, its agents (plain java.net.http, not measured) ---------------------------------

    /** The workspace and agent tokens the load posts with. */
    record Setup(String workspaceId, List<String> tokens, double seconds) {

        static Setup create(URI gateway, String name, int agents) throws IOException, InterruptedException {
            long start = System.nanoTime();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Map<String, String> ws = call(client, gateway, "POST", "/v1/workspaces", null,
                    "{\"name\":\"" + name + "\"}", 201);
            String key = ws.get("api_key");
            List<String> tokens = new ArrayList<>(agents);
            for (int a = 0; a < agents; a++) {
                tokens.add(call(client, gateway, "POST", "/v1/agents", key,
                        "{\"name\":\"" + agentName(a) + "\"}", 201).get("token"));
            }
            HttpResponse<String> members = client.send(HttpRequest.newBuilder(gateway.resolve(
                    "/v1/channels/general/members")).header("Authorization", "Bearer " + key).build(),
                    HttpResponse.BodyHandlers.ofString());
            long count = Pattern.compile("\"agent_name\"\\s*:\\s*\"bench-\\d+\"").matcher(members.body()).results()
                    .count();
            if (members.statusCode() != 200 || count != agents) {
                throw new IOException("general should have the " + agents + " agents as members: "
                        + members.statusCode() + " " + members.body());
            }
            return new Setup(ws.get("workspace_id"), tokens, (System.nanoTime() - start) / 1e9);
        }

        private static Map<String, String> call(HttpClient client, URI gateway, String method, String path,
                String bearer, String body, int expected) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IOException(method + " " + path + " answered " + response.statusCode() + " "
                        + response.body());
            }
            Map<String, String> fields = new HashMap<>();
            FIELD.matcher(response.body()).results().forEach(m -> fields.putIfAbsent(m.group(1), m.group(2)));
            return fields;
        }
    }

    static String agentName(int a) {
        return String.format(Locale.ROOT, "bench-%03d", a);
    }

    /** Request {@code i}: agent {@code i mod agents} posts a text unique to the run, the phase and {@code i}. */
    static final class Messages implements OpenLoop.Requests {
        private final byte[][] heads; // per agent, up to "Content-Length: "
        private final String label;
        private final String padding;
        private final int textBytes;

        Messages(URI gateway, List<String> tokens, String label, int textBytes) {
            this.heads = tokens.stream()
                    .map(t -> ("POST /v1/channels/general/messages HTTP/1.1\r\nHost: " + gateway.getHost() + ":"
                            + gateway.getPort() + "\r\nAuthorization: Bearer " + t
                            + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ")
                            .getBytes(StandardCharsets.US_ASCII))
                    .toArray(byte[][]::new);
            this.label = label;
            this.padding = "lorem ipsum dolor sit amet ".repeat(textBytes / 27 + 1);
            this.textBytes = textBytes;
        }

        @Override
        public byte[] request(int index) {
            int agent = index % heads.length;
            String text = "bench " + label + " #" + index + " from " + agentName(agent) + ": ";
            text += padding.substring(0, Math.max(0, textBytes - text.length()));
            byte[] body = ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
            byte[] head = heads[agent];
            byte[] length = (body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] request = Arrays.copyOf(head, head.length + length.length + body.length);
            System.arraycopy(length, 0, request, head.length, length.length);
            System.arraycopy(body, 0, request, head.length + length.length, body.length);
            return request;
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

    /** {@code a=1,b=2} in order. */
    static Map<String, String> pairs(String list) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : list.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                pairs.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return pairs;
    }

    static String required(Map<String, String> opt, String name) {
        String value = opt.get(name);
        if (value == null) {
            usage("--" + name + " is required");
        }
        return value;
    }

    static void usage(String problem) {
        System.err.println("post-load: " + problem);
        System.err.println("usage: java -cp LOADKIT_CLASSES PostLoad.java --gateway URL [--agents 20] [--warmup 10] "
                + "[--duration 30] [--rates 300,450] [--connections 64] [--text-bytes 100] [--pause 3] "
                + "[--pids label=PID,...] [--databases label=dbname,...] [--pg host:port:user] [--drain 120]");
        System.exit(2);
    }

    /** Prints each phase for people and one {@code RESULT key=value ...} line per measured phase for run.sh. */
    record Report(PrintStream out, Set<String> processes, Map<String, String> databases) {

        void phase(Phase phase, Map<String, Double> cores, List<Map<String, Double>> windows,
                Pipeline.State backlog, boolean result) {
            phase.printSummary(out, "messages");
            phase.printTimeline(out, TIMELINE_SECONDS, windows.stream().map(this::brief).toList());
            out.println("  " + describe(cores));
            if (backlog != null) {
                out.println("  at the phase's end: " + backlog);
            }
            if (!result) {
                return;
            }
            long[] ok = phase.okLatencies();
            long[] lag = phase.sendLags();
            long[] late = phase.scheduleLags();
            String errors = phase.errorsByLabel().entrySet().stream()
                    .map(e -> e.getKey().replaceAll("[^A-Za-z0-9_:\"-]+", "_").replace("\"", "") + ":" + e.getValue())
                    .collect(Collectors.joining(","));
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                    "RESULT rate=%d duration=%d requests=%d sent_rate=%.1f achieved_rate=%.1f ok=%d errors=%d "
                            + "errors_by=%s p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
                            + "mean_ms=%.3f gen_lag_p99_ms=%.3f gen_lag_max_ms=%.3f send_lag_p50_ms=%.3f send_lag_p99_ms=%.3f "
                            + "send_lag_max_ms=%.3f connections=%d",
                    phase.rate, phase.seconds, phase.n, phase.sentRate(), phase.achievedRate(), ok.length,
                    phase.errors(), errors.isEmpty() ? "-" : errors, ms(ok, 0.50), ms(ok, 0.90), ms(ok, 0.99),
                    ms(ok, 0.999), ms(ok, 1.0), Phase.ms(Phase.mean(ok)), ms(late, 0.99), ms(late, 1.0),
                    ms(lag, 0.50), ms(lag, 0.99), ms(lag, 1.0), phase.connections));
            cores.forEach((label, c) -> line.append(String.format(Locale.ROOT, " cpu_%s=%.2f", key(label), c)));
            if (backlog != null) {
                line.append(" backlog_events=").append(backlog.unpublished())
                        .append(" backlog_deliveries=").append(backlog.missingDeliveries());
            }
            out.println(line);
        }

        void drained(String when, Pipeline.Drain drain) {
            out.printf(Locale.ROOT, "%npipeline %s: %s%n", when, drain.describe());
            if (drain.seconds() >= 1) {
                out.println("  " + describe(drain.cores()));
            }
        }

        /** "CPU (cores busy on average, of 2): machine 1.90 = gateway 0.30 + ... + everything else 0.10". */
        String describe(Map<String, Double> cores) {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "CPU (cores busy on average, of %d): machine %.2f =", Runtime.getRuntime().availableProcessors(),
                    cores.get("machine")));
            String sep = " ";
            for (String p : processes) {
                s.append(String.format(Locale.ROOT, "%s%s %.2f", sep, p, cores.get(p)));
                sep = " + ";
            }
            s.append(String.format(Locale.ROOT, " + postgres %.2f (", cores.get("postgres")));
            databases.forEach((label, db) -> s.append(String.format(Locale.ROOT, "%s db %.2f, ", label,
                    cores.get("postgres/" + db))));
            s.append(String.format(Locale.ROOT, "server and other databases %.2f)", cores.get("postgres/other")));
            s.append(String.format(Locale.ROOT, " + redis %.2f + load generator %.2f + everything else %.2f",
                    cores.get("redis"), cores.get("generator"), cores.get("other")));
            return s.toString();
        }

        /** One window's cores in a few words: "cores: gateway 0.13 ... postgres 0.41 else 0.58". */
        String brief(Map<String, Double> cores) {
            StringBuilder s = new StringBuilder("cores:");
            for (String p : processes) {
                s.append(String.format(Locale.ROOT, " %s %.2f", p, cores.get(p)));
            }
            return s.append(String.format(Locale.ROOT, " postgres %.2f else %.2f", cores.get("postgres"),
                    cores.get("other"))).toString();
        }

        /** A RESULT key for a CPU label: postgres/relay_workspace_bench becomes pg_workspace. */
        String key(String label) {
            for (Map.Entry<String, String> db : databases.entrySet()) {
                if (label.equals("postgres/" + db.getValue())) {
                    return "pg_" + db.getKey();
                }
            }
            return label.replace("postgres/", "pg_");
        }

        private static double ms(long[] sorted, double p) {
            return Phase.ms(Phase.pct(sorted, p));
        }
    }
}
