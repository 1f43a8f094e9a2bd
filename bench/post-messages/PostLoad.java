import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    static final byte[] OK_TRUE = "\"ok\":true".getBytes(StandardCharsets.US_ASCII);
    static final int TIMELINE_SECONDS = 5;

    public static void main(String[] args) throws Exception {
        Args opt;
        URI gateway;
        try {
            opt = Args.parse(args);
            gateway = URI.create(opt.required("gateway"));
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            return;
        }
        int agentCount = opt.integer("agents", 20);
        int warmupSeconds = opt.integer("warmup", 10);
        int durationSeconds = opt.integer("duration", 30);
        int[] rates = Arrays.stream(opt.get("rates", "300,450").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim()))
                .toArray();
        int connections = opt.integer("connections", 64);
        int textBytes = opt.integer("text-bytes", 100);
        int pauseSeconds = opt.integer("pause", 3);
        int drainSeconds = opt.integer("drain", 120);
        Map<String, Long> pids = opt.pids("pids");
        Map<String, String> databases = Args.pairs(opt.get("databases", ""));

        String runId = Long.toString(System.currentTimeMillis(), 36);
        Setup setup = Setup.create(gateway, "bench-post-messages-" + runId, agentCount);
        System.out.printf(Locale.ROOT,
                "post-load: workspace %s with %d agents, all members of general (setup %.1f s, through the gateway)%n",
                setup.workspaceId, agentCount, setup.seconds);

        Pipeline pipeline = opt.has("pg") ? new Pipeline(opt.get("pg", null), databases, setup.workspaceId,
                agentCount - 1) : null;
        ProcessCpu cpu = new ProcessCpu(pids, List.copyOf(databases.values()));
        Report report = new Report(System.out, new CpuReport(pids.keySet(), databases));
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
        return response.label();
    }

    // --- setup: one workspace, its agents (the load kit's JsonApi, not measured) ---------------------------------

    /** The workspace and agent tokens the load posts with. */
    record Setup(String workspaceId, List<String> tokens, double seconds) {

        static Setup create(URI gateway, String name, int agents) throws IOException, InterruptedException {
            long start = System.nanoTime();
            JsonApi api = new JsonApi(gateway);
            Map<String, String> ws = JsonApi.fields(api.call("POST", "/v1/workspaces", null,
                    "{\"name\":\"" + name + "\"}", 201));
            String key = ws.get("api_key");
            List<String> tokens = new ArrayList<>(agents);
            for (int a = 0; a < agents; a++) {
                tokens.add(JsonApi.fields(api.call("POST", "/v1/agents", key,
                        "{\"name\":\"" + agentName(a) + "\"}", 201)).get("token"));
            }
            String members = api.call("GET", "/v1/channels/general/members", key, null, 200);
            long count = Pattern.compile("\"agent_name\"\\s*:\\s*\"bench-\\d+\"").matcher(members).results()
                    .count();
            if (count != agents) {
                throw new IOException("general should have the " + agents + " agents as members: " + members);
            }
            return new Setup(ws.get("workspace_id"), tokens, (System.nanoTime() - start) / 1e9);
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
                    .map(t -> HttpConnection.jsonPostHead(gateway.getHost(), gateway.getPort(),
                            "/v1/channels/general/messages", t))
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
            return HttpConnection.request(heads[agent], ("{\"text\":\"" + text + "\"}").getBytes(
                    StandardCharsets.UTF_8));
        }
    }

    // --- arguments -----------------------------------------------------------------------------------------------

    static void usage(String problem) {
        System.err.println("post-load: " + problem);
        System.err.println("usage: java -cp LOADKIT_CLASSES PostLoad.java --gateway URL [--agents 20] [--warmup 10] "
                + "[--duration 30] [--rates 300,450] [--connections 64] [--text-bytes 100] [--pause 3] "
                + "[--pids label=PID,...] [--databases label=dbname,...] [--pg host:port:user] [--drain 120]");
        System.exit(2);
    }

    /** Prints each phase for people and one {@code RESULT key=value ...} line per measured phase for run.sh. */
    record Report(PrintStream out, CpuReport cpu) {

        void phase(Phase phase, Map<String, Double> cores, List<Map<String, Double>> windows,
                Pipeline.State backlog, boolean result) {
            phase.printSummary(out, "messages");
            phase.printTimeline(out, TIMELINE_SECONDS, windows.stream().map(cpu::brief).toList());
            out.println("  " + cpu.describe(cores));
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
            line.append(cpu.fields(cores));
            if (backlog != null) {
                line.append(" backlog_events=").append(backlog.unpublished())
                        .append(" backlog_deliveries=").append(backlog.missingDeliveries());
            }
            out.println(line);
        }

        void drained(String when, Pipeline.Drain drain) {
            out.printf(Locale.ROOT, "%npipeline %s: %s%n", when, drain.describe());
            if (drain.seconds() >= 1) {
                out.println("  " + cpu.describe(drain.cores()));
            }
        }

        private static double ms(long[] sorted, double p) {
            return Phase.ms(Phase.pct(sorted, p));
        }
    }
}
