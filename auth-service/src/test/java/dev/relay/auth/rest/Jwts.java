package dev.relay.auth.rest;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.util.KeyUtils;

/** Test helper: takes JWTs apart and checks their signatures against the published JWKS, independently of the service. */
public final class Jwts {

    private Jwts() {
    }

    public static JsonPath header(String jwt) {
        return part(jwt, 0);
    }

    public static JsonPath claims(String jwt) {
        return part(jwt, 1);
    }

    /** The keys published at `/.well-known/jwks.json`. */
    public static List<Map<String, String>> jwks() {
        return given().when().get("/.well-known/jwks.json").then().statusCode(200).extract().path("keys");
    }

    /** The JWKS key named by {@code kid}, as a Java RSA key. */
    public static RSAPublicKey publishedKey(String kid) {
        Map<String, String> jwk = jwks().stream()
                .filter(key -> kid.equals(key.get("kid")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("kid " + kid + " is not in the JWKS"));
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(unsigned(jwk.get("n")), unsigned(jwk.get("e"))));
        } catch (GeneralSecurityException e) {
            throw new AssertionError("JWKS key " + kid + " is not a valid RSA key", e);
        }
    }

    /** Whether the RS256 signature of {@code header.payload} verifies with {@code key}. */
    public static boolean signatureVerifies(String jwt, RSAPublicKey key) {
        String[] parts = jwt.split("\\.");
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(key);
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rs256.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** {@code jwt} with its payload replaced, keeping the original header and signature. */
    public static String withPayload(String jwt, String payloadJson) {
        String[] parts = jwt.split("\\.");
        return parts[0] + "." + base64Url(payloadJson.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    /** A key id computed the way the service derives it: SHA-256 of the encoded key, base64url, 16 characters. */
    public static String keyIdOf(RSAPublicKey key) throws GeneralSecurityException {
        return base64Url(MessageDigest.getInstance("SHA-256").digest(key.getEncoded())).substring(0, 16);
    }

    public static RSAPublicKey publicKeyResource(String resource) throws GeneralSecurityException {
        return (RSAPublicKey) KeyUtils.decodePublicKey(resource(resource));
    }

    public static PrivateKey privateKeyResource(String resource) throws GeneralSecurityException {
        return KeyUtils.decodePrivateKey(resource(resource));
    }

    private static JsonPath part(String jwt, int index) {
        return JsonPath.from(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]),
                StandardCharsets.UTF_8));
    }

    private static BigInteger unsigned(String base64Url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64Url));
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String resource(String name) {
        try (InputStream in = Jwts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
