import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * The asynchronous rest of a post, read from PostgreSQL with psql: a 201 means the message and its event are
 * committed; the outbox then publishes the event to Redis and delivery-service writes one durable delivery per
 * other member of the channel. A backlog here is work the load left behind, which would otherwise land on the next
 * phase's CPU and latency.
 */
final class Pipeline {

    /** What the workspace's pipeline holds at one moment. */
    record State(long messages, long unpublished, long deliveries, long expectedDeliveries) {

        long missingDeliveries() {
            return Math.max(0, expectedDeliveries - deliveries);
        }

        boolean drained() {
            return unpublished == 0 && missingDeliveries() == 0;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "%d messages stored; %d events not yet published by the outbox; %d of %d deliveries written "
                            + "(%d to go)",
                    messages, unpublished, deliveries, expectedDeliveries, missingDeliveries());
        }
    }

    /** Waiting for the backlog to clear: how long, whether it did, and the CPU it took meanwhile. */
    record Drain(State state, double seconds, boolean complete, Map<String, Double> cores) {

        String describe() {
            return String.format(Locale.ROOT, "%s after %.1f s; %s", complete ? "drained" : "NOT drained", seconds,
                    state);
        }
    }

    private final Psql psql;
    private final String workspaceDb;
    private final String deliveryDb;
    private final String workspaceId;
    private final int recipientsPerMessage;

    /**
     * @param pg        {@code host:port:user}; the password, if any, comes from {@code PGPASSWORD}
     * @param databases must name the {@code workspace} and {@code delivery} databases
     */
    Pipeline(String pg, Map<String, String> databases, String workspaceId, int recipientsPerMessage) {
        this.psql = new Psql(pg);
        this.workspaceDb = databases.get("workspace");
        this.deliveryDb = databases.get("delivery");
        if (workspaceDb == null || deliveryDb == null) {
            throw new IllegalArgumentException("--pg needs --databases workspace=...,delivery=...");
        }
        this.workspaceId = workspaceId;
        this.recipientsPerMessage = recipientsPerMessage;
    }

    State state() throws IOException, InterruptedException {
        String w = "'" + workspaceId.replace("'", "''") + "'";
        String[] ws = psql.value(workspaceDb, "select (select count(*) from messages where workspace_id = " + w
                + "), (select count(*) from workspace_events where workspace_id = " + w
                + " and published_at is null)").split("\\|");
        // A mailbox's delivery_seq counts the deliveries written for its agent (gapless, one per delivery).
        long deliveries = Long.parseLong(psql.value(deliveryDb,
                "select coalesce(sum(delivery_seq), 0) from mailboxes where workspace_id = " + w));
        long messages = Long.parseLong(ws[0]);
        return new State(messages, Long.parseLong(ws[1]), deliveries, messages * recipientsPerMessage);
    }

    /** Polls every second until the backlog is gone or {@code maxSeconds} have passed. */
    Drain drain(int maxSeconds, ProcessCpu cpu) throws IOException, InterruptedException {
        long start = System.nanoTime();
        ProcessCpu.Sample before = cpu.take();
        State state = state();
        while (!state.drained() && System.nanoTime() - start < maxSeconds * 1_000_000_000L) {
            Thread.sleep(1_000);
            state = state();
        }
        return new Drain(state, (System.nanoTime() - start) / 1e9, state.drained(), cpu.cores(before, cpu.take()));
    }
}
