package dev.relay.auth.service;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.config.AuthConfig;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Enforces the audit table's retention. */
@ApplicationScoped
public class AuditPruner {

    private final AuditLog audit;
    private final AuthConfig config;
    private final Clock clock;

    AuditPruner(AuditLog audit, AuthConfig config, Clock clock) {
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "${relay.auth.audit-prune-every:1h}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledPrune() {
        return prune().replaceWithVoid();
    }

    /** Deletes audit rows older than the retention; returns how many. */
    @WithTransaction
    public Uni<Long> prune() {
        return audit.prune(clock.instant().minus(config.auditRetention()))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        Log.infof("auth.audit_pruned rows=%d retention=%s", deleted, config.auditRetention());
                    }
                });
    }
}
