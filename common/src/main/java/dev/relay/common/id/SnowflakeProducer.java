package dev.relay.common.id;

import java.security.SecureRandom;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;

/**
 * The service's id generator. Replicas must not share a worker id: set `relay.worker-id` (RELAY_WORKER_ID, 0..1023)
 * per replica in production; without it a random worker id is picked, which collides rarely but not never.
 */
@ApplicationScoped
public class SnowflakeProducer {

    @Produces
    @ApplicationScoped
    Snowflake snowflake(@ConfigProperty(name = "relay.worker-id") Optional<Integer> workerId) {
        int id = workerId.orElseGet(() -> new SecureRandom().nextInt(Snowflake.MAX_WORKER_ID + 1));
        Log.infof("snowflake worker id %d%s", id, workerId.isPresent() ? "" : " (random; set RELAY_WORKER_ID)");
        return new Snowflake(id);
    }
}
