package dev.relay.auth.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.config.AuthConfig;
import dev.relay.auth.repository.Credential;
import dev.relay.auth.repository.CredentialLookup;
import dev.relay.auth.repository.CredentialRepository;
import dev.relay.auth.repository.LastUseRecorder;
import dev.relay.auth.repository.RetiredHash;
import dev.relay.auth.repository.WorkspaceExpiry;
import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.Verification.Refused;
import dev.relay.auth.service.Verification.Verified;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Decides whether a presented token may call a route: the one place every refusal in the engine comes from, each
 * with its precise reason.
 */
@ApplicationScoped
public class VerificationService {

    private final CredentialRepository credentials;
    private final CredentialLookup lookup;
    private final LastUseRecorder lastUses;
    private final JwtIssuer jwts;
    private final AuditLog audit;
    private final AuthConfig config;
    private final Clock clock;

    VerificationService(CredentialRepository credentials, CredentialLookup lookup, LastUseRecorder lastUses,
            JwtIssuer jwts, AuditLog audit, AuthConfig config, Clock clock) {
        this.credentials = credentials;
        this.lookup = lookup;
        this.lastUses = lastUses;
        this.jwts = jwts;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /** What a route accepts: token kinds (empty = any) and, for observer tokens, any one of these scopes. */
    public record Requirement(Set<TokenKind> kinds, List<String> anyScope) {

        public Requirement {
            kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
            anyScope = anyScope == null ? List.of() : List.copyOf(anyScope);
        }
    }

    /**
     * The verdict on a token. The common case, a current secret that verifies, is one statement and no transaction
     * ({@link CredentialLookup}); the rest (a rotated-out or unknown secret, and every refusal, which is audited) runs
     * in a transaction through Hibernate.
     */
    public Uni<Verification> verify(String token, Requirement requirement, Caller caller) {
        Instant now = clock.instant();
        Optional<Refused> shape = checkShape(token, requirement);
        if (shape.isPresent()) {
            return Panache.withTransaction(() -> refuse(shape.get(), caller, now));
        }
        TokenKind kind = TokenKind.ofPrefix(token).orElseThrow();
        String hash = Tokens.sha256Hex(token);
        return lookup.byHash(hash)
                .flatMap(found -> found != null
                        ? decide(found.credential(), found.workspaceExpiresAt(), kind, hash, requirement, caller, now)
                        : Panache.withTransaction(() -> previousGeneration(kind, hash, now).flatMap(previous -> previous
                                .isPresent()
                                        ? WorkspaceExpiry.<WorkspaceExpiry>findById(previous.get().workspaceId)
                                                .flatMap(expiry -> decide(previous.get(),
                                                        expiry == null ? null : expiry.expiresAt, kind, hash,
                                                        requirement,
                                                        caller, now))
                                        : retiredOrUnknown(kind, hash, caller, now))));
    }

    /** Format and kind checks that need no database: cheap refusals first. */
    private static Optional<Refused> checkShape(String token, Requirement requirement) {
        if (token == null || token.isBlank()) {
            return Optional.of(refused(RefusalReason.MALFORMED, Optional.empty(), "Missing or invalid Authorization "
                    + "header", null));
        }
        Optional<TokenKind> kind = TokenKind.ofPrefix(token);
        if (kind.isEmpty()) {
            return Optional.of(refused(RefusalReason.UNKNOWN_PREFIX, kind, "Invalid token format: tokens start with "
                    + "rk_live_, at_live_, nt_live_ or ot_live_", null));
        }
        if (!kind.get().matchesFormat(token)) {
            return Optional.of(refused(RefusalReason.MALFORMED, kind, "Invalid token format: "
                    + withArticle(kind.get().displayName()) + " is " + kind.get().prefix() + " followed by "
                    + kind.get().secretLength() + " lower-case hex characters", null));
        }
        if (!requirement.kinds().isEmpty() && !requirement.kinds().contains(kind.get())) {
            return Optional.of(refused(RefusalReason.WRONG_KIND, kind, capitalized(kind.get().displayName())
                    + " cannot be used here; this route takes " + describe(requirement.kinds()),
                    Tokens.sha256Hex(token)));
        }
        return Optional.empty();
    }

    /** A token that was replaced by a rotation still verifies during its grace period. */
    private Uni<Optional<Credential>> previousGeneration(TokenKind kind, String hash, Instant now) {
        // A revoked credential is answered as revoked whichever of its secrets is presented.
        return credentials.findByPreviousHash(hash)
                .map(previous -> Optional.ofNullable(previous)
                        .filter(c -> !c.isActive()
                                || c.previousValidUntil != null && c.previousValidUntil.isAfter(now)));
    }

    private Uni<Verification> retiredOrUnknown(TokenKind kind, String hash, Caller caller, Instant now) {
        return RetiredHash.<RetiredHash>findById(hash).flatMap(retired -> {
            if (retired == null) {
                return refuse(refused(RefusalReason.NOT_FOUND, Optional.of(kind), capitalized(kind.displayName())
                        + " not recognised", hash), caller, now);
            }
            return credentials.findById(retired.credentialId)
                    .flatMap(owner -> refuse(new Refused(
                            RefusalReason.ROTATED_OUT, Optional.of(kind),
                            capitalized(kind.displayName()) + " was rotated at "
                                    + retired.retiredAt + "; present the new token",
                            Optional.of(Tokens.hashPrefix(hash)), Optional.of(retired.credentialId),
                            Optional.ofNullable(owner == null ? null : owner.workspaceId)), caller, now));
        });
    }

    private Uni<Verification> decide(Credential credential, Instant workspaceExpiresAt, TokenKind kind, String hash,
            Requirement requirement, Caller caller, Instant now) {
        Optional<Refused> refusal = refusal(credential, workspaceExpiresAt, kind, hash, requirement, now);
        return refusal.isPresent()
                ? Panache.withTransaction(() -> refuse(refusal.get(), caller, now))
                : verified(credential, kind, hash, now);
    }

    /** Why a found credential may not call the route, checked in this order; empty when it may. */
    private static Optional<Refused> refusal(Credential credential, Instant workspaceExpiresAt, TokenKind kind,
            String hash, Requirement requirement, Instant now) {
        String name = capitalized(kind.displayName());
        RefusalReason reason = null;
        String message = null;
        if (!kind.wireName().equals(credential.kind)) {
            reason = RefusalReason.KIND_MISMATCH;
            message = name + " prefix does not match the stored credential (kind '" + credential.kind
                    + "'" + (credential.workspaceId == null ? ", no workspace" : "")
                    + "); an operator must run ./relay admin backfill-kinds";
        } else if (credential.workspaceId == null) {
            reason = RefusalReason.KIND_MISMATCH;
            message = name + "'s stored credential has no workspace; an operator must run ./relay admin "
                    + "backfill-kinds";
        } else if (!credential.isActive()) {
            reason = RefusalReason.REVOKED;
            message = name + " was revoked at " + credential.revokedAt
                    + (credential.revokedReason == null || credential.revokedReason.isBlank()
                            ? ""
                            : ": " + credential.revokedReason);
        } else if (credential.expiresAt != null && !credential.expiresAt.isAfter(now)) {
            reason = RefusalReason.EXPIRED;
            message = name + " expired at " + credential.expiresAt;
        } else if (kind == TokenKind.OBSERVER_TOKEN && !requirement.anyScope().isEmpty()
                && CredentialJson.strings(credential.scopes).stream().noneMatch(requirement.anyScope()::contains)) {
            reason = RefusalReason.MISSING_SCOPE;
            message = "Observer token lacks the required scope (one of: " + String.join(", ",
                    requirement.anyScope()) + ")";
        } else if (workspaceExpiresAt != null && !workspaceExpiresAt.isAfter(now)) {
            reason = RefusalReason.WORKSPACE_EXPIRED;
            message = "Workspace has expired (at " + workspaceExpiresAt + ")";
        }
        return reason == null
                ? Optional.empty()
                : Optional.of(new Refused(reason, Optional.of(kind), message, Optional.of(Tokens.hashPrefix(hash)),
                        Optional.of(credential.id), Optional.ofNullable(credential.workspaceId)));
    }

    private Uni<Verification> verified(Credential credential, TokenKind kind, String hash, Instant now) {
        JwtIssuer.SignedJwt jwt = jwts.principal(CredentialJson.principal(credential, kind, hash), now);
        Verification result = new Verified(CredentialJson.principal(credential, kind, hash), jwt.token(),
                jwt.expiresAt());
        Instant staleBefore = now.minus(config.lastUsedDebounce());
        if (credential.lastUsedAt != null && !credential.lastUsedAt.isBefore(staleBefore)) {
            return Uni.createFrom().item(result); // used recently: no write (the row just read says so)
        }
        lastUses.record(credential.id, now); // bookkeeping, written in a batch after the answer
        return Uni.createFrom().item(result);
    }

    private Uni<Verification> refuse(Refused refusal, Caller caller, Instant now) {
        AuditLog.Entry entry = new AuditLog.Entry("verify_refused", Optional.of(refusal.reason().wireName()),
                refusal.presentedKind().map(TokenKind::wireName), refusal.hashPrefix(), refusal.workspaceId(),
                refusal.credentialId());
        return audit.record(entry, caller, now).replaceWith(refusal);
    }

    private static Refused refused(RefusalReason reason, Optional<TokenKind> kind, String message, String hash) {
        return new Refused(reason, kind, message, Optional.ofNullable(hash).map(Tokens::hashPrefix), Optional.empty(),
                Optional.empty());
    }

    private static String describe(Set<TokenKind> kinds) {
        return kinds.stream()
                .sorted()
                .map(k -> withArticle(k.displayName()) + " (" + k.prefix() + "...)")
                .collect(Collectors.joining(" or "));
    }

    private static String withArticle(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
