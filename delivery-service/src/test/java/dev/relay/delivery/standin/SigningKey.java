package dev.relay.delivery.standin;

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

/**
 * An RSA key with its key id, as auth-service holds one: it signs JWTs (RS256, with the JDK's own crypto, so the
 * tests need no JWT-building library) and publishes itself as a JWKS.
 */
public final class SigningKey {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair pair;
    private final String keyId;

    private SigningKey(KeyPair pair, String keyId) {
        this.pair = pair;
        this.keyId = keyId;
    }

    /** A fresh 2048-bit key named {@code keyId}. */
    public static SigningKey generate(String keyId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new SigningKey(generator.generateKeyPair(), keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime can generate RSA keys", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /** The claims as a compact RS256 JWS whose header names this key's id. */
    public String sign(JsonObject claims) {
        JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", keyId);
        String signingInput = encode(header.encode()) + "." + encode(claims.encode());
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(pair.getPrivate());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime can sign with SHA256withRSA", e);
        }
    }

    /** The JSON Web Key Set auth-service serves at `/.well-known/jwks.json`. */
    public JsonObject jwks() {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("kty", "RSA")
                .put("use", "sig")
                .put("alg", "RS256")
                .put("kid", keyId)
                .put("n", base64Url(key.getModulus()))
                .put("e", base64Url(key.getPublicExponent()))));
    }

    private static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0; // JWK integers carry no sign byte
        return URL.encodeToString(Arrays.copyOfRange(bytes, skip, bytes.length));
    }
}
