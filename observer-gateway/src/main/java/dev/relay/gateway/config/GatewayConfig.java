package dev.relay.gateway.config;

import java.net.URI;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything the gateway is told about the services behind it. */
@ConfigMapping(prefix = "relay.gateway")
public interface GatewayConfig {

    /** auth-service: owner of the observer-token routes. */
    Upstream auth();

    /** workspace-service: owner of workspaces, agents, channels, messages, DMs and the event log. */
    Upstream workspace();

    /** delivery-service: owner of nodes, deliveries and the node WebSocket. */
    Upstream delivery();

    /** How long a proxied request may wait for a connection to its owner before the client gets a 503. */
    @WithDefault("2s")
    Duration connectTimeout();

    /** How long `/health` waits for each service's readiness answer. */
    @WithDefault("2s")
    Duration healthTimeout();

    /** Where one owning service is reached. */
    interface Upstream {

        /** Base URL of the service's public (REST and WebSocket) port, e.g. http://127.0.0.1:8082. */
        URI url();

        /** The service's readiness URL on its management port, e.g. http://127.0.0.1:9082/q/health/ready. */
        URI healthUrl();
    }
}
