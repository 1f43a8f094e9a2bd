package dev.relay.common.auth;

import java.math.BigInteger;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * auth-service's public signing keys, fetched from its JWKS and refreshed when a JWT names a key id not seen yet (at
 * most once per {@link #REFRESH_INTERVAL}), so a key rotation at auth-service needs no restart anywhere.
 */
@ApplicationScoped
public class AuthKeys {

    static final Duration REFRESH_INTERVAL = Duration.ofSeconds(10);

    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private final AtomicLong lastRefresh = new AtomicLong();
    private final HttpClient client;
    private final URI jwksUrl;
    private final JwtVerifier verifier = new JwtVerifier(this::key);
    /** Set once the service asks for the keys at start: from then on it is not ready until they are loaded. */
    private volatile boolean wanted;

    AuthKeys(Vertx vertx, @ConfigProperty(name = "relay.service.auth-url") URI authUrl) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000));
        this.jwksUrl = authUrl.resolve("/.well-known/jwks.json");
    }

    /**
     * The process's one verifier of JWTs signed with these keys. Shared, so a JWT verified once is remembered until it
     * expires ({@link VerifiedJwts}) across requests: a verifier made per request remembered nothing, and every agent
     * call paid an RSA verification and a JSON parse of the same principal JWT again.
     */
    public JwtVerifier verifier() {
        return verifier;
    }

    /** The key with this id if known; an unknown id starts a background refresh for the next request. */
    public Optional<PublicKey> key(String keyId) {
        PublicKey key = keys.get(keyId);
        if (key == null) {
            refreshIfDue();
        }
        return Optional.ofNullable(key);
    }

    /** Fetches the JWKS now; services call it at startup so the first request finds the keys. */
    public Uni<Integer> refresh() {
        lastRefresh.set(System.nanoTime());
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(jwksUrl.toString())
                .setTimeout(5_000);
        return Uni.createFrom()
                .completionStage(() -> client.request(request)
                        .compose(req -> req.send())
                        .compose(response -> response.body())
                        .map(body -> load(new JsonObject(body.toString())))
                        .toCompletionStage());
    }

    /**
     * Whether this service can verify JWTs yet: true once any key is loaded, and always in a service that never asked
     * for the keys ({@link #loadInBackground} not called). Readiness waits for it ({@link AuthKeysReadiness}).
     */
    public boolean ready() {
        return !wanted || !keys.isEmpty();
    }

    /** Fetches the keys at start, retrying with backoff until auth-service answers, so the first request finds them. */
    public void loadInBackground() {
        wanted = true;
        refresh().onFailure()
                .invoke(e -> Log.warnf("auth-service keys not available yet from %s (%s); retrying", jwksUrl,
                        e.getMessage()))
                .onFailure()
                .retry()
                .withBackOff(java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(5))
                .indefinitely()
                .subscribe()
                .with(count -> Log.infof("auth-service keys loaded: %d", count));
    }

    private void refreshIfDue() {
        long last = lastRefresh.get();
        if (System.nanoTime() - last > REFRESH_INTERVAL.toNanos()
                && lastRefresh.compareAndSet(last, System.nanoTime())) {
            refresh().subscribe()
                    .with(count -> Log.infof("auth keys refreshed: %d key(s)", count),
                            failure -> Log.warnf("cannot fetch auth-service keys from %s: %s", jwksUrl,
                                    failure.getMessage()));
        }
    }

    private int load(JsonObject jwks) {
        JsonArray list = jwks.getJsonArray("keys", new JsonArray());
        for (int i = 0; i < list.size(); i++) {
            JsonObject jwk = list.getJsonObject(i);
            if ("RSA".equals(jwk.getString("kty")) && jwk.getString("kid") != null) {
                keys.put(jwk.getString("kid"), rsa(jwk.getString("n"), jwk.getString("e")));
            }
        }
        return keys.size();
    }

    private static PublicKey rsa(String modulus, String exponent) {
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(unsigned(modulus),
                            unsigned(exponent)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("auth-service published an unusable RSA key", e);
        }
    }

    private static BigInteger unsigned(String base64Url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64Url));
    }
}
