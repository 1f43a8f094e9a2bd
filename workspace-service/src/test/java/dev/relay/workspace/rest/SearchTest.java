package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.workspace.rest.Fixtures.Member;
import dev.relay.workspace.rest.Fixtures.Ws;
import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * `GET /v1/search` (contract §3.8): full-text over message text, ranked; agents find only what is in their channels,
 * the workspace key everything, observers what their filters show.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
class SearchTest {

    private Ws ws;
    private Member ada;
    private Member bob;

    @BeforeEach
    void messages() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
        given().header("Authorization", ada.bearer())
                .contentType(JSON)
                .body(Map.of("name", "secret-ops"))
                .post("/v1/channels")
                .then()
                .statusCode(201);
        post(ada, "general", "the deploy of the billing service failed");
        post(bob, "general", "deploy deploy deploy: retrying now");
        post(bob, "general", "lunch anyone?");
        post(ada, "secret-ops", "rotate the deploy keys tonight");
    }

    @Test
    void findsMatchingMessagesRankedWithTheirShape() {
        search(ws.key(), Map.of("q", "deploy")).body("data.size()", equalTo(3))
                .body("data[0].text", equalTo("deploy deploy deploy: retrying now"))
                .body("data[0].channel_name", equalTo("general"))
                .body("data[0].agent_name", equalTo("bob"))
                .body("data[0].created_at", matchesPattern(Fixtures.ISO_MILLIS))
                .body("data[0].relevance_score", greaterThan(0f));
        search(ws.key(), Map.of("q", "\"billing service\"")).body("data.text",
                equalTo(List.of("the deploy of the billing service failed")));
        search(ws.key(), Map.of("q", "deploy -billing")).body("data.size()", equalTo(2));
        search(ws.key(), Map.of("q", "kubernetes")).body("data", empty());
    }

    @Test
    void narrowsByChannelAuthorAndLimit() {
        search(ws.key(), Map.of("q", "deploy", "channel", "#secret-ops")).body("data.text",
                equalTo(List.of("rotate the deploy keys tonight")));
        search(ws.key(), Map.of("q", "deploy", "from", "ada")).body("data.size()", equalTo(2));
        search(ws.key(), Map.of("q", "deploy", "limit", "1")).body("data.size()", equalTo(1));
    }

    @Test
    void anAgentFindsOnlyWhatIsInItsChannels() {
        search(bob.bearer(), Map.of("q", "deploy")).body("data.channel_name", equalTo(List.of("general", "general")));
        search(ada.bearer(), Map.of("q", "keys")).body("data.size()", equalTo(1));
    }

    @Test
    void observersSeeWhatTheirFiltersAllow() {
        String observer = PrincipalJwts.observer(ws.id(), List.of("search:read"), Map.of("channel_names",
                List.of("secret-ops")));
        search(observer, Map.of("q", "deploy")).body("data.text", equalTo(List.of("rotate the deploy keys tonight")));
        String onlyBob = PrincipalJwts.observer(ws.id(), List.of("search:read"), Map.of("agent_ids",
                List.of(bob.id())));
        search(onlyBob, Map.of("q", "deploy")).body("data.agent_name", equalTo(List.of("bob")));
    }

    @Test
    void badQueriesAre400AndNever500() {
        for (Map<String, String> query : List.of(Map.<String, String>of(), Map.of("q", "  "), Map.of("q", "x",
                "limit", "0"), Map.of("q", "x", "limit", "many"), Map.of("q", "x", "before", "abc"),
                Map.of("q", "x".repeat(501)))) {
            given().header("Authorization", ws.key())
                    .queryParams(query)
                    .get("/v1/search")
                    .then()
                    .statusCode(400)
                    .body("error.code", equalTo("invalid_request"));
        }
        given().header("Authorization", ws.key())
                .get("/v1/search")
                .then()
                .body("error.message", equalTo("q (search query) is required"));
        // Query syntax the parser does not expect is still just a query.
        search(ws.key(), Map.of("q", "deploy & | ! ( :*")).body("ok", equalTo(true));
        given().get("/v1/search?q=x").then().statusCode(401);
    }

    private static ValidatableResponse search(String bearer, Map<String, String> query) {
        return given().header("Authorization", bearer).queryParams(query).get("/v1/search").then().statusCode(200);
    }

    private static void post(Member agent, String channel, String text) {
        given().header("Authorization", agent.bearer())
                .contentType(JSON)
                .body(Map.of("text", text))
                .post("/v1/channels/" + channel + "/messages")
                .then()
                .statusCode(201);
    }
}
