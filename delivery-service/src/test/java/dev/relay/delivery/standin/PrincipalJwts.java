package dev.relay.delivery.standin;

import java.time.Instant;

import dev.relay.common.auth.PrincipalClaims;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Principal JWTs shaped exactly as auth-service's `JwtIssuer` signs them, so tests can call the service as the
 * gateway would after verifying a raw token. Each is signed on demand: principal JWTs live only 60 s.
 */
public final class PrincipalJwts {

    private PrincipalJwts() {
    }

    /** The claims of a principal JWT; {@code hashPrefix} is the first 8 hex chars of sha256(raw token). */
    public static JsonObject claims(TokenKind kind, String workspaceId, String subjectId, String name,
            String credentialId, String hashPrefix) {
        long now = Instant.now().getEpochSecond();
        return new JsonObject().put("iss", PrincipalClaims.ISSUER)
                .put("aud", PrincipalClaims.PRINCIPAL_AUDIENCE)
                .put("sub", subjectId)
                .put("iat", now)
                .put("exp", now + 60)
                .put(PrincipalClaims.GROUPS, new JsonArray().add("principal")
                        .add(PrincipalClaims.kindRole(kind.wireName())))
                .put(PrincipalClaims.KIND, kind.wireName())
                .put(PrincipalClaims.WORKSPACE_ID, workspaceId)
                .put(PrincipalClaims.SUBJECT_NAME, name)
                .put(PrincipalClaims.SCOPES, new JsonArray())
                .put(PrincipalClaims.FILTERS, new JsonObject())
                .put(PrincipalClaims.CAPABILITIES, new JsonArray())
                .put(PrincipalClaims.CREDENTIAL_ID, credentialId)
                .put(PrincipalClaims.HASH_PREFIX, hashPrefix);
    }

    /** `Bearer` + a workspace key's principal: auth-service mints it with the workspace id as subject. */
    public static String workspaceKey(String workspaceId) {
        return bearer(claims(TokenKind.WORKSPACE_KEY, workspaceId, workspaceId, "workspace", "cred_ws", "0123abcd"));
    }

    public static String agent(String workspaceId, String agentId, String agentName) {
        return bearer(claims(TokenKind.AGENT_TOKEN, workspaceId, agentId, agentName, "cred_agent", "0123abcd"));
    }

    public static String observer(String workspaceId) {
        return bearer(claims(TokenKind.OBSERVER_TOKEN, workspaceId, "ot_1", "observer", "cred_ot", "0123abcd"));
    }

    /**
     * `Bearer` + the principal the gateway forwards for a raw node token: subject the node id, name the node name,
     * `cid` the credential and `hp` the hash prefix of that very token (what revocation broadcasts are matched on).
     */
    public static String node(String workspaceId, String nodeId, String nodeName, String credentialId,
            String rawToken) {
        return bearer(claims(TokenKind.NODE_TOKEN, workspaceId, nodeId, nodeName, credentialId,
                Tokens.logId(rawToken)));
    }

    public static String bearer(JsonObject claims) {
        return "Bearer " + StandInAuthService.key().sign(claims);
    }
}
