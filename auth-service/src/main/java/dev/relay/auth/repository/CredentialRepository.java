package dev.relay.auth.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

/** Intent-named queries over stored credentials. */
@ApplicationScoped
public class CredentialRepository implements PanacheRepositoryBase<Credential, String> {

    public Uni<Credential> findByHash(String tokenHash) {
        return find("tokenHash", tokenHash).firstResult();
    }

    public Uni<Credential> findByPreviousHash(String tokenHash) {
        return find("previousHash", tokenHash).firstResult();
    }

    public Uni<List<Credential>> listBySubject(String workspaceId, String subjectId) {
        return list("workspaceId = ?1 and subjectId = ?2 order by createdAt", workspaceId, subjectId);
    }

    public Uni<List<Credential>> listActiveBySubject(String workspaceId, String subjectId) {
        return list("workspaceId = ?1 and subjectId = ?2 and status = ?3", workspaceId, subjectId, Credential.ACTIVE);
    }

    public Uni<List<Credential>> listActiveByWorkspace(String workspaceId) {
        return list("workspaceId = ?1 and status = ?2", workspaceId, Credential.ACTIVE);
    }

    public Uni<List<Credential>> listActiveByIssuerKey(String keyId) {
        return list("issuerKeyId = ?1 and status = ?2", keyId, Credential.ACTIVE);
    }

    /** The workspace's keys, the admin key first, then restricted keys by creation. */
    public Uni<List<Credential>> listWorkspaceKeys(String workspaceId) {
        return list("workspaceId = ?1 and kind = ?2 order by issuedBy nulls first, createdAt", workspaceId,
                dev.relay.common.token.TokenKind.WORKSPACE_KEY.wireName());
    }
}
