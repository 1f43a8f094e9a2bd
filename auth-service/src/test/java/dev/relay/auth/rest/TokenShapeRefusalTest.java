package dev.relay.auth.rest;

import static dev.relay.auth.rest.CredentialApi.assertRefused;
import static dev.relay.auth.rest.CredentialApi.mint;
import static dev.relay.auth.rest.CredentialApi.verify;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Refusals decided from the token and the route alone or from its absence in the store: `malformed`,
 * `unknown_prefix`, `not_found`, `wrong_kind`, `missing_scope`, each with the code its presented kind earns.
 */
@QuarkusTest
class TokenShapeRefusalTest {

    @Test
    void anEmptyTokenIsMalformed() {
        assertRefused(verify("", "agent_token"), "malformed", 401, "unauthorized")
                .body("data.error.message", equalTo("Missing or invalid Authorization header"))
                .body("data.kind", nullValue())
                .body("data.hash_prefix", nullValue());
    }

    @Test
    void aKnownPrefixWithTheWrongSecretShapeIsMalformed() {
        assertRefused(verify("at_live_xyz", "agent_token"), "malformed", 401, "unauthorized")
                .body("data.error.message",
                        equalTo("Invalid token format: an agent token is at_live_ followed by 32 lower-case hex "
                                + "characters"))
                .body("data.kind", equalTo("agent_token"))
                .body("data.hash_prefix", nullValue());
    }

    @Test
    void aTokenWithAPrefixTheEngineNeverIssuesIsUnknownPrefix() {
        assertRefused(verify("sk_live_" + "ab".repeat(16)), "unknown_prefix", 401, "unauthorized")
                .body("data.error.message", equalTo("Invalid token format: tokens start with rk_live_, at_live_, "
                        + "nt_live_ or ot_live_"))
                .body("data.kind", nullValue());
    }

    @ParameterizedTest
    @CsvSource({"WORKSPACE_KEY, unauthorized, Workspace key", "AGENT_TOKEN, agent_token_invalid, Agent token",
            "NODE_TOKEN, node_token_invalid, Node token", "OBSERVER_TOKEN, observer_token_invalid, Observer token"})
    void aWellFormedTokenNobodyMintedIsNotFound(TokenKind kind, String code, String name) {
        String token = Tokens.generate(kind);
        assertRefused(verify(token, kind.wireName()), "not_found", 401, code)
                .body("data.error.message", equalTo(name + " not recognised"))
                .body("data.kind", equalTo(kind.wireName()))
                .body("data.hash_prefix", equalTo(Tokens.logId(token)));
    }

    @Test
    void aNodeTokenOnAnAgentRouteIsForbiddenAsANodeToken() {
        String token = mint("node_token").token();
        assertRefused(verify(token, "agent_token"), "wrong_kind", 401, "node_token_forbidden")
                .body("data.error.message",
                        equalTo("Node token cannot be used here; this route takes an agent token (at_live_...)"))
                .body("data.kind", equalTo("node_token"))
                .body("data.hash_prefix", equalTo(Tokens.logId(token)));
    }

    @Test
    void anObserverTokenOnAnAgentOrWorkspaceRouteIsForbiddenAsAnObserverToken() {
        String token = mint("observer_token").token();
        assertRefused(verify(token, "workspace_key", "agent_token"), "wrong_kind", 401, "observer_token_forbidden")
                .body("data.error.message", equalTo("Observer token cannot be used here; this route takes a "
                        + "workspace key (rk_live_...) or an agent token (at_live_...)"));
    }

    @Test
    void anAgentTokenOnAWorkspaceKeyRouteIsUnauthorized() {
        assertRefused(verify(mint("agent_token").token(), "workspace_key"), "wrong_kind", 401, "unauthorized")
                .body("data.error.message",
                        equalTo("Agent token cannot be used here; this route takes a workspace key (rk_live_...)"));
    }

    @Test
    void anObserverTokenWithoutTheRouteScopeIsInsufficientScope() {
        Map<String, Object> body = CredentialApi.mintBody("observer_token", CredentialApi.unique("ws"), "obs_1");
        body.put("scopes", List.of("messages:read"));
        String token = mint(body).token();
        assertRefused(verify(token, List.of("observer_token"), List.of("stream:read")), "missing_scope", 403,
                "insufficient_scope")
                .body("data.error.message",
                        equalTo("Observer token lacks the required scope (one of: stream:read)"))
                .body("data.kind", equalTo("observer_token"));
        CredentialApi.assertVerified(verify(token, List.of("observer_token"), List.of("stream:read",
                "messages:read")));
    }

    @Test
    void anUnknownKindInTheRouteRequirementIsABadRequest() {
        ServiceJwts.as(CredentialApi.VERIFIER)
                .body(Map.of("token", "at_live_xyz", "kinds", List.of("api_key")))
                .when()
                .post("/internal/credentials/verify")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", equalTo("unknown token kind 'api_key' (one of workspace_key, agent_token, "
                        + "node_token, observer_token)"));
    }
}
