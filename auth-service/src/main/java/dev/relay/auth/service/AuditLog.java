package dev.relay.auth.service;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.repository.AuditEvent;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Writes every mint, rotation, revocation and refused verification as one structured log line and one audit row.
 * Carries hash prefixes only, never a secret.
 */
@ApplicationScoped
public class AuditLog {

    /** Who asked: the calling service (from its service JWT) and the original client's address. */
    public record Caller(String service, String remoteHost) {

        public static final Caller SYSTEM = new Caller("auth-service", null);
    }

    /** One audit entry before it is written. */
    public record Entry(String event, Optional<String> reason, Optional<String> kind, Optional<String> hashPrefix,
            Optional<String> workspaceId, Optional<String> credentialId) {
    }

    /** Logs the entry and adds its row inside the caller's transaction. */
    public Uni<Void> record(Entry entry, Caller caller, Instant now) {
        Log.infof("auth.%s reason=%s kind=%s hash=%s workspace=%s credential=%s service=%s remote=%s", entry.event(),
                entry.reason().orElse("-"), entry.kind().orElse("-"), entry.hashPrefix().orElse("-"),
                entry.workspaceId().orElse("-"), entry.credentialId().orElse("-"), caller.service(),
                caller.remoteHost() == null ? "-" : caller.remoteHost());
        AuditEvent row = new AuditEvent();
        row.occurredAt = now;
        row.event = entry.event();
        row.reason = entry.reason().orElse(null);
        row.kind = entry.kind().orElse(null);
        row.hashPrefix = entry.hashPrefix().orElse(null);
        row.workspaceId = entry.workspaceId().orElse(null);
        row.credentialId = entry.credentialId().orElse(null);
        row.callingService = caller.service();
        row.remoteHost = caller.remoteHost();
        return row.persist().replaceWithVoid();
    }
}
