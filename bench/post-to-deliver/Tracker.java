import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The deliveries of one phase's messages: one slot per (message, recipient) holding the time ({@code nanoTime}) the
 * recipient's socket read the {@code deliver} frame, filled by the client's reader threads. A second frame for a
 * filled slot is a duplicate; a frame for an agent that should not get the message is misrouted. Once
 * {@link #freeze()}d, frames still arriving are only counted as late.
 */
final class Tracker {

    final int phase;
    final int n;
    private final Fleet fleet;
    private final boolean[] connected; // by agent: whether its node socket opened
    private final int width; // slots per message: the largest channel's other members
    private final AtomicLongArray arrivals;
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong misrouted = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private volatile boolean frozen;

    Tracker(int phase, int n, Fleet fleet, boolean[] connected) {
        this.phase = phase;
        this.n = n;
        this.fleet = fleet;
        this.connected = connected;
        this.width = Math.max(1, fleet.channelSize - 1);
        this.arrivals = new AtomicLongArray(n * width);
    }

    /** Agent {@code recipient}'s socket read message {@code i}'s deliver frame at {@code at}. */
    void arrived(int i, int recipient, long at) {
        int slot = i >= 0 && i < n ? fleet.recipientSlot(i, recipient) : -1;
        if (slot < 0) {
            misrouted.incrementAndGet();
        } else if (frozen) {
            late.incrementAndGet();
        } else if (!arrivals.compareAndSet(i * width + slot, 0, at)) {
            duplicates.incrementAndGet();
        }
    }

    void freeze() {
        frozen = true;
    }

    /** When message {@code i}'s delivery to its {@code slot}-th recipient arrived; 0 if it has not. */
    long arrival(int i, int slot) {
        return arrivals.get(i * width + slot);
    }

    /**
     * Deliveries still missing for the messages {@code phase} answered with 201, to connected agents only (what an
     * unconnected agent misses cannot arrive, so waiting for it would only spend the grace period).
     */
    long missing(Phase phase) {
        long missing = 0;
        for (int i = 0; i < n; i++) {
            if (phase.ok(i)) {
                for (int s = 0, r = fleet.recipients(i); s < r; s++) {
                    missing += arrival(i, s) == 0 && connected[fleet.recipientOf(i, s)] ? 1 : 0;
                }
            }
        }
        return missing;
    }

    long duplicates() {
        return duplicates.get();
    }

    long misrouted() {
        return misrouted.get();
    }

    long late() {
        return late.get();
    }

    /** What the phase's deliveries came to, from each message's due time. */
    record Outcome(long expected, long received, long lost, long lostUnconnected, long unconfirmed,
            long[] sortedLatencies, long lastArrival) {
    }

    /**
     * Latencies (due time of the post to the deliver frame's read) of every delivery of a message answered with 201;
     * deliveries of messages without a right answer are counted apart ({@code unconfirmed}: the post may or may not
     * have been stored).
     */
    Outcome outcome(Phase phase) {
        return outcome(phase, 0, n);
    }

    Outcome outcome(Phase phase, int from, int to) {
        long expected = 0;
        long lostUnconnected = 0;
        long unconfirmed = 0;
        long last = 0;
        long[] latencies = new long[Math.max(0, (to - from) * width)];
        int k = 0;
        for (int i = from; i < to; i++) {
            long due = phase.dueTime(i);
            for (int s = 0, r = fleet.recipients(i); s < r; s++) {
                long at = arrival(i, s);
                if (!phase.ok(i)) {
                    unconfirmed += at == 0 ? 0 : 1;
                    continue;
                }
                expected++;
                if (at != 0) {
                    latencies[k++] = at - due;
                    last = Math.max(last, at);
                } else if (!connected[fleet.recipientOf(i, s)]) {
                    lostUnconnected++;
                }
            }
        }
        long[] sorted = Arrays.copyOf(latencies, k);
        Arrays.sort(sorted);
        return new Outcome(expected, k, expected - k, lostUnconnected, unconfirmed, sorted, last);
    }
}
