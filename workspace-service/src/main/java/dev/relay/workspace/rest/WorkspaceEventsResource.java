package dev.relay.workspace.rest;

import dev.relay.common.auth.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.RelayException;
import dev.relay.common.event.ObserverEventFilter;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.repository.WorkspaceEvent;
import dev.relay.workspace.service.JsonText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * `GET /v1/workspace/events?since=&limit=`: the durable event log for observer backfill (contract §3.1, §7.5),
 * filtered per event by the observer's scopes and filters. Only sequenced events are in it: an event the outbox relay
 * has not given a seq yet (null) matches no `seq > since` and shows up once it has one, never below a seq already
 * visible ({@code EventSequencer}).
 */
@Path("/v1/workspace/events")
public class WorkspaceEventsResource {

    private final Caller caller;

    WorkspaceEventsResource(Caller caller) {
        this.caller = caller;
    }

    public record EventBody(long seq, String type, String channelId, Map<String, Object> payload, Instant createdAt) {
    }

    /** `next_since` is the last seq examined (filtered-out events included), so paging always advances. */
    public record EventsPage(List<EventBody> events, long latestSeq, long nextSince) {
    }

    @GET
    public Uni<Success<EventsPage>> events(@QueryParam("since") String since, @QueryParam("limit") String limit) {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.OBSERVER_TOKEN);
        long after = number("since", since, 0, 0, Long.MAX_VALUE);
        int size = (int) number("limit", limit, 200, 1, 500);
        return Panache.withSession(() -> WorkspaceEvent.<WorkspaceEvent>find(
                "workspaceId = ?1 and seq > ?2 order by seq", reader.workspaceId(), after)
                .page(0, size)
                .list()
                .flatMap(rows -> latestSeq(reader.workspaceId()).map(latest -> {
                    List<EventBody> visible = rows.stream()
                            .map(WorkspaceEventsResource::body)
                            .filter(event -> allowed(reader, event))
                            .toList();
                    long next = rows.isEmpty() ? after : rows.get(rows.size() - 1).seq;
                    return Success.of(new EventsPage(visible, latest, next));
                })));
    }

    /** The counter moves only in the commit that makes its seqs visible, so this is the highest visible seq. */
    private static Uni<Long> latestSeq(String workspaceId) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery(
                        "select event_seq from workspace_counters where workspace_id = ?1", Long.class)
                        .setParameter(1, workspaceId)
                        .getResultList())
                .map(found -> found.isEmpty() ? 0L : found.get(0));
    }

    private static EventBody body(WorkspaceEvent row) {
        return new EventBody(row.seq, row.type, row.channelId, JsonText.read(row.payload), row.createdAt);
    }

    private static boolean allowed(Principal reader, EventBody event) {
        return reader.kind() != TokenKind.OBSERVER_TOKEN || ObserverEventFilter.allows(reader.scopes(),
                reader.filters(), event.type(), event.payload(), null);
    }

    private static long number(String name, String raw, long absent, long min, long max) {
        if (raw == null || raw.isBlank()) {
            return absent;
        }
        try {
            long value = Long.parseLong(raw);
            if (value < min || value > max) {
                throw RelayException.badRequest(name + " must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw RelayException.badRequest(name + " must be an integer");
        }
    }
}
