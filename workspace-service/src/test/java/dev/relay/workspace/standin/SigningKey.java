package dev.relay.workspace.standin;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** An RSA key with its key id, as auth-service holds one: it signs JWTs and publishes itself as a JWKS. */
public final class SigningKey {

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

    /** The claims as an RS256 JWS whose header names this key's id. */
    public String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId(keyId).sign(pair.getPrivate());
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

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0; // JWK integers carry no sign byte
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(bytes, skip, bytes.length));
    }
}
