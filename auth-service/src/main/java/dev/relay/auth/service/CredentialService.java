package dev.relay.auth.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.messaging.RevocationPublisher;
import dev.relay.auth.repository.Credential;
import dev.relay.auth.repository.CredentialRepository;
import dev.relay.auth.repository.RetiredHash;
import dev.relay.auth.repository.WorkspaceExpiry;
import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.common.auth.CredentialChange;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.id.Snowflake;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import dev.relay.common.ws.CloseCode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/** Mints, rotates and revokes credentials; every change is audited and revocations are broadcast once committed. */
@ApplicationScoped
public class CredentialService {

    private final CredentialRepository credentials;
    private final AuditLog audit;
    private final RevocationPublisher publisher;
    private final Snowflake ids;
    private final Clock clock;

    CredentialService(CredentialRepository credentials, AuditLog audit, RevocationPublisher publisher, Snowflake ids,
            Clock clock) {
        this.credentials = credentials;
        this.audit = audit;
        this.publisher = publisher;
        this.ids = ids;
        this.clock = clock;
    }

    /** What to mint. Scopes and filters apply to observer tokens, capabilities to restricted workspace keys. */
    public record MintRequest(TokenKind kind, String workspaceId, String subjectId, String subjectName,
            List<String> scopes, Map<String, Object> filters, List<String> capabilities, String label,
            Instant expiresAt, String issuedBy) {
    }

    /** A credential together with its raw token, which exists only in this answer. */
    public record Minted(Credential credential, String token) {
    }

    @WithTransaction
    public Uni<Minted> mint(MintRequest request, Caller caller) {
        Instant now = clock.instant();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw RelayException.badRequest("expires_at must be in the future");
        }
        String token = Tokens.generate(request.kind());
        Credential credential = new Credential();
        credential.id = "cred_" + ids.nextId();
        credential.kind = request.kind().wireName();
        credential.workspaceId = request.workspaceId();
        credential.subjectId = request.subjectId();
        credential.subjectName = request.subjectName();
        credential.tokenHash = Tokens.sha256Hex(token);
        credential.displayPrefix = Tokens.displayPrefix(token);
        credential.status = Credential.ACTIVE;
        credential.scopes = CredentialJson.json(request.scopes() == null ? List.of() : request.scopes());
        credential.filters = CredentialJson.json(request.filters() == null ? Map.of() : request.filters());
        credential.capabilities = CredentialJson.json(request.capabilities() == null
                ? List.of()
                : request.capabilities());
        credential.label = request.label();
        credential.expiresAt = request.expiresAt();
        credential.createdAt = now;
        return issuer(request.issuedBy()).flatMap(issuer -> {
            credential.issuedBy = issuer == null ? null : issuer.id;
            credential.issuerKeyId = request.kind() == TokenKind.WORKSPACE_KEY ? credential.id : rootKey(issuer);
            return credentials.persist(credential);
        })
                .call(saved -> audit.record(entry("minted", saved), caller, now))
                .map(saved -> new Minted(saved, token));
    }

    private Uni<Credential> issuer(String issuedBy) {
        if (issuedBy == null || issuedBy.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        return credentials.findById(issuedBy).map(found -> {
            if (found == null) {
                throw RelayException.badRequest("issued_by: credential " + issuedBy + " not found");
            }
            return found;
        });
    }

    /** The workspace key at the root of the issuer's chain: the issuer itself when it is a workspace key. */
    private static String rootKey(Credential issuer) {
        if (issuer == null) {
            return null;
        }
        return TokenKind.WORKSPACE_KEY.wireName().equals(issuer.kind) ? issuer.id : issuer.issuerKeyId;
    }

    /**
     * Replaces the credential's secret. With a grace period the previous secret keeps verifying until it ends;
     * without one it stops at once (and is announced as such).
     */
    public Uni<Minted> rotate(String credentialId, Duration grace, Caller caller) {
        return rotateCommitted(credentialId, grace, caller)
                .call(rotated -> publisher.publish(change(CredentialChange.ROTATED, rotated.credential(),
                        List.of(rotated.credential().previousHash), rotatedReason(rotated.credential()))));
    }

    private Uni<Minted> rotateCommitted(String credentialId, Duration grace, Caller caller) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> activeCredential(credentialId).flatMap(credential -> {
            TokenKind kind = TokenKind.fromWireName(credential.kind)
                    .orElseThrow(() -> new RelayException(
                            ErrorCode.INVALID_REQUEST,
                            "credential " + credentialId + " has legacy kind '" + credential.kind
                                    + "'; run ./relay admin backfill-kinds first"));
            String token = Tokens.generate(kind);
            RetiredHash retired = new RetiredHash();
            retired.tokenHash = credential.tokenHash;
            retired.credentialId = credential.id;
            retired.retiredAt = now;
            credential.previousHash = credential.tokenHash;
            credential.previousValidUntil = grace == null || grace.isZero() || grace.isNegative()
                    ? now
                    : now.plus(grace);
            credential.tokenHash = Tokens.sha256Hex(token);
            credential.displayPrefix = Tokens.displayPrefix(token);
            credential.rotatedAt = now;
            credential.lastUsedAt = null;
            return retired.persist()
                    .call(() -> audit.record(entry("rotated", credential), caller, now))
                    .replaceWith(new Minted(credential, token));
        }));
    }

    /**
     * Revokes one credential; revoking an already revoked one changes nothing and answers it as it is. Revoking a
     * restricted workspace key also revokes everything minted under it (its machine's node and agent tokens), and
     * their sockets are closed with {@code workspace_key_revoked}.
     */
    public Uni<Credential> revoke(String credentialId, String why, Caller caller) {
        return revokeCommitted(credentialId, why, caller)
                .call(revoked -> revoked.changed()
                        ? publisher.publish(change(CredentialChange.REVOKED,
                                revoked.credential(), hashes(revoked.credential()),
                                revokedReason(revoked.credential())))
                        : Uni.createFrom().voidItem())
                .call(revoked -> restrictedKey(revoked.credential())
                        ? revokeIssuedUnder(revoked.credential(), caller)
                        : Uni.createFrom().voidItem())
                .map(Revoked::credential);
    }

    private static boolean restrictedKey(Credential credential) {
        return TokenKind.WORKSPACE_KEY.wireName().equals(credential.kind)
                && !CredentialJson.strings(credential.capabilities).isEmpty();
    }

    /** Runs again for an already revoked key too, so a cascade cut short by a crash is finished by a retry. */
    private Uni<Void> revokeIssuedUnder(Credential key, Caller caller) {
        String why = "its workspace key " + key.displayPrefix + "…" + (key.label == null
                ? ""
                : " (" + key.label
                        + ")")
                + " was revoked";
        return revokeAll(() -> credentials.listActiveByIssuerKey(key.id), why, caller,
                CloseCode.WORKSPACE_KEY_REVOKED.reason())
                .invoke(cascaded -> Log.infof("credential.cascade key=%s workspace=%s revoked=%d", key.id,
                        key.workspaceId, cascaded.size()))
                .replaceWithVoid();
    }

    private record Revoked(Credential credential, boolean changed) {
    }

    private Uni<Revoked> revokeCommitted(String credentialId, String why, Caller caller) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> credentials.findById(credentialId).flatMap(credential -> {
            if (credential == null) {
                throw new RelayException(ErrorCode.NOT_FOUND, "credential " + credentialId + " not found");
            }
            if (!credential.isActive()) {
                return Uni.createFrom().item(new Revoked(credential, false));
            }
            markRevoked(credential, why, now);
            return audit.record(entry("revoked", credential), caller, now).replaceWith(new Revoked(credential, true));
        }));
    }

    /** Revokes every active credential of a subject (an agent, node or observer) in one transaction. */
    public Uni<List<Credential>> revokeSubject(String workspaceId, String subjectId, String why, Caller caller) {
        return revokeAll(() -> credentials.listActiveBySubject(workspaceId, subjectId), why, caller, null);
    }

    /** Revokes every active credential of a workspace (the workspace was deleted). */
    public Uni<List<Credential>> revokeWorkspace(String workspaceId, String why, Caller caller) {
        return revokeAll(() -> credentials.listActiveByWorkspace(workspaceId), why, caller, null);
    }

    /** The query is made inside the transaction: entities loaded outside it would be changed but never flushed. */
    private Uni<List<Credential>> revokeAll(Supplier<Uni<List<Credential>>> query, String why, Caller caller,
            String closeReason) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> query.get().call(found -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Credential credential : found) {
                markRevoked(credential, why, now);
                chain = chain.call(() -> audit.record(entry("revoked", credential), caller, now));
            }
            return chain;
        })).call(revoked -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Credential credential : revoked) {
                chain = chain.call(() -> publisher.publish(change(CredentialChange.REVOKED, credential,
                        hashes(credential), closeReason != null ? closeReason : revokedReason(credential))));
            }
            return chain;
        });
    }

    @WithSession
    public Uni<List<Credential>> list(String workspaceId, String subjectId) {
        return credentials.listBySubject(workspaceId, subjectId);
    }

    @WithSession
    public Uni<Credential> get(String credentialId) {
        return credentials.findById(credentialId).map(found -> {
            if (found == null) {
                throw new RelayException(ErrorCode.NOT_FOUND, "credential " + credentialId + " not found");
            }
            return found;
        });
    }

    /** Records when a workspace expires; from then on every token of it is refused with `workspace_expired`. */
    @WithTransaction
    public Uni<Void> setWorkspaceExpiry(String workspaceId, Optional<Instant> expiresAt) {
        return WorkspaceExpiry.<WorkspaceExpiry>findById(workspaceId).flatMap(existing -> {
            if (expiresAt.isEmpty()) {
                return existing == null ? Uni.createFrom().voidItem() : existing.delete();
            }
            WorkspaceExpiry row = existing != null ? existing : new WorkspaceExpiry();
            row.workspaceId = workspaceId;
            row.expiresAt = expiresAt.get();
            return existing != null ? Uni.createFrom().voidItem() : row.persist().replaceWithVoid();
        });
    }

    private Uni<Credential> activeCredential(String credentialId) {
        return credentials.findById(credentialId).map(found -> {
            if (found == null || !found.isActive()) {
                throw new RelayException(ErrorCode.NOT_FOUND, "credential " + credentialId
                        + (found == null ? " not found" : " is revoked"));
            }
            return found;
        });
    }

    private static void markRevoked(Credential credential, String why, Instant now) {
        credential.status = Credential.REVOKED;
        credential.revokedAt = now;
        credential.revokedReason = why;
        credential.previousValidUntil = credential.previousHash == null ? null : now;
    }

    private static List<String> hashes(Credential credential) {
        return credential.previousHash == null
                ? List.of(credential.tokenHash)
                : List.of(credential.tokenHash, credential.previousHash);
    }

    private static AuditLog.Entry entry(String event, Credential credential) {
        return new AuditLog.Entry(event, Optional.empty(), Optional.of(credential.kind),
                Optional.of(Tokens.hashPrefix(credential.tokenHash)), Optional.ofNullable(credential.workspaceId),
                Optional.of(credential.id));
    }

    private static CredentialChange change(String event, Credential credential, List<String> hashes, String reason) {
        return new CredentialChange(event, credential.id, credential.kind, credential.workspaceId,
                credential.subjectId, hashes, reason, Instant.now());
    }

    private static String revokedReason(Credential credential) {
        return switch (credential.kind) {
            case "observer_token" -> CloseCode.OBSERVER_TOKEN_REVOKED.reason();
            case "node_token" -> CloseCode.NODE_TOKEN_REVOKED.reason();
            case "workspace_key" -> CloseCode.WORKSPACE_KEY_REVOKED.reason();
            default -> credential.kind + "_revoked";
        };
    }

    private static String rotatedReason(Credential credential) {
        return switch (credential.kind) {
            case "observer_token" -> CloseCode.OBSERVER_TOKEN_ROTATED.reason();
            case "node_token" -> CloseCode.NODE_TOKEN_ROTATED.reason();
            default -> credential.kind + "_rotated";
        };
    }
}
