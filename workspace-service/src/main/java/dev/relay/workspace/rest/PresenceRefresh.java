package dev.relay.workspace.rest;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Principal;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.workspace.service.Presence;

/**
 * Every call an agent makes with its token is a sign of life (contract §9). Recorded in the background: the call
 * neither waits for it nor fails with it. Heartbeat and disconnect record presence themselves. With
 * `relay.presence.from-calls=false` only heartbeats count (one Redis write less per agent call).
 */
public class PresenceRefresh {

    private final Presence presence;
    private final Caller caller;
    private final boolean fromCalls;

    PresenceRefresh(Presence presence, Caller caller,
            @ConfigProperty(name = "relay.presence.from-calls", defaultValue = "true") boolean fromCalls) {
        this.presence = presence;
        this.caller = caller;
        this.fromCalls = fromCalls;
    }

    @ServerRequestFilter
    public void refresh(ContainerRequestContext request) {
        if (!fromCalls) {
            return;
        }
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/") || path.equals("/v1/agents/heartbeat") || path.equals("/v1/agents/disconnect")) {
            return;
        }
        Optional<Principal> principal;
        try {
            principal = caller.optional();
        } catch (RelayException invalid) {
            return; // the route refuses it with the precise reason
        }
        principal.filter(p -> p.kind() == TokenKind.AGENT_TOKEN)
                .ifPresent(agent -> presence.seenInBackground(agent.workspaceId(), agent.subjectId()));
    }
}
