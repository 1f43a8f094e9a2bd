package dev.relay.common.auth;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.relay.common.json.RelayJson;
import dev.relay.common.redis.RedisNames;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Subscribes once per replica to auth-service's revocation channel and re-fires each {@link CredentialChange} as a
 * CDI event, so caches drop verifications and sockets close wherever they live. Beans observe
 * {@code @Observes CredentialChange}; nothing subscribes per connection.
 *
 * <p>
 * When the subscription ends (Redis restarted, the connection dropped) it is made again, every second until it
 * succeeds, and a {@link RevocationFeedGap} is fired: broadcasts sent while it was gone are lost, so observers drop
 * what they trusted without them.
 */
@ApplicationScoped
public class RevocationListener {

    private static final long RETRY_MILLIS = 1000;

    private final ReactiveRedisDataSource redis;
    private final RedisNames names;
    private final Event<CredentialChange> changes;
    private final Event<RevocationFeedGap> gaps;
    private final Vertx vertx;
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile long lostAt;

    RevocationListener(ReactiveRedisDataSource redis, RedisNames names, Event<CredentialChange> changes,
            Event<RevocationFeedGap> gaps, Vertx vertx) {
        this.redis = redis;
        this.names = names;
        this.changes = changes;
        this.gaps = gaps;
        this.vertx = vertx;
    }

    /** Starts listening; a service that needs revocations calls this from its own startup observer. */
    public Uni<Void> listen() {
        Consumer<String> onMessage = this::dispatch;
        return redis.pubsub(String.class)
                .subscribe(names.revocationChannel(), onMessage, this::subscriptionLost,
                        failure -> subscriptionLost())
                .invoke(() -> Log.infof("listening for credential changes on %s", names.revocationChannel()))
                .replaceWithVoid();
    }

    /**
     * The subscription is gone (Redis ended it or failed): note since when (once), and subscribe again. Public so a
     * test can play a lost subscription.
     */
    public void subscriptionLost() {
        if (lost.compareAndSet(false, true)) {
            lostAt = System.currentTimeMillis();
            Log.warnf("lost the subscription to %s; subscribing again", names.revocationChannel());
        }
        vertx.setTimer(RETRY_MILLIS, timer -> listen().subscribe().with(resumed -> {
            if (lost.compareAndSet(true, false)) {
                long down = System.currentTimeMillis() - lostAt;
                Log.warnf("subscribed to %s again after %d ms; broadcasts of that time are lost, so cached "
                        + "verifications are dropped", names.revocationChannel(), down);
                gaps.fire(new RevocationFeedGap(down));
            }
        }, failure -> subscriptionLost()));
    }

    void dispatch(String message) {
        try {
            changes.fire(RelayJson.mapper().readValue(message, CredentialChange.class));
        } catch (JsonProcessingException e) {
            Log.warnf("ignoring malformed credential change on %s: %s", names.revocationChannel(), e.getMessage());
        }
    }

}
