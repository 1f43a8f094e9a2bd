package dev.relay.auth.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.repository.Credential;
import dev.relay.auth.repository.CredentialRepository;
import dev.relay.auth.repository.ObserverToken;
import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Repairs credentials written by an older schema or an importer: a generic kind (such as `api_key`) or no workspace.
 * The kind is inferred from the stored display prefix, the workspace from the subject. Revoked rows are never
 * touched; every change is audited; running it again changes nothing.
 */
@ApplicationScoped
public class KindBackfill {

    private final CredentialRepository credentials;
    private final AuditLog audit;
    private final Clock clock;

    KindBackfill(CredentialRepository credentials, AuditLog audit, Clock clock) {
        this.credentials = credentials;
        this.audit = audit;
        this.clock = clock;
    }

    /** One repaired (or, in a dry run, repairable) credential. */
    public record Change(String credentialId, String fromKind, String toKind, String fromWorkspaceId,
            String toWorkspaceId) {
    }

    /** A credential that needs repair but whose kind or workspace cannot be inferred. */
    public record Unresolved(String credentialId, String kind, String why) {
    }

    public record Report(boolean dryRun, int examined, int repaired, int skippedRevoked, List<Change> changes,
            List<Unresolved> unresolved) {
    }

    public Uni<Report> run(boolean dryRun, Caller caller) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> credentials.list(
                "kind not in ?1 or workspaceId is null order by createdAt, id", TokenKind.wireNames())
                .flatMap(candidates -> repairAll(candidates, dryRun, caller, now)));
    }

    private Uni<Report> repairAll(List<Credential> candidates, boolean dryRun, Caller caller, Instant now) {
        List<Change> changes = new ArrayList<>();
        List<Unresolved> unresolved = new ArrayList<>();
        int[] skippedRevoked = {0};
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Credential credential : candidates) {
            if (!credential.isActive()) {
                skippedRevoked[0]++;
                continue;
            }
            chain = chain.call(() -> repairOne(credential, dryRun, caller, now).invoke(outcome -> {
                outcome.change().ifPresent(changes::add);
                outcome.unresolved().ifPresent(unresolved::add);
            }));
        }
        return chain.map(done -> new Report(dryRun, candidates.size(), dryRun ? 0 : changes.size(),
                skippedRevoked[0], changes, unresolved));
    }

    private record Outcome(Optional<Change> change, Optional<Unresolved> unresolved) {
    }

    private Uni<Outcome> repairOne(Credential credential, boolean dryRun, Caller caller, Instant now) {
        Optional<TokenKind> kind = TokenKind.ofPrefix(credential.displayPrefix == null ? "" : credential.displayPrefix);
        if (kind.isEmpty()) {
            return Uni.createFrom()
                    .item(new Outcome(Optional.empty(), Optional.of(new Unresolved(credential.id,
                            credential.kind,
                            "display prefix '" + credential.displayPrefix + "' names no token kind"))));
        }
        return workspaceOf(credential, kind.get()).flatMap(workspaceId -> {
            if (workspaceId.isEmpty()) {
                return Uni.createFrom()
                        .item(new Outcome(Optional.empty(), Optional.of(new Unresolved(credential.id,
                                credential.kind,
                                "no workspace can be inferred from subject " + credential.subjectId))));
            }
            Change change = new Change(credential.id, credential.kind, kind.get().wireName(), credential.workspaceId,
                    workspaceId.get());
            if (dryRun) {
                return Uni.createFrom().item(new Outcome(Optional.of(change), Optional.empty()));
            }
            credential.kind = change.toKind();
            credential.workspaceId = change.toWorkspaceId();
            AuditLog.Entry entry = new AuditLog.Entry("kind_backfilled", Optional.of("from_" + change.fromKind()),
                    Optional.of(change.toKind()), Optional.of(Tokens.hashPrefix(credential.tokenHash)),
                    Optional.of(change.toWorkspaceId()), Optional.of(credential.id));
            return audit.record(entry, caller, now).replaceWith(new Outcome(Optional.of(change), Optional.empty()));
        });
    }

    /** The stored workspace, else the one the subject's other credentials or observer token name. */
    private Uni<Optional<String>> workspaceOf(Credential credential, TokenKind kind) {
        if (credential.workspaceId != null) {
            return Uni.createFrom().item(Optional.of(credential.workspaceId));
        }
        return credentials.find("subjectId = ?1 and workspaceId is not null and id <> ?2", credential.subjectId,
                credential.id).firstResult().flatMap(sibling -> {
                    if (sibling != null) {
                        return Uni.createFrom().item(Optional.of(sibling.workspaceId));
                    }
                    if (kind == TokenKind.WORKSPACE_KEY) {
                        return Uni.createFrom().item(Optional.of(credential.subjectId)); // the subject is the workspace
                    }
                    return ObserverToken.<ObserverToken>findById(credential.subjectId)
                            .map(observer -> Optional.ofNullable(observer).map(o -> o.workspaceId));
                });
    }
}
