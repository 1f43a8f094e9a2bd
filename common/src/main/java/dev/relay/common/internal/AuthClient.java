package dev.relay.common.internal;

import java.net.URI;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.token.TokenKind;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/** A service's calls to auth-service: every credential it needs minted, rotated or revoked. */
@ApplicationScoped
public class AuthClient {

    private final ServiceJwtClient internal;
    private final URI authUrl;

    AuthClient(ServiceJwtClient internal, @ConfigProperty(name = "relay.service.auth-url") URI authUrl) {
        this.internal = internal;
        this.authUrl = authUrl;
    }

    /** A credential just minted or rotated, with its raw token (shown once, to the caller). */
    public record Minted(String credentialId, String token) {
    }

    public Uni<Minted> mint(TokenKind kind, String workspaceId, String subjectId, String subjectName) {
        return mint(kind, workspaceId, subjectId, subjectName, null);
    }

    /**
     * Mints a credential on behalf of the caller's own credential {@code issuedBy} (may be null). auth-service
     * traces every credential back to the workspace key it came from, so revoking a machine's key revokes
     * everything that machine was given.
     */
    public Uni<Minted> mint(TokenKind kind, String workspaceId, String subjectId, String subjectName,
            String issuedBy) {
        JsonObject body = new JsonObject().put("kind", kind.wireName())
                .put("workspace_id", workspaceId)
                .put("subject_id", subjectId)
                .put("subject_name", subjectName)
                .put("issued_by", issuedBy);
        return internal.post(authUrl, "/internal/credentials", body).map(AuthClient::minted);
    }

    /**
     * The workspace key a credential traces back to (its minting chain's root), or null when it has none (minted
     * without a caller, or unknown to auth-service).
     */
    public Uni<String> issuerKeyOf(String credentialId) {
        return internal.call(HttpMethod.GET, authUrl, "/internal/credentials/" + credentialId, null)
                .map(view -> view.getString("issuer_key_id"))
                .onFailure(failure -> failure instanceof dev.relay.common.error.RelayException relay
                        && relay.status() == 404)
                .recoverWithNull();
    }

    public Uni<Minted> rotate(String credentialId) {
        return internal.post(authUrl, "/internal/credentials/" + credentialId + "/rotate", new JsonObject())
                .map(AuthClient::minted);
    }

    public Uni<Void> revokeSubject(String workspaceId, String subjectId, String reason) {
        return internal.post(authUrl, "/internal/credentials/revoke-subject", new JsonObject()
                .put("workspace_id", workspaceId)
                .put("subject_id", subjectId)
                .put("reason", reason)).replaceWithVoid();
    }

    public Uni<Void> revokeWorkspace(String workspaceId, String reason) {
        return internal.post(authUrl, "/internal/credentials/revoke-workspace", new JsonObject()
                .put("workspace_id", workspaceId)
                .put("reason", reason)).replaceWithVoid();
    }

    public Uni<Void> setWorkspaceExpiry(String workspaceId, Instant expiresAt) {
        return internal.call(HttpMethod.PUT, authUrl, "/internal/workspaces/" + workspaceId + "/expiry",
                new JsonObject().put("expires_at", expiresAt == null ? null : expiresAt.toString())).replaceWithVoid();
    }

    /**
     * Whether the credential would still verify: active and not past its expiry. Answers false for one auth-service
     * no longer knows (deleted), and fails when auth-service cannot answer.
     */
    public Uni<Boolean> stillValid(String credentialId, Instant now) {
        return internal.call(HttpMethod.GET, authUrl, "/internal/credentials/" + credentialId, null)
                .map(view -> {
                    String expiresAt = view.getString("expires_at");
                    return "active".equals(view.getString("status"))
                            && (expiresAt == null || Instant.parse(expiresAt).isAfter(now));
                })
                .onFailure(failure -> failure instanceof dev.relay.common.error.RelayException relay
                        && relay.status() == 404)
                .recoverWithItem(false);
    }

    private static Minted minted(JsonObject data) {
        return new Minted(data.getJsonObject("credential").getString("id"), data.getString("token"));
    }
}
