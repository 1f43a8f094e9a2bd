package dev.relay.workspace.rest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import dev.relay.common.auth.Caller;
import dev.relay.common.auth.Principal;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Success;
import dev.relay.workspace.service.SearchService;
import dev.relay.workspace.service.SearchService.Query;
import io.smallrye.mutiny.Uni;

/**
 * `GET /v1/search` (contract §3.8): an agent searches the channels and conversations it is a member of, the workspace
 * key all of them, an observer what its filters show it.
 */
@Path("/v1/search")
public class SearchResource {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final int MAX_QUERY = 500;
    private static final Pattern MESSAGE_ID = Pattern.compile("[0-9]{1,20}");

    private final SearchService search;
    private final Caller caller;

    SearchResource(SearchService search, Caller caller) {
        this.search = search;
        this.caller = caller;
    }

    public record HitBody(String id, String channelName, String agentName, String text, Instant createdAt,
            double relevanceScore) {
    }

    @GET
    public Uni<Success<List<HitBody>>> search(@QueryParam("q") String q, @QueryParam("channel") String channel,
            @QueryParam("from") String from, @QueryParam("limit") String limit, @QueryParam("before") String before,
            @QueryParam("after") String after) {
        Principal reader = caller.require(TokenKind.WORKSPACE_KEY, TokenKind.AGENT_TOKEN, TokenKind.OBSERVER_TOKEN);
        if (q == null || q.isBlank()) {
            throw RelayException.badRequest("q (search query) is required");
        }
        if (q.length() > MAX_QUERY) {
            throw RelayException.badRequest("q must be at most " + MAX_QUERY + " characters");
        }
        Query query = new Query(reader.workspaceId(), q, blank(channel), blank(from), messageId("before", before),
                messageId("after", after),
                reader.kind() == TokenKind.AGENT_TOKEN ? Optional.of(reader.subjectId()) : Optional.empty(),
                QueryParams.limit(limit, DEFAULT_LIMIT, MAX_LIMIT));
        return search.search(query)
                .map(hits -> Success.of(hits.stream()
                        .filter(hit -> ObserverVisibility.channel(reader, hit.channel())
                                && ObserverVisibility.message(reader, hit.message()))
                        .map(hit -> new HitBody(hit.message().id, hit.channel().name, hit.message().agentName,
                                hit.message().body, hit.message().createdAt, hit.relevance()))
                        .toList()));
    }

    private static Optional<String> blank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<String> messageId(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (!MESSAGE_ID.matcher(value).matches()) {
            throw RelayException.badRequest(name + " must be a message id");
        }
        return Optional.of(value);
    }
}
