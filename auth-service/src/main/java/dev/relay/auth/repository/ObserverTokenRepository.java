package dev.relay.auth.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

/** Intent-named queries over observer tokens, always within one workspace. */
@ApplicationScoped
public class ObserverTokenRepository implements PanacheRepositoryBase<ObserverToken, String> {

    public Uni<ObserverToken> findInWorkspace(String workspaceId, String id) {
        return find("workspaceId = ?1 and id = ?2", workspaceId, id).firstResult();
    }

    public Uni<List<ObserverToken>> listInWorkspace(String workspaceId) {
        return list("workspaceId = ?1 order by createdAt, id", workspaceId);
    }

    public Uni<Boolean> nameTaken(String workspaceId, String name, String exceptId) {
        return count("workspaceId = ?1 and name = ?2 and id <> ?3", workspaceId, name, exceptId).map(n -> n > 0);
    }
}
