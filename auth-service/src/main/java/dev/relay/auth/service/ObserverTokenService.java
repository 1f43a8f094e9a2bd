package dev.relay.auth.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.messaging.RevocationPublisher;
import dev.relay.auth.repository.Credential;
import dev.relay.auth.repository.CredentialRepository;
import dev.relay.auth.repository.ObserverToken;
import dev.relay.auth.repository.ObserverTokenRepository;
import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.CredentialService.MintRequest;
import dev.relay.common.auth.CredentialChange;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.id.Ids;
import dev.relay.common.id.Snowflake;
import dev.relay.common.token.TokenKind;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/** The observer-token lifecycle of contract §7.4: create, list, get, patch, rotate, revoke. */
@ApplicationScoped
public class ObserverTokenService {

    private final ObserverTokenRepository observers;
    private final CredentialRepository credentials;
    private final CredentialService credentialService;
    private final RevocationPublisher publisher;
    private final Snowflake ids;
    private final Clock clock;

    ObserverTokenService(ObserverTokenRepository observers, CredentialRepository credentials,
            CredentialService credentialService, RevocationPublisher publisher, Snowflake ids, Clock clock) {
        this.observers = observers;
        this.credentials = credentials;
        this.credentialService = credentialService;
        this.publisher = publisher;
        this.ids = ids;
        this.clock = clock;
    }

    /** An observer token with its credential, and its raw token when just created or rotated. */
    public record View(ObserverToken token, Credential credential, String rawToken) {
    }

    public Uni<View> create(String workspaceId, Map<String, Object> body, Caller caller) {
        Instant now = clock.instant();
        String name = ObserverRules.name(body.get("name"));
        String description = ObserverRules.description(body.get("description"));
        List<String> scopes = ObserverRules.scopes(body.get("scopes"));
        Map<String, Object> filters = ObserverRules.filters(body.get("filters"));
        Instant expiresAt = ObserverRules.expiresAt(body.get("expires_at"), now);
        String id = Ids.observerTokenId(ids.nextId());
        return Panache.withTransaction(() -> requireFreeName(workspaceId, name, id)
                .flatMap(free -> credentialService.mint(new MintRequest(TokenKind.OBSERVER_TOKEN, workspaceId, id, name,
                        scopes, filters, List.of(), null, expiresAt, null), caller))
                .flatMap(minted -> {
                    ObserverToken token = new ObserverToken();
                    token.id = id;
                    token.workspaceId = workspaceId;
                    token.credentialId = minted.credential().id;
                    token.name = name;
                    token.description = description;
                    token.createdAt = now;
                    token.updatedAt = now;
                    return observers.persist(token).map(saved -> new View(saved, minted.credential(), minted.token()));
                }));
    }

    @WithSession
    public Uni<List<View>> list(String workspaceId) {
        return observers.listInWorkspace(workspaceId).flatMap(tokens -> {
            if (tokens.isEmpty()) {
                return Uni.createFrom().item(List.<View>of());
            }
            List<String> credentialIds = tokens.stream().map(t -> t.credentialId).toList();
            return credentials.list("id in ?1", credentialIds).map(found -> {
                Map<String, Credential> byId = found.stream()
                        .collect(java.util.stream.Collectors.toMap(c -> c.id,
                                c -> c));
                return tokens.stream().map(t -> new View(t, byId.get(t.credentialId), null)).toList();
            });
        });
    }

    @WithSession
    public Uni<View> get(String workspaceId, String id) {
        return find(workspaceId, id);
    }

    /** Changes name, description, scopes, filters or expiry of an active token; the change reaches every cache. */
    public Uni<View> patch(String workspaceId, String id, Map<String, Object> body, Caller caller) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> findActive(workspaceId, id).flatMap(view -> {
            Uni<Boolean> nameCheck = Uni.createFrom().item(true);
            if (body.containsKey("name")) {
                String name = ObserverRules.name(body.get("name"));
                nameCheck = requireFreeName(workspaceId, name, id).invoke(() -> {
                    view.token().name = name;
                    view.credential().subjectName = name;
                });
            }
            if (body.containsKey("description")) {
                view.token().description = ObserverRules.description(body.get("description"));
            }
            if (body.containsKey("scopes")) {
                view.credential().scopes = CredentialJson.json(ObserverRules.scopes(body.get("scopes")));
            }
            if (body.containsKey("filters")) {
                view.credential().filters = CredentialJson.json(ObserverRules.filters(body.get("filters")));
            }
            if (body.containsKey("expires_at")) {
                view.credential().expiresAt = ObserverRules.expiresAt(body.get("expires_at"), now);
            }
            view.token().updatedAt = now;
            return nameCheck.replaceWith(view);
        }))
                .call(view -> publisher.publish(new CredentialChange(CredentialChange.UPDATED, view.credential().id,
                        view.credential().kind, workspaceId, id, List.of(view.credential().tokenHash),
                        "observer_token_updated", now)));
    }

    /** A new secret, returned once; the old one stops working at once and `last_used_at` is reset. */
    public Uni<View> rotate(String workspaceId, String id, Caller caller) {
        return Panache.withSession(() -> findActive(workspaceId, id))
                .flatMap(view -> credentialService.rotate(view.credential().id, Duration.ZERO, caller)
                        .flatMap(minted -> touch(view.token().id).map(token -> new View(token, minted.credential(),
                                minted.token()))));
    }

    /** Revokes the token for good; a revoked token is no longer found for patch, rotate or revoke. */
    public Uni<Void> revoke(String workspaceId, String id, Caller caller) {
        return Panache.withSession(() -> findActive(workspaceId, id))
                .flatMap(view -> credentialService.revoke(view.credential().id, "observer token revoked", caller))
                .flatMap(revoked -> touch(id))
                .replaceWithVoid();
    }

    private Uni<ObserverToken> touch(String id) {
        return Panache.withTransaction(() -> observers.findById(id).invoke(token -> token.updatedAt = clock.instant()));
    }

    private Uni<View> find(String workspaceId, String id) {
        return observers.findInWorkspace(workspaceId, id).flatMap(token -> {
            if (token == null) {
                throw notFound(id);
            }
            return credentials.findById(token.credentialId).map(credential -> new View(token, credential, null));
        });
    }

    private Uni<View> findActive(String workspaceId, String id) {
        return find(workspaceId, id).map(view -> {
            if (!view.credential().isActive()) {
                throw notFound(id);
            }
            return view;
        });
    }

    private Uni<Boolean> requireFreeName(String workspaceId, String name, String exceptId) {
        return observers.nameTaken(workspaceId, name, exceptId).map(taken -> {
            if (taken) {
                throw new RelayException(ErrorCode.OBSERVER_TOKEN_NAME_CONFLICT,
                        "An observer token named '" + name + "' already exists in this workspace");
            }
            return true;
        });
    }

    private static RelayException notFound(String id) {
        return new RelayException(ErrorCode.OBSERVER_TOKEN_NOT_FOUND, "Observer token " + id + " not found");
    }

}
