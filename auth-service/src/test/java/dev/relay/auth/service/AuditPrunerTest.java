package dev.relay.auth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.auth.repository.TestDatabase;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.quarkus.test.junit.QuarkusTest;

/** The audit retention (30 days by default) is enforced by {@link AuditPruner#prune()}. */
@QuarkusTest
class AuditPrunerTest {

    @Inject
    AuditPruner pruner;

    @Inject
    TestDatabase database;

    @Inject
    Vertx vertx;

    @Test
    void prunesRowsOlderThanTheRetentionAndKeepsTheRest() throws Exception {
        long old = database.insertAuditEvent("minted", Instant.now().minus(Duration.ofDays(31)));
        long recent = database.insertAuditEvent("minted", Instant.now().minus(Duration.ofDays(29)));

        long pruned = onVertxContext();

        assertTrue(pruned >= 1, "prune reported " + pruned + " rows");
        assertFalse(database.auditEventExists(old), "a 31-day-old row survived the prune");
        assertTrue(database.auditEventExists(recent), "a 29-day-old row was pruned");
    }

    @Test
    void prunesABacklogLargerThanOneBatchAndCountsEveryRow() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofDays(400));
        database.insertAuditEvents("backlog", longAgo, AuditPruner.BATCH * 2 + 7);
        long recent = database.insertAuditEvent("backlog", Instant.now().minus(Duration.ofDays(1)));

        long pruned = onVertxContext();

        assertTrue(pruned >= AuditPruner.BATCH * 2 + 7, "prune reported " + pruned + " rows");
        assertEquals(0, database.countAuditEventsBefore("backlog", longAgo.plusSeconds(1)));
        assertTrue(database.auditEventExists(recent), "a day-old row was pruned");
    }

    /** On a Vert.x context, as the scheduler calls it. */
    private long onVertxContext() throws Exception {
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        VertxContextSafetyToggle.setContextSafe(context, true);
        CompletableFuture<Long> result = new CompletableFuture<>();
        context.runOnContext(
                ignored -> pruner.prune().subscribe().with(result::complete, result::completeExceptionally));
        return result.get(10, TimeUnit.SECONDS);
    }
}
