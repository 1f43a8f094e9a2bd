package dev.relay.common.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class SnowflakeTest {

    private static final Instant NOW = Instant.parse("2026-11-24T09:14:03.120Z");

    /** A clock the test moves by hand. */
    static final class ManualClock implements InstantSource {
        final AtomicLong millis = new AtomicLong(NOW.toEpochMilli());

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    @Test
    void idsIncreaseStrictlyOverAHundredThousand() {
        Snowflake snowflake = new Snowflake(7);
        long previous = -1;
        for (int i = 0; i < 100_000; i++) {
            long id = snowflake.next();
            assertTrue(id > previous, "id " + i + " did not increase");
            previous = id;
        }
    }

    @Test
    void layoutIsTimestampWorkerSequence() {
        Snowflake snowflake = new Snowflake(513, InstantSource.fixed(NOW));

        long first = snowflake.next();
        long second = snowflake.next();

        assertEquals(NOW, Snowflake.timestampOf(first));
        assertEquals(513, Snowflake.workerOf(first));
        assertEquals(0, first & 0xFFF);
        assertEquals(1, second & 0xFFF);
        assertEquals((NOW.toEpochMilli() - 1_735_689_600_000L) << 22 | 513L << 12, first);
    }

    @Test
    void epochIsTheStartOf2025() {
        Snowflake snowflake = new Snowflake(0, InstantSource.fixed(Instant.parse("2025-01-01T00:00:00Z")));

        assertEquals(0, snowflake.next());
    }

    @Test
    void nextIdIsTheDecimalString() {
        Snowflake snowflake = new Snowflake(1, InstantSource.fixed(NOW));

        String id = snowflake.nextId();

        assertEquals(NOW, Snowflake.timestampOf(Long.parseLong(id)));
        assertTrue(id.chars().allMatch(Character::isDigit));
    }

    @Test
    void workerIdMustFitTenBits() {
        assertThrows(IllegalArgumentException.class, () -> new Snowflake(-1));
        assertThrows(IllegalArgumentException.class, () -> new Snowflake(1024));
        assertEquals(1023, Snowflake.workerOf(new Snowflake(1023).next()));
        assertEquals(0, Snowflake.workerOf(new Snowflake(0).next()));
    }

    @Test
    void overflowWithinOneMillisecondMovesToTheNext() {
        Snowflake snowflake = new Snowflake(3, InstantSource.fixed(NOW));
        long last = -1;
        for (int i = 0; i <= Snowflake.MAX_SEQUENCE; i++) {
            last = snowflake.next();
        }
        assertEquals(NOW, Snowflake.timestampOf(last));
        assertEquals(Snowflake.MAX_SEQUENCE, last & 0xFFF);

        long overflowed = snowflake.next();

        assertTrue(overflowed > last);
        assertEquals(NOW.plusMillis(1), Snowflake.timestampOf(overflowed));
        assertEquals(0, overflowed & 0xFFF);
        assertEquals(3, Snowflake.workerOf(overflowed));
    }

    @Test
    void overflowWaitsForTheClockToTick() {
        AtomicLong reads = new AtomicLong();
        int idsPerMillisecond = Snowflake.MAX_SEQUENCE + 1;
        // The clock stands still for one full millisecond of ids, then jumps 3 ms while the generator waits.
        InstantSource clock = () -> reads.incrementAndGet() <= idsPerMillisecond + 1 ? NOW : NOW.plusMillis(3);
        Snowflake snowflake = new Snowflake(3, clock);
        for (int i = 0; i < idsPerMillisecond; i++) {
            snowflake.next();
        }

        long next = snowflake.next();

        assertEquals(NOW.plusMillis(3), Snowflake.timestampOf(next));
        assertEquals(0, next & 0xFFF);
    }

    @Test
    void aClockMovingBackwardsNeverYieldsASmallerId() {
        ManualClock clock = new ManualClock();
        Snowflake snowflake = new Snowflake(9, clock);
        long before = snowflake.next();

        clock.millis.addAndGet(-10_000);
        long during = snowflake.next();
        long later = snowflake.next();

        assertTrue(during > before);
        assertTrue(later > during);
        assertEquals(NOW, Snowflake.timestampOf(during));

        clock.millis.addAndGet(10_001);
        long recovered = snowflake.next();
        assertEquals(NOW.plusMillis(1), Snowflake.timestampOf(recovered));
        assertEquals(0, recovered & 0xFFF);
    }
}
