package dev.relay.auth.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * {@link LastUseRecorder} writes recorded uses in batches, against the real credentials table: the latest use of each
 * credential lands, and a stored time inside the debounce window (30 s) is left alone.
 */
@QuarkusTest
class LastUseRecorderTest {

    @Inject
    LastUseRecorder recorder;

    @Inject
    TestDatabase database;

    @Inject
    Vertx vertx;

    @Test
    void writesTheLatestUseOfEveryCredentialRecordedSinceTheLastFlush() throws Exception {
        String a = credential();
        String b = credential();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        recorder.record(a, now.minusSeconds(5));
        recorder.record(a, now);
        recorder.record(a, now.minusSeconds(2)); // older than one already recorded: ignored
        recorder.record(b, now.minusSeconds(1));

        flushUntilStored(a);

        assertEquals(now, database.lastUsedAt(a));
        assertEquals(now.minusSeconds(1), waitForLastUse(b));
    }

    @Test
    void leavesAStoredUseInsideTheDebounceWindowAlone() throws Exception {
        String recent = credential();
        String stale = credential();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        database.setLastUsedAt(recent, now.minusSeconds(10));
        database.setLastUsedAt(stale, now.minusSeconds(31));
        recorder.record(recent, now);
        recorder.record(stale, now);

        flushUntilStored(stale);
        assertEquals(now, database.lastUsedAt(stale));
        assertEquals(now.minusSeconds(10), database.lastUsedAt(recent), "a use 10 s after the stored one was written");
    }

    private String credential() {
        String id = "cred_luse_" + UUID.randomUUID();
        database.insertCredential(id, "agent_token", "w_luse", "a_" + id, "hash-" + id, "at_live_luse");
        return id;
    }

    /** Flushes (the recorder's own timer may flush first; either way the write lands) until the row shows a use. */
    private void flushUntilStored(String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (database.lastUsedAt(id) == null || database.lastUsedAt(id).isBefore(Instant.now().minusSeconds(20))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("credential " + id + " shows no recorded use after 5 s");
            }
            CompletableFuture<Integer> flushed = new CompletableFuture<>();
            vertx.runOnContext(ignored -> recorder.flush()
                    .subscribe()
                    .with(flushed::complete,
                            flushed::completeExceptionally));
            flushed.get(5, TimeUnit.SECONDS);
            Thread.sleep(20);
        }
    }

    private Instant waitForLastUse(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (database.lastUsedAt(id) == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertNotNull(database.lastUsedAt(id), "no use written for " + id);
        return database.lastUsedAt(id);
    }
}
