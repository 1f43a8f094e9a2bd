package dev.relay.common.auth;

import java.security.PublicKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * JWTs whose RS256 signature was already checked, kept until they expire. The gateway caches a verification (and
 * with it the principal JWT) for up to a minute and sends that same JWT with every request it forwards, and services
 * call each other with a service JWT they reuse for minutes, so without this every request paid an RSA verification
 * and a JSON parse for a string checked moments before (about 8 % of workspace-service's CPU and 13 % of
 * auth-service's under load). A JWT string is the exact bytes that were signed, so a second check of it can only
 * repeat the first one's answer, with two exceptions honoured here: it expires, and the key that signed it can be
 * retired (auth-service's key rotation), so an entry counts only while the resolver still answers the same key for
 * its `kid` and the clock is before its `exp`.
 *
 * <p>
 * Bounded: past {@link #CAPACITY} entries, expired ones are dropped, and if that is not enough everything is (the next
 * calls verify again). Principal JWTs live 60 s, so live entries are bounded by the request rate anyway.
 */
public final class VerifiedJwts {

    static final int CAPACITY = 10_000;

    private record Entry(JsonWebToken token, PublicKey key, long expiresAtSecond) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier epochSecond;

    public VerifiedJwts() {
        this(() -> System.currentTimeMillis() / 1000);
    }

    VerifiedJwts(LongSupplier epochSecond) {
        this.epochSecond = epochSecond;
    }

    /** The token verified earlier for exactly this string with this key, if it has not expired; else null. */
    public JsonWebToken get(String jwt, PublicKey key) {
        Entry entry = entries.get(jwt);
        if (entry == null) {
            return null;
        }
        if (!entry.key().equals(key) || epochSecond.getAsLong() >= entry.expiresAtSecond()) {
            entries.remove(jwt, entry);
            return null;
        }
        return entry.token();
    }

    /** Remembers a token whose signature {@code key} verified. Tokens without an expiry are not kept. */
    public void put(String jwt, JsonWebToken token, PublicKey key) {
        long expiresAt = token.getClaim("exp") instanceof Number exp ? exp.longValue() : 0;
        if (expiresAt <= 0) {
            return;
        }
        if (entries.size() >= CAPACITY) {
            long now = epochSecond.getAsLong();
            entries.values().removeIf(entry -> now >= entry.expiresAtSecond());
            if (entries.size() >= CAPACITY) {
                entries.clear();
            }
        }
        entries.put(jwt, new Entry(token, key, expiresAt));
    }

    int size() {
        return entries.size();
    }
}
