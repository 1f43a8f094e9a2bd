package dev.relay.workspace.standin;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.relay.common.auth.PrincipalClaims;
import dev.relay.common.token.TokenKind;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Principal JWTs shaped exactly as auth-service's `JwtIssuer` signs them, so tests can call the service as the
 * gateway would after verifying a raw token. Each is signed on demand: principal JWTs live only 60 s.
 */
public final class PrincipalJwts {

    private PrincipalJwts() {
    }

    /** The claims of a principal JWT; tests that forge or expire tokens change them before signing. */
    public static JwtClaimsBuilder claims(TokenKind kind, String workspaceId, String subjectId, String name,
            List<String> scopes, Map<String, Object> filters) {
        Instant now = Instant.now();
        return Jwt.issuer(PrincipalClaims.ISSUER)
                .audience(PrincipalClaims.PRINCIPAL_AUDIENCE)
                .subject(subjectId)
                .issuedAt(now)
                .expiresAt(now.plusSeconds(60))
                .groups(Set.of("principal", PrincipalClaims.kindRole(kind.wireName())))
                .claim(PrincipalClaims.KIND, kind.wireName())
                .claim(PrincipalClaims.WORKSPACE_ID, workspaceId)
                .claim(PrincipalClaims.SUBJECT_NAME, name)
                .claim(PrincipalClaims.SCOPES, scopes)
                .claim(PrincipalClaims.FILTERS, filters)
                .claim(PrincipalClaims.CAPABILITIES, List.of())
                .claim(PrincipalClaims.CREDENTIAL_ID, "cred_test")
                .claim(PrincipalClaims.HASH_PREFIX, "0123abcd");
    }

    /** A principal JWT signed with the stand-in auth-service's key. */
    public static String sign(TokenKind kind, String workspaceId, String subjectId, String name, List<String> scopes,
            Map<String, Object> filters) {
        return StandInAuthService.key().sign(claims(kind, workspaceId, subjectId, name, scopes, filters));
    }

    /** `Bearer` + a workspace key's principal: auth-service mints it with the workspace id as subject. */
    public static String workspaceKey(String workspaceId) {
        return bearer(sign(TokenKind.WORKSPACE_KEY, workspaceId, workspaceId, "workspace", List.of(), Map.of()));
    }

    public static String agent(String workspaceId, String agentId, String agentName) {
        return bearer(sign(TokenKind.AGENT_TOKEN, workspaceId, agentId, agentName, List.of(), Map.of()));
    }

    /** `Bearer` + a service JWT of the named service, as delivery-service presents on `/internal/...` calls. */
    public static String service(String name) {
        return bearer(StandInAuthService.key()
                .sign(Jwt.issuer(PrincipalClaims.ISSUER)
                        .audience(PrincipalClaims.SERVICE_AUDIENCE)
                        .subject(name)
                        .expiresAt(Instant.now().plusSeconds(300))
                        .groups(PrincipalClaims.serviceRole(name))));
    }

    public static String observer(String workspaceId, List<String> scopes, Map<String, Object> filters) {
        return bearer(sign(TokenKind.OBSERVER_TOKEN, workspaceId, "ot_1", "observer", scopes, filters));
    }

    public static String node(String workspaceId) {
        return bearer(sign(TokenKind.NODE_TOKEN, workspaceId, "node_1", "node", List.of(), Map.of()));
    }

    public static String bearer(String jwt) {
        return "Bearer " + jwt;
    }
}
