package dev.relay.common.id;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Generates the engine's time-ordered 64-bit ids (contract §1.7: {@code timestamp<<22 | worker<<12 | sequence} from
 * 2025-01-01T00:00:00Z), so ids minted by any replica sort by creation time and never repeat.
 */
public final class Snowflake {

    public static final int MAX_WORKER_ID = 1023;
    static final long EPOCH_MILLIS = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
    static final int MAX_SEQUENCE = 4095;
    private static final int WORKER_SHIFT = 12;
    private static final int TIMESTAMP_SHIFT = 22;
    /** How long an exhausted millisecond waits for the clock before borrowing the next one. */
    private static final long MAX_WAIT_NANOS = 2_000_000;

    private final long workerId;
    private final InstantSource clock;
    private long lastMillis = Long.MIN_VALUE;
    private long sequence;

    public Snowflake(int workerId) {
        this(workerId, InstantSource.system());
    }

    public Snowflake(int workerId, InstantSource clock) {
        if (workerId < 0 || workerId > MAX_WORKER_ID) {
            throw new IllegalArgumentException("workerId must be between 0 and " + MAX_WORKER_ID + ": " + workerId);
        }
        this.workerId = workerId;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The next id; strictly greater than every id this instance issued before, whatever the clock does. */
    public synchronized long next() {
        // A clock that moved backwards is ignored: keep the last timestamp rather than issue a smaller id.
        long millis = Math.max(clock.millis(), lastMillis);
        if (millis == lastMillis) {
            sequence = (sequence + 1) & MAX_SEQUENCE;
            if (sequence == 0) {
                millis = millisAfter(lastMillis);
            }
        } else {
            sequence = 0;
        }
        lastMillis = millis;
        return (millis - EPOCH_MILLIS) << TIMESTAMP_SHIFT | workerId << WORKER_SHIFT | sequence;
    }

    /** {@link #next()} as the decimal string the wire carries. */
    public String nextId() {
        return Long.toString(next());
    }

    public static Instant timestampOf(long id) {
        return Instant.ofEpochMilli((id >>> TIMESTAMP_SHIFT) + EPOCH_MILLIS);
    }

    public static int workerOf(long id) {
        return (int) ((id >>> WORKER_SHIFT) & MAX_WORKER_ID);
    }

    /**
     * The sequence of one millisecond is used up: wait for the clock to tick, but a clock that stands still or runs
     * behind (tests, a step backwards) must not block us, so after a short wait the next millisecond is borrowed.
     */
    private long millisAfter(long last) {
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        long now = clock.millis();
        while (now <= last && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            now = clock.millis();
        }
        return Math.max(now, last + 1);
    }
}
