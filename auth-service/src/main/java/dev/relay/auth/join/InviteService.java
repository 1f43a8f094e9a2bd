package dev.relay.auth.join;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.config.AuthConfig;
import dev.relay.auth.repository.Credential;
import dev.relay.auth.repository.CredentialRepository;
import dev.relay.auth.repository.Invite;
import dev.relay.auth.service.AuditLog;
import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.CredentialJson;
import dev.relay.auth.service.CredentialService;
import dev.relay.auth.service.CredentialService.MintRequest;
import dev.relay.auth.service.CredentialService.Minted;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.id.Snowflake;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/**
 * Join codes: the admin key creates, lists and revokes invites; anyone holding a code redeems it once for a restricted
 * workspace key. Each step is one audit row. A redemption claims a use with a single conditional update, so two
 * machines racing for a single-use code cannot both win.
 */
@ApplicationScoped
public class InviteService {

    private final CredentialService credentialService;
    private final CredentialRepository credentials;
    private final AuditLog audit;
    private final Snowflake ids;
    private final Clock clock;
    private final Duration defaultTtl;

    InviteService(CredentialService credentialService, CredentialRepository credentials, AuditLog audit,
            Snowflake ids, Clock clock, AuthConfig config) {
        this.credentialService = credentialService;
        this.credentials = credentials;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
        this.defaultTtl = config.inviteTtl();
    }

    /** An invite with its code, which exists only in this answer. */
    public record Created(Invite invite, String code) {
    }

    /** A redeemed invite and the restricted key it minted (raw token shown once). */
    public record Redeemed(Invite invite, Minted key) {
    }

    public Uni<Created> create(String workspaceId, String createdBy, Map<String, Object> body, Caller caller) {
        Instant now = clock.instant();
        InviteRules rules = InviteRules.read(body, now, defaultTtl);
        String code = JoinCodes.generate();
        Invite invite = new Invite();
        invite.id = "inv_" + ids.nextId();
        invite.workspaceId = workspaceId;
        invite.codeHash = JoinCodes.hash(JoinCodes.normalize(code).orElseThrow());
        invite.label = rules.label();
        invite.capabilities = CredentialJson.json(rules.capabilities());
        invite.maxUses = rules.maxUses();
        invite.expiresAt = rules.expiresAt();
        invite.createdAt = now;
        invite.createdBy = createdBy;
        return Panache.withTransaction(() -> invite.<Invite>persist()
                .call(saved -> audit.record(entry("invite.created", Optional.empty(), saved), caller, now)))
                .replaceWith(new Created(invite, code));
    }

    @WithSession
    public Uni<List<Invite>> list(String workspaceId) {
        return Invite.list("workspaceId = ?1 order by createdAt desc, id desc", workspaceId);
    }

    /** Revokes an invite of the workspace; revoking it again changes nothing. */
    public Uni<Invite> revoke(String workspaceId, String inviteId, Caller caller) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> Invite.<Invite>findById(inviteId).flatMap(invite -> {
            if (invite == null || !invite.workspaceId.equals(workspaceId)) {
                throw RelayException.notFound(ErrorCode.INVITE_NOT_FOUND, "Invite " + inviteId + " not found");
            }
            if (invite.revokedAt != null) {
                return Uni.createFrom().item(invite);
            }
            invite.revokedAt = now;
            return audit.record(entry("invite.revoked", Optional.empty(), invite), caller, now).replaceWith(invite);
        }));
    }

    /**
     * Redeems a code for a new restricted workspace key. A code that does not exist, or no longer can be used,
     * answers with the precise reason ({@code invite_not_found}, {@code invite_used}, {@code invite_expired},
     * {@code invite_revoked}), and the refusal is audited too.
     */
    public Uni<Redeemed> redeem(String presented, Caller caller) {
        Instant now = clock.instant();
        String hash = JoinCodes.normalize(presented).map(JoinCodes::hash).orElse(null);
        return Panache.withTransaction(() -> (hash == null
                ? Uni.createFrom().<Invite>nullItem()
                : Invite.<Invite>find("codeHash", hash).firstResult())
                .flatMap(invite -> invite == null
                        ? refuse(null, hash, caller, now)
                        : claim(invite, caller, now)))
                .map(outcome -> switch (outcome) {
                    case Redeemed redeemed -> redeemed;
                    case RelayException refused -> throw refused;
                    default -> throw new IllegalStateException("unexpected outcome " + outcome);
                });
    }

    /** The refusal is returned, not thrown, so its audit row commits with the transaction. */
    private Uni<Object> refuse(Invite invite, String hash, Caller caller, Instant now) {
        RelayException refusal = refusal(invite, now);
        AuditLog.Entry entry = invite != null
                ? entry("invite.refused", Optional.of(refusal.code().code()), invite)
                : new AuditLog.Entry("invite.refused", Optional.of(refusal.code().code()), Optional.of("invite"),
                        Optional.ofNullable(hash).map(Tokens::hashPrefix), Optional.empty(), Optional.empty());
        return audit.record(entry, caller, now).replaceWith(refusal);
    }

    private static RelayException refusal(Invite invite, Instant now) {
        if (invite == null) {
            return RelayException.notFound(ErrorCode.INVITE_NOT_FOUND, "No invite matches this code; check it for "
                    + "typos, or ask the workspace's admin for a new one (./relay admin invite)");
        }
        return switch (invite.status(now)) {
            case "revoked" -> new RelayException(ErrorCode.INVITE_REVOKED, "This invite was revoked at "
                    + invite.revokedAt + "; ask the workspace's admin for a new one");
            case "used" -> new RelayException(ErrorCode.INVITE_USED, "This invite has already been redeemed ("
                    + invite.uses + " of " + invite.maxUses + " uses, last at " + invite.lastUsedAt
                    + "); ask the workspace's admin for a new one");
            case "expired" -> new RelayException(ErrorCode.INVITE_EXPIRED, "This invite expired at "
                    + invite.expiresAt + "; ask the workspace's admin for a new one");
            default -> throw new IllegalStateException("invite " + invite.id + " is redeemable");
        };
    }

    private Uni<Object> claim(Invite invite, Caller caller, Instant now) {
        if (!"active".equals(invite.status(now))) {
            return refuse(invite, invite.codeHash, caller, now);
        }
        // Never written through the entity: a stale `uses` flushed back could undo a concurrent redemption.
        return Invite.update("uses = uses + 1, lastUsedAt = ?1 where id = ?2 and uses < maxUses and revokedAt is null "
                + "and expiresAt > ?1", now, invite.id)
                .flatMap(claimed -> claimed == 0
                        // another redemption won the last use between our read and our update
                        ? Invite.getSession()
                                .flatMap(session -> session.refresh(invite))
                                .flatMap(refreshed -> refuse(invite, invite.codeHash, caller, now))
                        : mintKey(invite, caller, now));
    }

    private Uni<Object> mintKey(Invite invite, Caller caller, Instant now) {
        return (invite.createdBy == null
                ? Uni.createFrom().<Credential>nullItem()
                : credentials.findById(invite.createdBy))
                .flatMap(admin -> credentialService.mint(new MintRequest(TokenKind.WORKSPACE_KEY, invite.workspaceId,
                        invite.workspaceId, admin == null ? null : admin.subjectName, List.of(), Map.of(),
                        CredentialJson.strings(invite.capabilities), invite.label, null, invite.createdBy), caller))
                .call(minted -> audit.record(new AuditLog.Entry("invite.redeemed", Optional.empty(),
                        Optional.of("invite"), Optional.of(Tokens.hashPrefix(invite.codeHash)),
                        Optional.of(invite.workspaceId), Optional.of(minted.credential().id)), caller, now))
                .map(minted -> new Redeemed(invite, minted));
    }

    private static AuditLog.Entry entry(String event, Optional<String> reason, Invite invite) {
        return new AuditLog.Entry(event, reason, Optional.of("invite"), Optional.of(Tokens.hashPrefix(invite.codeHash)),
                Optional.of(invite.workspaceId), Optional.of(invite.id));
    }
}
