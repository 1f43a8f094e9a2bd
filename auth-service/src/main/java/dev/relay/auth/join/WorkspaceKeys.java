package dev.relay.auth.join;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.repository.Credential;
import dev.relay.auth.repository.CredentialRepository;
import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.CredentialJson;
import dev.relay.auth.service.CredentialService;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/**
 * A workspace's keys as its admin manages them: the admin key and one restricted key per joined machine. Revoking a
 * machine's key revokes everything minted under it (see {@link CredentialService#revoke}).
 */
@ApplicationScoped
public class WorkspaceKeys {

    private final CredentialRepository credentials;
    private final CredentialService credentialService;

    WorkspaceKeys(CredentialRepository credentials, CredentialService credentialService) {
        this.credentials = credentials;
        this.credentialService = credentialService;
    }

    @WithSession
    public Uni<List<Credential>> list(String workspaceId) {
        return credentials.listWorkspaceKeys(workspaceId);
    }

    public Uni<Credential> revoke(String workspaceId, String keyId, Caller caller) {
        return find(workspaceId, keyId).flatMap(key -> {
            if (CredentialJson.strings(key.capabilities).isEmpty()) {
                throw RelayException.badRequest("Key " + keyId + " is the workspace's admin key; it cannot be "
                        + "revoked on its own (deleting the workspace revokes it)");
            }
            return credentialService.revoke(key.id, "revoked by the workspace admin", caller);
        });
    }

    @WithSession
    Uni<Credential> find(String workspaceId, String keyId) {
        return credentials.findById(keyId).map(found -> {
            if (found == null || !workspaceId.equals(found.workspaceId)
                    || !TokenKind.WORKSPACE_KEY.wireName().equals(found.kind)) {
                throw RelayException.notFound(ErrorCode.WORKSPACE_KEY_NOT_FOUND, "Workspace key " + keyId
                        + " not found");
            }
            return found;
        });
    }
}
