package dev.relay.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import dev.relay.common.error.RelayException;

/** The verifier with real RS256 signatures: what a remembered verification may and may not skip. */
class JwtVerifierTest {

    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private final JwtVerifier verifier = new JwtVerifier(kid -> Optional.ofNullable(keys.get(kid)));

    @Test
    void aRememberedJwtStillNeedsItsKeyAndTheRightAudience() throws Exception {
        KeyPair pair = rsa();
        keys.put("k1", pair.getPublic());
        String jwt = sign(pair, "k1", PrincipalClaims.PRINCIPAL_AUDIENCE);

        assertEquals("agent-1", verifier.verify(jwt, PrincipalClaims.PRINCIPAL_AUDIENCE).getSubject());
        assertEquals("agent-1", verifier.verify(jwt, PrincipalClaims.PRINCIPAL_AUDIENCE).getSubject(), "again");
        RelayException wrongAudience = assertThrows(RelayException.class,
                () -> verifier.verify(jwt, "some-other-audience"));
        assertTrue(wrongAudience.getMessage().contains("not issued by auth-service for some-other-audience"),
                wrongAudience.getMessage());

        keys.remove("k1"); // the signing key retired
        RelayException retired = assertThrows(RelayException.class,
                () -> verifier.verify(jwt, PrincipalClaims.PRINCIPAL_AUDIENCE));
        assertTrue(retired.getMessage().contains("unknown key"), retired.getMessage());

        keys.put("k1", rsa().getPublic()); // the kid now names a different key: the signature no longer holds
        RelayException forged = assertThrows(RelayException.class,
                () -> verifier.verify(jwt, PrincipalClaims.PRINCIPAL_AUDIENCE));
        assertTrue(forged.getMessage().contains("invalid JWT"), forged.getMessage());
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String sign(KeyPair pair, String kid, String audience) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(PrincipalClaims.ISSUER);
        claims.setAudience(List.of(audience));
        claims.setSubject("agent-1");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(1);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(pair.getPrivate());
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }
}
