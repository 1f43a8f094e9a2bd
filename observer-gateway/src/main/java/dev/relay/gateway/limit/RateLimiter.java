package dev.relay.gateway.limit;

import java.time.Clock;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.redis.RedisNames;
import dev.relay.gateway.route.PublicRoute;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

/**
 * Rate limits (contract §1.5): per workspace, per minute, in fixed windows counted in Redis so every gateway replica
 * shares one count. Most routes share the workspace's `global` window at the base limit; a few busy routes have a
 * window of their own at a fraction of it. The public workspace lookup and join-code redemption are limited per client
 * address instead (each in its own window), which also keeps join codes out of reach of guessing.
 *
 * <p>
 * When Redis cannot answer, requests pass (with a warning): a limiter outage must not become an engine outage.
 */
@ApplicationScoped
public class RateLimiter {

    /** KEYS: the window's counter. ARGV: its time to live in seconds. Answers the count including this request. */
    private static final String COUNT = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
            return n
            """;
    private static final long WINDOW_SECONDS = 60;
    /** `<METHOD> <template>` → the share of the base limit its own window gets. */
    private static final Map<String, Double> OWN_WINDOWS = Map.of(
            "POST /v1/channels/:name/messages", 0.5,
            "POST /v1/dm", 0.5,
            "POST /v1/dm/group", 0.3,
            "POST /v1/messages/:id/reactions", 0.4,
            "GET /v1/channels/:name/messages", 1.0,
            "GET /v1/agents/presence", 0.3);
    private static final String LOOKUP = "GET /v1/workspaces/by-name/:name";
    private static final String REDEEM = "POST /v1/invites/redeem";

    private final ReactiveRedisDataSource redis;
    private final RedisNames names;
    private final Clock clock;
    private final long perMinute;
    private final long lookupsPerMinute;

    @Inject
    RateLimiter(ReactiveRedisDataSource redis, RedisNames names,
            @ConfigProperty(name = "relay.rate-limit.per-minute", defaultValue = "30000") long perMinute,
            @ConfigProperty(name = "relay.rate-limit.lookups-per-minute", defaultValue = "30") long lookupsPerMinute) {
        this(redis, names, Clock.systemUTC(), perMinute, lookupsPerMinute);
    }

    RateLimiter(ReactiveRedisDataSource redis, RedisNames names, Clock clock, long perMinute, long lookupsPerMinute) {
        if (perMinute < 0 || lookupsPerMinute < 0) {
            throw new IllegalArgumentException("rate limits are counts per minute, 0 for none: " + perMinute + ", "
                    + lookupsPerMinute);
        }
        this.redis = redis;
        this.names = names;
        this.clock = clock;
        this.perMinute = perMinute;
        this.lookupsPerMinute = lookupsPerMinute;
    }

    /** What the limiter decided; {@code limit} 0 means the request was not limited at all. */
    public record Decision(boolean allowed, long limit, long remaining, long resetAt, long retryAfterSeconds) {

        static final Decision UNLIMITED = new Decision(true, 0, 0, 0, 0);
    }

    /**
     * Counts the request against its window: a workspace's, or for the public lookup and redemption the client
     * address's. A request with neither (another unauthenticated route) is not limited.
     */
    public Uni<Decision> check(PublicRoute route, String workspaceId, String clientAddress) {
        String routeName = route.method() + " " + route.template();
        if (route.webSocket()) {
            return Uni.createFrom().item(Decision.UNLIMITED);
        }
        if (routeName.equals(LOOKUP) || routeName.equals(REDEEM)) {
            return lookupsPerMinute == 0 || clientAddress == null
                    ? Uni.createFrom().item(Decision.UNLIMITED)
                    : count("ip-" + clientAddress, routeName.equals(LOOKUP) ? "lookup" : "redeem", lookupsPerMinute);
        }
        if (workspaceId == null || perMinute == 0) {
            return Uni.createFrom().item(Decision.UNLIMITED);
        }
        Double share = OWN_WINDOWS.get(routeName);
        return share == null
                ? count(workspaceId, "global", perMinute)
                : count(workspaceId, routeName, Math.max(1, (long) Math.floor(perMinute * share)));
    }

    private Uni<Decision> count(String owner, String window, long limit) {
        long now = clock.millis();
        long minute = now / 60_000;
        long resetAt = (minute + 1) * WINDOW_SECONDS;
        return redis.execute("EVAL", COUNT, "1", names.rateLimitKey(owner, window, minute),
                String.valueOf(WINDOW_SECONDS + 1))
                .map(count -> {
                    long used = count.toLong();
                    long retryAfter = Math.max(1, resetAt - now / 1000);
                    return new Decision(used <= limit, limit, Math.max(0, limit - used), resetAt, retryAfter);
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("rate-limit: Redis did not answer (%s); letting the request through",
                            failure.getMessage());
                    return Decision.UNLIMITED;
                });
    }
}
