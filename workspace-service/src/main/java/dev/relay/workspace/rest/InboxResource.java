package dev.relay.workspace.rest;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.service.InboxService;
import io.smallrye.mutiny.Uni;

/** `GET /v1/inbox` (contract §3.8): the calling agent's unread summary, as `Relay.inbox` reads it. */
@Path("/v1/inbox")
public class InboxResource {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;

    private final InboxService inbox;
    private final Caller caller;

    InboxResource(InboxService inbox, Caller caller) {
        this.inbox = inbox;
        this.caller = caller;
    }

    @GET
    public Uni<Success<Map<String, Object>>> inbox(@QueryParam("limit") String limit) {
        Principal agent = caller.require(TokenKind.AGENT_TOKEN);
        return inbox.inbox(agent.subjectId(), agent.subjectName(), QueryParams.limit(limit, DEFAULT_LIMIT, MAX_LIMIT))
                .map(Success::of);
    }
}
