package dev.relay.common.redis;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Makes the service's {@link RedisNames} injectable, namespaced by `relay.redis.namespace` (tests use their own). */
@ApplicationScoped
public class RedisNamesProducer {

    @Produces
    @ApplicationScoped
    RedisNames redisNames(
            @ConfigProperty(name = "relay.redis.namespace", defaultValue = RedisNames.DEFAULT_NAMESPACE) String namespace) {
        return new RedisNames(namespace);
    }
}
