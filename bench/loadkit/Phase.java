import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * One run of {@link OpenLoop} at one rate: a preallocated slot per request (latency from its due time, the
 * generator's own send lag, completion time) and the errors grouped by label. Percentiles are nearest-rank over the
 * sorted latencies of the right answers.
 */
public final class Phase {

    public final String name;
    public final int rate;
    public final int seconds;
    public final int n;
    public final int connections;
    private final OpenLoop.Requests requests;
    private final OpenLoop.Check check;
    private final long[] latencyNanos; // due time -> last answer byte; -1 = no right answer
    private final long[] scheduleLagNanos; // due time -> put on the queue: the scheduler's own lateness
    private final long[] sendLagNanos; // due time -> a connection starts writing it; -1 = never sent
    private final long[] completedAt;
    private final String[] problem; // the error label of request i, or null
    final CountDownLatch done;
    private final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
    volatile long start;
    volatile long lastScheduled;
    volatile long ended;
    private boolean closed; // guarded by this: answers after the phase ended count as unanswered
    private long unanswered;

    Phase(String name, int rate, int seconds, int connections, OpenLoop.Requests requests, OpenLoop.Check check) {
        this.name = name;
        this.connections = connections;
        this.rate = rate;
        this.seconds = seconds;
        this.n = rate * seconds;
        this.requests = requests;
        this.check = check;
        this.latencyNanos = new long[n];
        this.scheduleLagNanos = new long[n];
        this.sendLagNanos = new long[n];
        this.completedAt = new long[n];
        this.problem = new String[n];
        Arrays.fill(latencyNanos, -1);
        Arrays.fill(sendLagNanos, -1);
        this.done = new CountDownLatch(n);
    }

    /** When request {@code i} was due ({@code System.nanoTime()}); meaningful once the phase has started. */
    public long dueTime(int i) {
        return start + (long) (i * (1_000_000_000.0 / rate));
    }

    void scheduled(int i, long now) {
        scheduleLagNanos[i] = now - dueTime(i);
    }

    void execute(HttpConnection connection, int i) {
        long due = dueTime(i);
        String error;
        String example;
        long end;
        try {
            byte[] request = requests.request(i);
            sendLagNanos[i] = System.nanoTime() - due;
            HttpConnection.Response response = connection.exchange(request);
            end = System.nanoTime();
            error = check.problem(response);
            example = error == null ? null : "HTTP " + response.status() + " " + response.text();
        } catch (IOException | RuntimeException e) {
            end = System.nanoTime();
            error = "I/O " + e.getClass().getSimpleName();
            example = e.toString();
        }
        record(i, due, end, error, example);
    }

    private synchronized void record(int i, long due, long end, String error, String example) {
        if (closed) {
            return; // already counted as unanswered
        }
        completedAt[i] = end;
        if (error == null) {
            latencyNanos[i] = end - due;
        } else {
            problem[i] = error;
            if (examples.size() < 3) {
                examples.add(example.length() > 300 ? example.substring(0, 300) + "..." : example);
            }
        }
        done.countDown();
    }

    /** Freezes the results: whatever has not been answered by now is unanswered. */
    synchronized void close() {
        closed = true;
        unanswered = done.getCount();
    }

    // --- results -------------------------------------------------------------------------------------------------

    /** Sorted latencies (ns) of the right answers. */
    public long[] okLatencies() {
        return Arrays.stream(latencyNanos).filter(v -> v >= 0).sorted().toArray();
    }

    /** Whether request {@code i} got a right answer (so far; final once the phase has ended). */
    public boolean ok(int i) {
        return latencyNanos[i] >= 0;
    }

    public long ok() {
        return Arrays.stream(latencyNanos).filter(v -> v >= 0).count();
    }

    /** Error counts by label, unanswered requests included; empty when every answer was right. */
    public synchronized Map<String, Long> errorsByLabel() {
        Map<String, Long> errors = new TreeMap<>();
        for (String p : problem) {
            if (p != null) {
                errors.merge(p, 1L, Long::sum);
            }
        }
        if (unanswered > 0) {
            errors.put("unanswered", unanswered);
        }
        return errors;
    }

    public long errors() {
        return errorsByLabel().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Requests per second handed to connections, over the time the scheduler took (never above the target). */
    public double sentRate() {
        double window = Math.max(lastScheduled - start, 1) / 1e9;
        return n / Math.max(window, (n - 1) / (double) rate);
    }

    /** Right answers per second, from the phase's start to the last answer. */
    public double achievedRate() {
        long last = Arrays.stream(completedAt).max().orElse(start);
        return ok() / (Math.max(last - start, 1) / 1e9);
    }

    public double answerWindowSeconds() {
        return (Arrays.stream(completedAt).max().orElse(start) - start) / 1e9;
    }

    /** Due time to a connection starting to write it: the scheduler's lag plus any wait for a free connection. */
    public long[] sendLags() {
        return Arrays.stream(sendLagNanos).filter(v -> v >= 0).sorted().toArray();
    }

    /** Due time to the scheduler queueing it: how late the generator itself was. */
    public long[] scheduleLags() {
        return Arrays.stream(scheduleLagNanos).sorted().toArray();
    }

    public void printSummary(PrintStream out, String unit) {
        long[] ok = okLatencies();
        long[] lag = sendLags();
        out.printf(Locale.ROOT, "%n== %s: %d %s/s for %d s (%d requests, %d connections) ==%n", name, rate, unit,
                seconds, n, connections);
        out.printf(Locale.ROOT, "  sent %.1f/s; right answers %d/%d, throughput %.1f/s over %.2f s%n", sentRate(),
                ok.length, n, achievedRate(), answerWindowSeconds());
        out.printf(Locale.ROOT,
                "  latency from due time (ms): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f%n",
                ms(pct(ok, 0.50)), ms(pct(ok, 0.90)), ms(pct(ok, 0.99)), ms(pct(ok, 0.999)), ms(pct(ok, 1.0)),
                ms(mean(ok)));
        long[] late = scheduleLags();
        out.printf(Locale.ROOT, "  generator lag (ms, due -> queued for a connection): p50 %.3f  p99 %.3f  max %.3f%n",
                ms(pct(late, 0.50)), ms(pct(late, 0.99)), ms(pct(late, 1.0)));
        out.printf(Locale.ROOT, "  send lag (ms, due -> a connection starts writing it; includes waiting for a free "
                + "connection): p50 %.3f  p99 %.3f  max %.3f%n", ms(pct(lag, 0.50)), ms(pct(lag, 0.99)),
                ms(pct(lag, 1.0)));
        Map<String, Long> errors = errorsByLabel();
        out.printf(Locale.ROOT, "  errors %d%s%n", errors(), errors.isEmpty() ? "" : " " + errors);
        examples.forEach(e -> out.println("    e.g. " + e));
    }

    /**
     * Latency over the phase in windows of {@code windowSeconds} of due time: drift, stalls and recovery. The k-th
     * of {@code notes}, if any, is appended to the k-th window's line (e.g. the CPU of that window).
     */
    public void printTimeline(PrintStream out, int windowSeconds, List<String> notes) {
        int per = rate * windowSeconds;
        out.printf(Locale.ROOT, "  per %d s of due time (ms):", windowSeconds);
        for (int from = 0; from < n; from += per) {
            int to = Math.min(n, from + per);
            long[] window = Arrays.stream(latencyNanos, from, to).filter(v -> v >= 0).sorted().toArray();
            long bad = to - from - window.length;
            out.printf(Locale.ROOT, "%n    %3d-%3d s: ok %5d  errors %4d  p50 %9.3f  p99 %9.3f  max %9.3f",
                    from / rate, to / rate, window.length, bad, ms(pct(window, 0.5)), ms(pct(window, 0.99)),
                    ms(pct(window, 1.0)));
            int k = from / per;
            if (k < notes.size()) {
                out.print("  | " + notes.get(k));
            }
        }
        out.println();
    }

    /** Nearest-rank percentile of a sorted array; NaN when empty. */
    public static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
    }

    public static double mean(long[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(0);
    }

    public static double ms(double nanos) {
        return nanos / 1e6;
    }
}
