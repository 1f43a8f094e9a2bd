package dev.relay.delivery.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: tests never sleep a fixed time to wait for something. */
public final class Await {

    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 25;

    private Await() {
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@link #TIMEOUT}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        value(what, timeout, () -> condition.getAsBoolean(), Boolean::booleanValue);
    }

    /** The first value of {@code supplier} that {@code accept} takes, polled for up to {@link #TIMEOUT}. */
    public static <T> T value(String what, Supplier<T> supplier, Predicate<T> accept) {
        return value(what, TIMEOUT, supplier, accept);
    }

    public static <T> T value(String what, Duration timeout, Supplier<T> supplier, Predicate<T> accept) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (true) {
            last = supplier.get();
            if (last != null && accept.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + " (last seen: " + last + ")");
            }
            pause(POLL_MILLIS);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
