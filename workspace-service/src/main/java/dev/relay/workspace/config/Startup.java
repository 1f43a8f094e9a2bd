package dev.relay.workspace.config;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;

import dev.relay.common.auth.AuthKeys;
import io.quarkus.runtime.StartupEvent;

/** The service's clock, and the auth-service keys fetched at start (retried until auth-service answers). */
@ApplicationScoped
public class Startup {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    void fetchAuthKeys(@Observes StartupEvent event, AuthKeys keys) {
        keys.loadInBackground();
    }
}
