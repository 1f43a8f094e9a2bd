import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load driver: request {@code i} of a phase is due at {@code start + i / rate} whatever happened to
 * the earlier ones. The calling thread schedules each request at its due time onto a queue served by a fixed pool
 * of keep-alive connections, one thread each; a request's latency runs from its due time to the last byte of its
 * answer, so time spent waiting for a free connection or sent late counts (no coordinated omission). What a
 * request is, and what makes an answer right, are the caller's.
 */
public final class OpenLoop {

    /** The complete bytes (head and body) of request {@code index} of a phase. */
    public interface Requests {
        byte[] request(int index);
    }

    /** Judges an answer: {@code null} when it is right, else a short label that groups it with like errors. */
    public interface Check {
        String problem(HttpConnection.Response response);
    }

    private record Job(Phase phase, int index) {
    }

    private static final Job STOP = new Job(null, -1);

    private final String host;
    private final int port;
    private final int connections;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();

    public OpenLoop(String host, int port, int connections) {
        this.host = host;
        this.port = port;
        this.connections = connections;
    }

    public int connections() {
        return connections;
    }

    public void start() {
        for (int c = 0; c < connections; c++) {
            HttpConnection connection = new HttpConnection(host, port);
            workers.add(Thread.ofPlatform().name("conn-" + c).daemon().start(() -> serve(connection)));
        }
    }

    public void stop() throws InterruptedException {
        queue.clear();
        for (int i = 0; i < workers.size(); i++) {
            queue.put(STOP);
        }
        for (Thread worker : workers) {
            worker.join(5_000);
        }
    }

    private void serve(HttpConnection connection) {
        try {
            for (Job job = queue.take(); job != STOP; job = queue.take()) {
                job.phase().execute(connection, job.index());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connection.close();
        }
    }

    /**
     * Sends {@code rate * seconds} requests at a fixed rate and waits up to {@code grace} after the last one for
     * the answers; requests still queued then are dropped (they count as unanswered), so a late phase never leaks
     * into the next one.
     */
    public Phase run(String name, int rate, int seconds, Requests requests, Check check, Duration grace)
            throws InterruptedException {
        Phase phase = new Phase(name, rate, seconds, connections, requests, check);
        phase.start = System.nanoTime() + 20_000_000L; // a moment for every connection thread to be waiting
        for (int i = 0; i < phase.n; i++) {
            long due = phase.dueTime(i);
            long now = System.nanoTime();
            for (; now < due; now = System.nanoTime()) {
                LockSupport.parkNanos(due - now);
            }
            phase.scheduled(i, now);
            queue.put(new Job(phase, i));
        }
        phase.lastScheduled = System.nanoTime();
        if (!phase.done.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            queue.removeIf(job -> job.phase() == phase);
        }
        phase.close();
        phase.ended = System.nanoTime();
        return phase;
    }
}
