package dev.relay.auth.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Every `/internal` route needs a service JWT of a service the route allows: 401 without a valid one, 403 for a
 * valid service the route does not take; and the exchange that hands them out refuses wrong secrets.
 */
@QuarkusTest
class ServiceCallerGuardTest {

    private static final String PROTECTED = "/internal/credentials/cred_any";

    @Test
    void noAuthorizationIsUnauthorized() {
        expectUnauthorized(given().contentType(ContentType.JSON), "missing service JWT");
    }

    @Test
    void anUnauthenticatedBodyIsRefusedBeforeItIsRead() {
        given().contentType(ContentType.JSON)
                .body("{not json")
                .when()
                .post("/internal/credentials")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
    }

    @Test
    void aPrincipalJwtIsNotAServiceJwt() {
        String token = CredentialApi.mint("agent_token").token();
        String principalJwt = CredentialApi.verify(token).statusCode(200).extract().path("data.jwt");
        expectUnauthorized(ServiceJwts.bearer(principalJwt), "not a service JWT");
    }

    @Test
    void aJwtSignedByAnotherKeyIsUnauthorized() throws GeneralSecurityException {
        PrivateKey otherKey = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        String unnamedKey = serviceClaims(Instant.now().plusSeconds(300)).sign(otherKey);
        expectUnauthorized(ServiceJwts.bearer(unnamedKey), "unknown signing key");
        String borrowedKid = serviceClaims(Instant.now().plusSeconds(300)).jws()
                .keyId(currentKid())
                .sign(otherKey);
        expectUnauthorized(ServiceJwts.bearer(borrowedKid), "invalid service JWT");
    }

    @Test
    void anExpiredServiceJwtIsUnauthorized() throws GeneralSecurityException {
        String expired = serviceClaims(Instant.now().minusSeconds(60)).jws()
                .keyId(currentKid())
                .sign(Jwts.privateKeyResource("/jwt/test-private.pem"));
        expectUnauthorized(ServiceJwts.bearer(expired), "invalid service JWT");
    }

    @Test
    void anAuthenticatedServiceTheRouteDoesNotAllowIsForbidden() {
        ServiceJwts.as("delivery-service")
                .body(Map.of("expires_at", "2020-01-01T00:00:00Z"))
                .when()
                .put("/internal/workspaces/ws_1/expiry")
                .then()
                .statusCode(403)
                .body("ok", is(false))
                .body("error.code", equalTo("forbidden"))
                .body("error.message", equalTo("service delivery-service may not call this route"));
    }

    @Test
    void theExchangeRefusesAWrongSecretAndAnUnknownService() {
        ServiceJwts.exchange("workspace-service", "test-secret-delivery-service")
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", equalTo("Unknown service or wrong service secret"));
        ServiceJwts.exchange("billing-service", "test-secret-billing-service")
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
    }

    @Test
    void theExchangeIssuesAServiceJwtForTheInternalAudience() {
        String jwt = ServiceJwts.exchange("observer-gateway", ServiceJwts.secretOf("observer-gateway"))
                .statusCode(200)
                .body("data.expires_at", startsWith("20"))
                .extract()
                .path("data.token");
        JsonPath claims = Jwts.claims(jwt);
        assertEquals("observer-gateway", claims.getString("sub"));
        assertEquals("relay-internal", claims.getString("aud"));
        assertEquals("relay-auth", claims.getString("iss"));
    }

    private static void expectUnauthorized(RequestSpecification request, String why) {
        ValidatableResponse response = request.when().get(PROTECTED).then();
        response.statusCode(401)
                .body("ok", is(false))
                .body("error.code", equalTo("unauthorized"))
                .body("error.message", startsWith("Internal route needs a valid service JWT: " + why));
    }

    private static JwtClaimsBuilder serviceClaims(Instant expiresAt) {
        return Jwt.issuer("relay-auth")
                .audience("relay-internal")
                .subject("workspace-service")
                .issuedAt(expiresAt.minusSeconds(300))
                .expiresAt(expiresAt);
    }

    private static String currentKid() {
        return Jwts.jwks().getFirst().get("kid");
    }
}
