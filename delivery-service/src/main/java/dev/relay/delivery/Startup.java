package dev.relay.delivery;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.relay.common.auth.AuthKeys;
import dev.relay.common.auth.RevocationListener;
import dev.relay.delivery.messaging.EventConsumer;
import dev.relay.delivery.ws.NodeSockets;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Starts what runs for the life of the process: revocation listening, replica hand-overs, the event consumer. */
@ApplicationScoped
class Startup {

    void start(@Observes StartupEvent event, AuthKeys keys, RevocationListener revocations, NodeSockets sockets,
            EventConsumer consumer) {
        keys.loadInBackground();
        revocations.listen().await().indefinitely();
        sockets.listen().await().indefinitely();
        consumer.start();
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    void stop(@Observes ShutdownEvent event, EventConsumer consumer) {
        consumer.stop();
    }
}
