package dev.relay.bench;

import java.lang.reflect.Constructor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import dev.relay.gateway.auth.EdgeVerdict;
import dev.relay.gateway.auth.VerificationCache;
import dev.relay.gateway.route.Access;

/**
 * The gateway's hot path for a token it has already verified (EdgeAuthenticator.authenticate before it returns a
 * cached verdict): {@code Tokens.sha256Hex(token)}, the clock, {@code access.cacheKey()} and
 * {@code VerificationCache.get(hash, key, now)}, measured on the real classes from the installed relay-common and
 * observer-gateway jars. VerificationCache's constructor is package-private (CDI creates it in the gateway), so it is
 * called through reflection once per trial, with the gateway's default size.
 *
 * <p>
 * The cache holds {@code tokens} verified agent tokens (40 characters: {@code at_live_} + 32 hex); each invocation
 * takes the next one, so lookups do not hit one hot entry. Every entry's JWT expires an hour later, and the cache
 * itself drops entries 60 s after writing: a trial lasts far less, and a check after each iteration fails the run
 * if any lookup would have missed, so a number here is never the cost of a miss.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CachedVerifyBench {

    /** The access rule of GET /v1/agents: workspace key, agent token, or an observer token with agents:read. */
    static final String LEGEND = "W A O:agents:read";

    @Param({"1000"})
    public int tokens;

    private String[] raw;
    private String[] hashes;
    private int mask;
    private int next;
    private VerificationCache cache;
    private Access access;
    private String key;
    private Instant fixedNow;

    @Setup(Level.Trial)
    public void setUp() throws ReflectiveOperationException {
        int size = Integer.highestOneBit(tokens - 1) << 1; // a power of two >= tokens, to cycle with a mask
        raw = new String[size];
        hashes = new String[size];
        mask = size - 1;
        Constructor<VerificationCache> constructor = VerificationCache.class.getDeclaredConstructor(long.class);
        constructor.setAccessible(true);
        cache = constructor.newInstance(100_000L);
        access = Access.parse(LEGEND);
        key = access.cacheKey();
        fixedNow = Clock.systemUTC().instant();
        Instant jwtExpiry = fixedNow.plus(Duration.ofHours(1));
        for (int i = 0; i < size; i++) {
            String token = i < tokens ? Tokens.generate(TokenKind.AGENT_TOKEN) : raw[i % tokens];
            if (token.length() != 40) {
                throw new IllegalStateException("expected a 40-character agent token, got " + token.length());
            }
            raw[i] = token;
            hashes[i] = Tokens.sha256Hex(token);
            cache.put(hashes[i], key, new EdgeVerdict.Allowed("eyJhbGciOiJSUzI1NiJ9.principal.signature", jwtExpiry,
                    "agent_token", "w_bench", Tokens.hashPrefix(hashes[i])));
        }
    }

    /** Fails the run if any cached verification would have missed (e.g. entries expired by the 60 s cache TTL). */
    @TearDown(Level.Iteration)
    public void everyLookupStillHits() {
        Instant now = Clock.systemUTC().instant();
        for (String hash : hashes) {
            if (cache.get(hash, access.cacheKey(), now).isEmpty()) {
                throw new IllegalStateException("a cached verification missed: the benchmark measured a miss");
            }
        }
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & mask;
        return i;
    }

    /** SHA-256 of a 40-character token, as lower-case hex (Tokens.sha256Hex). */
    @Benchmark
    public String sha256Hex() {
        return Tokens.sha256Hex(raw[nextIndex()]);
    }

    /** The route's cache key, which EdgeAuthenticator recomputes on every request (Access.cacheKey). */
    @Benchmark
    public String cacheKey() {
        return access.cacheKey();
    }

    /** VerificationCache.get alone: hash, key and now already at hand. */
    @Benchmark
    public Optional<EdgeVerdict.Allowed> cacheGet() {
        return cache.get(hashes[nextIndex()], key, fixedNow);
    }

    /** sha256Hex + VerificationCache.get, with a precomputed key and instant. */
    @Benchmark
    public Optional<EdgeVerdict.Allowed> hashAndGet() {
        return cache.get(Tokens.sha256Hex(raw[nextIndex()]), key, fixedNow);
    }

    /**
     * The whole cached hot path exactly as EdgeAuthenticator.authenticate runs it: sha256Hex, the UTC clock,
     * access.cacheKey() and VerificationCache.get (everything but wrapping the verdict in a Uni).
     */
    @Benchmark
    public Optional<EdgeVerdict.Allowed> cachedVerification() {
        String hash = Tokens.sha256Hex(raw[nextIndex()]);
        Instant now = Clock.systemUTC().instant();
        return cache.get(hash, access.cacheKey(), now);
    }
}
