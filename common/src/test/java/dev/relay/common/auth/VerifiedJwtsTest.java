package dev.relay.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

class VerifiedJwtsTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final VerifiedJwts cache = new VerifiedJwts(now::get);

    @Test
    void theSameStringAndKeyGetTheTokenVerifiedBefore() throws Exception {
        PublicKey key = newKey();
        JsonWebToken token = token(1_060);
        cache.put("a.b.c", token, key);

        assertSame(token, cache.get("a.b.c", key));
        assertNull(cache.get("a.b.d", key), "another string is another JWT");
    }

    @Test
    void anEntryCountsOnlyWhileItsKeyIsTheOneTheKidResolvesTo() throws Exception {
        PublicKey key = newKey();
        cache.put("a.b.c", token(1_060), key);

        assertNull(cache.get("a.b.c", newKey()), "the kid now names another key (rotation)");
        assertNull(cache.get("a.b.c", key), "and the stale entry is gone");
    }

    @Test
    void anEntryEndsAtTheTokensExpiry() throws Exception {
        PublicKey key = newKey();
        cache.put("a.b.c", token(1_060), key);

        now.set(1_059);
        assertEquals(1_060, cache.get("a.b.c", key).getExpirationTime());
        now.set(1_060);
        assertNull(cache.get("a.b.c", key));
    }

    @Test
    void tokensWithoutAnExpiryAreNotKept() throws Exception {
        PublicKey key = newKey();
        cache.put("a.b.c", token(0), key);

        assertNull(cache.get("a.b.c", key));
    }

    @Test
    void atCapacityExpiredEntriesGoFirstThenEverything() throws Exception {
        PublicKey key = newKey();
        for (int i = 0; i < VerifiedJwts.CAPACITY - 1; i++) {
            cache.put("old." + i, token(1_010), key);
        }
        cache.put("live", token(2_000), key);
        now.set(1_500); // every "old" entry has expired
        cache.put("new", token(2_000), key);

        assertEquals(2, cache.size());
        assertEquals(2_000, cache.get("live", key).getExpirationTime());

        for (int i = cache.size(); i < VerifiedJwts.CAPACITY; i++) {
            cache.put("more." + i, token(2_000), key);
        }
        cache.put("overflow", token(2_000), key);
        assertEquals(1, cache.size(), "nothing had expired, so everything went and the newcomer stayed");
        assertEquals(2_000, cache.get("overflow", key).getExpirationTime());
    }

    private static PublicKey newKey() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        return generator.generateKeyPair().getPublic();
    }

    /** A verified token as the parser answers it; only its claims matter here. */
    private static JsonWebToken token(long exp) {
        Map<String, Object> claims = exp == 0 ? Map.of() : Map.of("exp", exp);
        return new JsonWebToken() {
            @Override
            public String getName() {
                return "test";
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claimName) {
                return (T) claims.get(claimName);
            }
        };
    }
}
