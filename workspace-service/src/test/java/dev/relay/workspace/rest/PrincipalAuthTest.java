package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.token.TokenKind;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.SigningKey;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * The service's own check of the principal JWT in `Authorization`: missing, foreign, expired, tampered and
 * wrong-kind principals are 401, with the code the SDK expects for the kind presented (contract §2.2).
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class PrincipalAuthTest {

    private Ws ws;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
    }

    @Test
    void noAuthorizationIsUnauthorized() {
        given().when()
                .get("/v1/agents")
                .then()
                .statusCode(401)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", equalTo("Missing or invalid Authorization header"));
    }

    @Test
    void anotherSchemeIsUnauthorized() {
        listAgents("Basic " + ws.apiKey()).body("error.message", equalTo("Missing or invalid Authorization header"));
    }

    @Test
    void aRawKeyInsteadOfAPrincipalJwtIsUnauthorized() {
        listAgents("Bearer " + ws.apiKey());
    }

    @Test
    void aJwtSignedByAnUnknownKeyIsUnauthorized() {
        SigningKey stranger = SigningKey.generate("stranger");
        listAgents(PrincipalJwts.bearer(stranger.sign(claims()))).body("error.message", startsWith("Unauthorized"));
    }

    @Test
    void aJwtForgedUnderTheStandInsKeyIdIsUnauthorized() {
        SigningKey forger = SigningKey.generate(StandInAuthService.key().keyId());
        listAgents(PrincipalJwts.bearer(forger.sign(claims())));
    }

    @Test
    void anExpiredJwtIsUnauthorized() {
        Instant past = Instant.now().minusSeconds(600);
        listAgents(PrincipalJwts.bearer(StandInAuthService.key()
                .sign(claims().issuedAt(past)
                        .expiresAt(past
                                .plusSeconds(60)))));
    }

    @Test
    void aTamperedJwtIsUnauthorized() {
        String[] parts = StandInAuthService.key().sign(claims()).split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(ws.id(), "1");
        parts[1] = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        listAgents(PrincipalJwts.bearer(String.join(".", parts)));
    }

    @Test
    void anotherIssuerOrAudienceIsUnauthorized() {
        listAgents(PrincipalJwts.bearer(StandInAuthService.key().sign(claims().issuer("someone-else"))));
        listAgents(PrincipalJwts.bearer(StandInAuthService.key().sign(claims().audience("relay-internal"))));
    }

    @Test
    void aJwtWithoutAKnownKindIsUnauthorized() {
        listAgents(PrincipalJwts.bearer(StandInAuthService.key().sign(claims().claim("kind", "root"))));
    }

    @Test
    void anAgentTokenOnAWorkspaceKeyRouteIsUnauthorized() {
        given().contentType(JSON)
                .header("Authorization", PrincipalJwts.agent(ws.id(), "1", "scout"))
                .body(Map.of("name", "intruder"))
                .when()
                .post("/v1/agents")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", equalTo("This route takes workspace key (rk_live_...)"));
        given().header("Authorization", ws.key()).get("/v1/agents/intruder").then().statusCode(404);
    }

    @Test
    void observerAndNodeTokensOnAWriteRouteAnswerTheirForbiddenCodes() {
        String observer = PrincipalJwts.observer(ws.id(), List.of("agents:read"), Map.of());
        for (String[] bearerAndCode : new String[][]{{observer, "observer_token_forbidden"},
                {PrincipalJwts.node(ws.id()), "node_token_forbidden"}}) {
            given().contentType(JSON)
                    .header("Authorization", bearerAndCode[0])
                    .body(Map.of("name", "intruder"))
                    .when()
                    .post("/v1/agents")
                    .then()
                    .statusCode(401)
                    .body("error.code", equalTo(bearerAndCode[1]));
        }
    }

    @Test
    void aValidWorkspaceKeyPrincipalIsAccepted() {
        listAgents(ws.key(), 200).body("ok", equalTo(true));
    }

    private JwtClaimsBuilder claims() {
        return PrincipalJwts.claims(TokenKind.WORKSPACE_KEY, ws.id(), ws.id(), ws.name(), List.of(), Map.of());
    }

    private static ValidatableResponse listAgents(String authorization) {
        return listAgents(authorization, 401).body("ok", equalTo(false)).body("error.code", equalTo("unauthorized"));
    }

    private static ValidatableResponse listAgents(String authorization, int status) {
        return given().header("Authorization", authorization).when().get("/v1/agents").then().statusCode(status);
    }
}
