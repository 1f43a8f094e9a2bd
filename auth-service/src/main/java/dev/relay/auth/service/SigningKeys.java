package dev.relay.auth.service;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.auth.config.AuthConfig;
import io.smallrye.jwt.util.KeyUtils;

/**
 * The RSA key that signs every JWT of the system, and the public keys verifiers accept (the current one and, during
 * a key rotation, the previous one), each with a key id derived from the key itself.
 */
@ApplicationScoped
public class SigningKeys {

    private final RSAPrivateCrtKey privateKey;
    private final String currentKeyId;
    private final Map<String, RSAPublicKey> publicKeys = new LinkedHashMap<>();

    SigningKeys(AuthConfig config) {
        this.privateKey = loadPrivateKey(config.jwt());
        RSAPublicKey current = publicKeyOf(privateKey);
        this.currentKeyId = keyId(current);
        publicKeys.put(currentKeyId, current);
        config.jwt()
                .previousPublicKeyFile()
                .map(SigningKeys::loadPublicKey)
                .ifPresent(previous -> publicKeys.putIfAbsent(keyId(previous), previous));
    }

    RSAPrivateCrtKey privateKey() {
        return privateKey;
    }

    String currentKeyId() {
        return currentKeyId;
    }

    /** The public key a JWT's `kid` names, if it is one this service accepts. */
    public Optional<RSAPublicKey> publicKey(String keyId) {
        return Optional.ofNullable(publicKeys.get(keyId));
    }

    /** The JSON Web Key Set published at `/.well-known/jwks.json`. */
    public Map<String, Object> jwks() {
        List<Map<String, String>> keys = new ArrayList<>();
        publicKeys.forEach((kid, key) -> keys.add(Map.of(
                "kty", "RSA", "use", "sig", "alg", "RS256", "kid", kid,
                "n", base64Url(key.getModulus()), "e", base64Url(key.getPublicExponent()))));
        return Map.of("keys", keys);
    }

    private static RSAPrivateCrtKey loadPrivateKey(AuthConfig.Jwt jwt) {
        String pem = jwt.privateKey()
                .filter(s -> !s.isBlank())
                .or(() -> jwt.privateKeyFile().map(SigningKeys::read))
                .orElseThrow(() -> new IllegalStateException(
                        "no JWT signing key: set RELAY_AUTH_JWT_PRIVATE_KEY_FILE (./relay up generates one under .relay/keys)"));
        try {
            if (KeyUtils.decodePrivateKey(pem) instanceof RSAPrivateCrtKey rsa) {
                return rsa;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JWT signing key is not a PEM PKCS#8 RSA private key", e);
        }
        throw new IllegalStateException("the JWT signing key must be an RSA private key");
    }

    private static RSAPublicKey loadPublicKey(String file) {
        try {
            PublicKey key = KeyUtils.decodePublicKey(read(file));
            if (key instanceof RSAPublicKey rsa) {
                return rsa;
            }
            throw new IllegalStateException(file + " is not an RSA public key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(file + " is not a PEM RSA public key", e);
        }
    }

    private static RSAPublicKey publicKeyOf(RSAPrivateCrtKey key) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the public key", e);
        }
    }

    private static String keyId(RSAPublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0; // JWK integers are unsigned, without a sign byte
        byte[] unsigned = java.util.Arrays.copyOfRange(bytes, skip, bytes.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(unsigned);
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
