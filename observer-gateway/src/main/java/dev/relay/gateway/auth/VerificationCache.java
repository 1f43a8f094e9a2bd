package dev.relay.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.auth.RevocationFeedGap;
import io.quarkus.logging.Log;

/**
 * Recently verified tokens, by token hash and route requirement, each kept only until shortly before its principal
 * JWT expires and dropped at once when auth-service announces the credential's revocation or rotation. Bounded.
 */
@ApplicationScoped
public class VerificationCache {

    /** Stop using a cached JWT this long before it expires, so the owning service never receives an expired one. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    private final Cache<String, Map<String, EdgeVerdict.Allowed>> byTokenHash;

    VerificationCache(
            @ConfigProperty(name = "relay.gateway.verification-cache-size", defaultValue = "100000") long size) {
        this.byTokenHash = Caffeine.newBuilder().maximumSize(size).expireAfterWrite(Duration.ofSeconds(60)).build();
    }

    public Optional<EdgeVerdict.Allowed> get(String tokenHash, String requirement, Instant now) {
        Map<String, EdgeVerdict.Allowed> entries = byTokenHash.getIfPresent(tokenHash);
        if (entries == null) {
            return Optional.empty();
        }
        EdgeVerdict.Allowed allowed = entries.get(requirement);
        if (allowed == null || now.isAfter(allowed.expiresAt().minus(MARGIN))) {
            return Optional.empty();
        }
        return Optional.of(allowed);
    }

    public void put(String tokenHash, String requirement, EdgeVerdict.Allowed allowed) {
        byTokenHash.asMap().computeIfAbsent(tokenHash, ignored -> new ConcurrentHashMap<>()).put(requirement, allowed);
    }

    /** Forgets every cached verification of the token. */
    public void drop(String tokenHash) {
        byTokenHash.invalidate(tokenHash);
    }

    void onCredentialChange(@Observes CredentialChange change) {
        change.tokenHashes().forEach(byTokenHash::invalidate);
        Log.debugf("edge: dropped cached verifications of credential %s (%s)", change.credentialId(), change.event());
    }

    /** Revocation broadcasts may have been missed: nothing cached can be trusted any more. */
    void onRevocationFeedGap(@Observes RevocationFeedGap gap) {
        byTokenHash.invalidateAll();
        Log.infof("edge: dropped every cached verification after a %d ms gap in revocation broadcasts",
                gap.downMillis());
    }

    long size() {
        return byTokenHash.estimatedSize();
    }
}
