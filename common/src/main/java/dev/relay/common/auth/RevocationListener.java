package dev.relay.common.auth;

import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.relay.common.json.RelayJson;
import dev.relay.common.redis.RedisNames;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

/**
 * Subscribes once per replica to auth-service's revocation channel and re-fires each {@link CredentialChange} as a
 * CDI event, so caches drop verifications and sockets close wherever they live. Beans observe
 * {@code @Observes CredentialChange}; nothing subscribes per connection.
 */
@ApplicationScoped
public class RevocationListener {

    private final ReactiveRedisDataSource redis;
    private final RedisNames names;
    private final Event<CredentialChange> changes;

    RevocationListener(ReactiveRedisDataSource redis, RedisNames names, Event<CredentialChange> changes) {
        this.redis = redis;
        this.names = names;
        this.changes = changes;
    }

    /** Starts listening; a service that needs revocations calls this from its own startup observer. */
    public Uni<Void> listen() {
        Consumer<String> onMessage = this::dispatch;
        return redis.pubsub(String.class)
                .subscribe(names.revocationChannel(), onMessage)
                .invoke(() -> Log.infof("listening for credential changes on %s", names.revocationChannel()))
                .replaceWithVoid();
    }

    void dispatch(String message) {
        try {
            changes.fire(RelayJson.mapper().readValue(message, CredentialChange.class));
        } catch (JsonProcessingException e) {
            Log.warnf("ignoring malformed credential change on %s: %s", names.revocationChannel(), e.getMessage());
        }
    }

}
