package dev.relay.auth.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.json.RelayJson;
import dev.relay.common.redis.RedisNames;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.smallrye.mutiny.Uni;

/** Announces revocations and rotations on Redis pub/sub, after they are committed. */
@ApplicationScoped
public class RevocationPublisher {

    private final ReactivePubSubCommands<String> pubsub;
    private final String channel;

    RevocationPublisher(ReactiveRedisDataSource redis, RedisNames names) {
        this.pubsub = redis.pubsub(String.class);
        this.channel = names.revocationChannel();
    }

    /**
     * Publishes the change. A Redis outage does not undo the committed revocation; verifiers still refuse the token
     * once their cached principal JWT (at most 60 s) expires, and the failure is logged for the operator.
     */
    public Uni<Void> publish(CredentialChange change) {
        String json;
        try {
            json = RelayJson.mapper().writeValueAsString(change);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return pubsub.publish(channel, json)
                .onFailure()
                .invoke(e -> Log.errorf("auth.broadcast_failed credential=%s event=%s: %s", change.credentialId(),
                        change.event(), e.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }
}
