import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a delivery's time went, from the timestamps the services store (read with psql after the load, so the
 * reading costs the measurement nothing): the message's event row ({@code workspace_events.created_at}, stamped by
 * workspace-service while it stores the post, and {@code published_at}, stamped by the outbox when it publishes a
 * batch to Redis) and the delivery row ({@code deliveries.created_at}, stamped by delivery-service when it takes the
 * event from the stream and writes the rows). With the client's arrival time, each delivery splits into four stages:
 * <ol>
 * <li>post due → event stamped: the generator, the gateway, auth and workspace-service up to the store;</li>
 * <li>event stamped → published: the rest of the post's transaction and the outbox's wait;</li>
 * <li>published → delivery rows stamped: Redis stream and delivery-service's consumer picking the event up;</li>
 * <li>delivery rows stamped → deliver frame read by the recipient: writing the rows, finding the sockets, sending
 * the frame (delivery-service, then the gateway, which proxies node sockets) and the client's read.</li>
 * </ol>
 * All clocks are this machine's wall clock (microseconds in PostgreSQL); the client's {@code nanoTime} is mapped
 * onto it once, at the start.
 */
final class Stages {

    static final String[] NAMES = { "post due → event stamped (gateway, auth, workspace-service)",
            "event stamped → published to Redis (commit, outbox)",
            "published → delivery rows stamped (stream, delivery-service consumer)",
            "delivery rows stamped → deliver frame read (rows, routing, socket, client)" };

    private final Psql psql;
    private final String workspaceDb;
    private final String deliveryDb;
    private final String workspaceId;
    private final long epochOffsetNanos; // epoch nanos = nanoTime + this

    Stages(String pg, Map<String, String> databases, String workspaceId, long epochOffsetNanos) {
        this.psql = new Psql(pg);
        this.workspaceDb = databases.get("workspace");
        this.deliveryDb = databases.get("delivery");
        if (workspaceDb == null || deliveryDb == null) {
            throw new IllegalArgumentException("--pg needs --databases workspace=...,delivery=...");
        }
        this.workspaceId = workspaceId;
        this.epochOffsetNanos = epochOffsetNanos;
    }

    /** The offset from {@code System.nanoTime()} to epoch nanoseconds, from the closest of a few paired readings. */
    static long epochOffset() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int k = 0; k < 50; k++) {
            long before = System.nanoTime();
            java.time.Instant now = java.time.Instant.now();
            long after = System.nanoTime();
            if (after - before < best) {
                best = after - before;
                offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (before + after) / 2;
            }
        }
        return offset;
    }

    /** The four stages (µs) of every delivery of the phase the client received and the services stamped. */
    record Split(long[][] stages, long[] totals) {

        int size() {
            return totals.length;
        }
    }

    Split split(Fleet fleet, Phase phase, Tracker tracker) throws IOException, InterruptedException {
        String filter = "workspace_id = '" + workspaceId.replace("'", "''") + "' and data like '%[pd:" + tracker.phase
                + ":%'";
        String index = "substring(data from '\\[pd:[0-9]+:([0-9]+)\\]')";
        Map<Integer, long[]> events = new HashMap<>();
        for (String line : psql.rows(workspaceDb, "select " + index + ", " + micros("created_at") + ", "
                + micros("published_at") + " from workspace_events where type = 'message.created' and " + filter)) {
            String[] f = line.split("\\|", -1);
            if (!f[0].isEmpty() && !f[2].isEmpty()) {
                events.put(Integer.parseInt(f[0]), new long[] { Long.parseLong(f[1]), Long.parseLong(f[2]) });
            }
        }
        List<long[]> rows = new ArrayList<>();
        for (String line : psql.rows(deliveryDb, "select " + index + ", agent_name, " + micros("created_at")
                + " from deliveries where " + filter)) {
            String[] f = line.split("\\|", -1);
            if (f[0].isEmpty() || !f[1].startsWith("bench-")) {
                continue;
            }
            int i = Integer.parseInt(f[0]);
            int slot = i < tracker.n ? fleet.recipientSlot(i, Integer.parseInt(f[1].substring(6))) : -1;
            long[] event = events.get(i);
            long arrival = slot < 0 ? 0 : tracker.arrival(i, slot);
            if (event == null || arrival == 0 || !phase.ok(i)) {
                continue;
            }
            long due = (phase.dueTime(i) + epochOffsetNanos) / 1000;
            long read = (arrival + epochOffsetNanos) / 1000;
            long stamped = Long.parseLong(f[2]);
            rows.add(new long[] { event[0] - due, event[1] - event[0], stamped - event[1], read - stamped,
                    read - due });
        }
        long[][] stages = new long[4][rows.size()];
        long[] totals = new long[rows.size()];
        rows.sort((a, b) -> Long.compare(a[4], b[4]));
        for (int r = 0; r < rows.size(); r++) {
            for (int s = 0; s < 4; s++) {
                stages[s][r] = rows.get(r)[s];
            }
            totals[r] = rows.get(r)[4];
        }
        return new Split(stages, totals);
    }

    /**
     * A Markdown table: per stage its percentiles over all deliveries, and its mean share of the slowest 1 % (the
     * deliveries at or above the total's p99), which says what the tail is made of.
     */
    static String table(Split split) {
        int n = split.size();
        if (n == 0) {
            return "(no delivery with all timestamps)\n";
        }
        int tailFrom = (int) Math.ceil(0.99 * n) - 1;
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "| stage (%d deliveries) | p50 ms | p90 ms | p99 ms | max ms | mean ms in the slowest 1 %% (%d) |%n"
                        + "|---|---:|---:|---:|---:|---:|%n", n, n - tailFrom));
        for (int s = 0; s < 4; s++) {
            long[] sorted = split.stages()[s].clone();
            Arrays.sort(sorted);
            double tail = Arrays.stream(split.stages()[s], tailFrom, n).average().orElse(Double.NaN);
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", NAMES[s],
                    ms(sorted, 0.5), ms(sorted, 0.9), ms(sorted, 0.99), ms(sorted, 1.0), tail / 1000));
        }
        long[] totals = split.totals();
        md.append(String.format(Locale.ROOT, "| **total** (post due → deliver frame read) | %.2f | %.2f | %.2f | %.2f "
                + "| %.2f |%n", ms(totals, 0.5), ms(totals, 0.9), ms(totals, 0.99), ms(totals, 1.0),
                Arrays.stream(totals, tailFrom, n).average().orElse(Double.NaN) / 1000));
        return md.toString();
    }

    private static double ms(long[] sortedMicros, double p) {
        return Phase.pct(sortedMicros, p) / 1000;
    }

    private static String micros(String column) {
        return "(extract(epoch from " + column + ") * 1000000)::bigint";
    }
}
