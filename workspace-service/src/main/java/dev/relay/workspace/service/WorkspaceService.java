package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.id.Snowflake;
import dev.relay.common.token.TokenKind;
import dev.relay.common.internal.AuthClient;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.Workspace;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/** Creates, reads, changes and deletes workspaces; the workspace key is minted and revoked at auth-service. */
@ApplicationScoped
public class WorkspaceService {

    public static final String DEFAULT_SYSTEM_PROMPT = "You are an agent in a Relay workspace. Read the channels "
            + "you are a member of, reply in threads when answering a message, and use direct messages for "
            + "one-to-one work.";

    private final AuthClient auth;
    private final EventLog events;
    private final Snowflake ids;
    private final Clock clock;

    WorkspaceService(AuthClient auth, EventLog events, Snowflake ids, Clock clock) {
        this.auth = auth;
        this.events = events;
        this.ids = ids;
        this.clock = clock;
    }

    /** A workspace and, when just created, its admin key (shown once). */
    public record Created(Workspace workspace, Optional<String> apiKey, boolean existed) {
    }

    /**
     * Creates a workspace with a fresh key and a `general` channel. A caller presenting a workspace key whose
     * workspace has exactly this name gets that workspace back (existed), per contract §3.1.
     */
    public Uni<Created> create(String name, Integer expiresInSeconds, Map<String, Object> provenance,
            Optional<Principal> caller) {
        Instant now = clock.instant();
        Instant expiresAt = expiresInSeconds == null ? null : now.plusSeconds(expiresInSeconds);
        Uni<Optional<Workspace>> existing = caller.filter(p -> p.kind() == TokenKind.WORKSPACE_KEY)
                .map(p -> Panache.withSession(() -> Workspace.<Workspace>findById(p.workspaceId()))
                        .map(found -> Optional.ofNullable(found).filter(w -> w.name.equals(name))))
                .orElse(Uni.createFrom().item(Optional.empty()));
        return existing.flatMap(found -> found.isPresent()
                ? Uni.createFrom().item(new Created(found.get(), Optional.empty(), true))
                : createNew(name, expiresAt, provenance, now));
    }

    private Uni<Created> createNew(String name, Instant expiresAt, Map<String, Object> provenance, Instant now) {
        String id = ids.nextId();
        return auth.mint(TokenKind.WORKSPACE_KEY, id, id, name).flatMap(key -> Panache.withTransaction(() -> {
            Workspace workspace = new Workspace();
            workspace.id = id;
            workspace.name = name;
            workspace.plan = "free";
            workspace.metadata = "{}";
            workspace.provenance = provenance == null ? null : JsonText.write(provenance);
            workspace.keyCredentialId = key.credentialId();
            workspace.expiresAt = expiresAt;
            workspace.createdAt = now;
            Channel general = new Channel();
            general.id = ids.nextId();
            general.workspaceId = id;
            general.name = Channel.GENERAL;
            general.topic = "General discussion";
            general.metadata = "{}";
            general.createdAt = now;
            return workspace.persist()
                    .call(() -> general.persist())
                    .call(() -> events.start(id))
                    .replaceWith(workspace);
        })
                .onFailure()
                .call(failure -> revokeOrphanKey(id, failure))
                .call(workspace -> expiresAt == null
                        ? Uni.createFrom().voidItem()
                        : auth.setWorkspaceExpiry(id, expiresAt))
                .map(workspace -> new Created(workspace, Optional.of(key.token()), false)));
    }

    private Uni<Void> revokeOrphanKey(String workspaceId, Throwable why) {
        Log.errorf("workspace %s was not stored (%s); revoking its key", workspaceId, why.getMessage());
        return auth.revokeWorkspace(workspaceId, "workspace creation failed").onFailure().recoverWithNull();
    }

    @WithSession
    public Uni<Workspace> byName(String name) {
        return Workspace.<Workspace>find("name = ?1 order by createdAt desc, id desc", name)
                .firstResult()
                .map(found -> {
                    if (found == null) {
                        throw new RelayException(ErrorCode.WORKSPACE_NOT_FOUND, "No workspace named '" + name + "'");
                    }
                    return found;
                });
    }

    @WithSession
    public Uni<Workspace> get(String workspaceId) {
        return find(workspaceId);
    }

    /** Changes the name and/or the system prompt (null restores the default). */
    public Uni<Workspace> update(String workspaceId, Optional<String> name, Optional<Optional<String>> prompt) {
        return Panache.withTransaction(() -> find(workspaceId).invoke(workspace -> {
            name.ifPresent(n -> workspace.name = n);
            prompt.ifPresent(p -> workspace.systemPrompt = p.orElse(null));
        }));
    }

    /** Revokes every credential of the workspace at auth-service, then deletes it and everything in it. */
    public Uni<Void> delete(String workspaceId) {
        return Panache.withSession(() -> find(workspaceId))
                .call(workspace -> auth.revokeWorkspace(workspaceId, "workspace deleted"))
                .call(workspace -> Panache.withTransaction(() -> Workspace.delete("id", workspaceId)))
                .replaceWithVoid();
    }

    private static Uni<Workspace> find(String workspaceId) {
        return Workspace.<Workspace>findById(workspaceId).map(found -> {
            if (found == null) {
                throw new RelayException(ErrorCode.WORKSPACE_NOT_FOUND, "Workspace " + workspaceId + " not found");
            }
            return found;
        });
    }
}
