package dev.relay.auth.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.GeneralSecurityException;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** `GET /.well-known/jwks.json`: the current signing key and, during a key rotation, the previous one. */
@QuarkusTest
class JwksTest {

    @Test
    void publishesTheCurrentAndThePreviousKeyUnauthenticated() {
        given().when()
                .get("/.well-known/jwks.json")
                .then()
                .statusCode(200)
                .body("keys", hasSize(2))
                .body("keys.kty", everyItem(equalTo("RSA")))
                .body("keys.alg", everyItem(equalTo("RS256")))
                .body("keys.use", everyItem(equalTo("sig")));
    }

    @Test
    void thePreviousKeyIsTheConfiguredOneUnderItsDerivedKeyId() throws GeneralSecurityException {
        RSAPublicKey previous = Jwts.publicKeyResource("/jwt/test-previous-public.pem");
        String kid = Jwts.keyIdOf(previous);
        RSAPublicKey published = Jwts.publishedKey(kid);
        assertEquals(previous.getModulus(), published.getModulus());
        assertEquals(previous.getPublicExponent(), published.getPublicExponent());
    }

    @Test
    void keyIdsAreDistinct() {
        List<Map<String, String>> keys = Jwts.jwks();
        assertNotEquals(keys.get(0).get("kid"), keys.get(1).get("kid"));
    }
}
