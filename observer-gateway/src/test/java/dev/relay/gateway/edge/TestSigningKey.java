package dev.relay.gateway.edge;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The stand-in auth-service's RSA key: signs principal JWTs (RS256, JDK crypto only) and publishes itself as JWKS. */
final class TestSigningKey {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair pair;
    private final String keyId;

    private TestSigningKey(KeyPair pair, String keyId) {
        this.pair = pair;
        this.keyId = keyId;
    }

    static TestSigningKey generate(String keyId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new TestSigningKey(generator.generateKeyPair(), keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no RSA in this JVM", e);
        }
    }

    String sign(JsonObject claims) {
        JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", keyId);
        String input = encode(header.encode()) + "." + encode(claims.encode());
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(pair.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA256withRSA in this JVM", e);
        }
    }

    JsonObject jwks() {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("kty", "RSA")
                .put("use", "sig")
                .put("alg", "RS256")
                .put("kid", keyId)
                .put("n", unsigned(key.getModulus()))
                .put("e", unsigned(key.getPublicExponent()))));
    }

    private static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        return URL.encodeToString(Arrays.copyOfRange(bytes, skip, bytes.length));
    }
}
