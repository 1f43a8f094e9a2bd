package dev.relay.gateway.config;

import java.net.URI;
import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
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

    /**
     * Most WebSocket connections (node sockets) the gateway holds open to one owning service. Each proxied socket keeps
     * its own upstream connection for its whole life, so these come from a pool of their own, apart from the pool REST
     * calls share: open sockets never starve REST calls, and REST calls never cap the number of sockets.
     */
    @WithDefault("20000")
    int maxProxiedSockets();

    /** How long `/health` waits for each service's readiness answer. */
    @WithDefault("2s")
    Duration healthTimeout();

    /** The observer stream `/v1/ws` the gateway serves itself. */
    Stream stream();

    /** Where one owning service is reached. */
    interface Upstream {

        /** Base URL of the service's public (REST and WebSocket) port, e.g. http://127.0.0.1:8082. */
        URI url();

        /** The service's readiness URL on its management port, e.g. http://127.0.0.1:9082/q/health/ready. */
        URI healthUrl();
    }

    /** How the observer stream keeps its sockets honest (contract §5.1, §7.3). */
    interface Stream {

        /**
         * How often the token behind open sockets is verified again at auth-service, so that an expired token, an
         * expired workspace or narrowed scopes and filters reach sockets even without a broadcast; the contract's
         * engine re-reads the token at most every 5 s.
         */
        @WithDefault("5s")
        Duration revalidateInterval();

        /**
         * How many bytes of frames a socket may have waiting to be written (to a client that reads too slowly) before
         * it is closed with `4008 slow_consumer` instead of buffered further.
         */
        @WithDefault("1M")
        MemorySize maxBufferedBytes();
    }
}
