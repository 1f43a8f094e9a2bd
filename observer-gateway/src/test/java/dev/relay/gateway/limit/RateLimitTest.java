package dev.relay.gateway.limit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.gateway.edge.StandInServices;
import dev.relay.gateway.limit.RateLimiter.Decision;
import dev.relay.gateway.route.PublicRoute;
import dev.relay.gateway.route.RouteTable;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Rate limits at the edge (contract §1.5), against real Redis: a workspace's global window, a busy route's window of
 * its own at its share of the limit, `X-RateLimit-*` on every limited answer, 429 `rate_limit_exceeded` with
 * `Retry-After` once spent, and the public lookup limited per client address. Runs with tiny limits in a Redis
 * namespace of its own, so no other test run's counts leak in.
 */
@QuarkusTest
@TestProfile(RateLimitTest.TinyLimits.class)
@QuarkusTestResource(StandInServices.class)
class RateLimitTest {

    private static final String AGENT = "Bearer " + StandInServices.AGENT_TOKEN;

    public static class TinyLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.rate-limit.per-minute", "4", "relay.rate-limit.lookups-per-minute", "2",
                    "relay.redis.namespace", "relaytest-ratelimit-" + UUID.randomUUID().toString().substring(0, 8));
        }
    }

    @Inject
    RateLimiter limiter;

    /** Windows are calendar minutes: start each test well inside one, so none rolls over mid-test. */
    @BeforeEach
    void awayFromAMinuteBoundary() throws InterruptedException {
        long intoMinute = System.currentTimeMillis() % 60_000;
        if (intoMinute > 50_000) {
            Thread.sleep(60_000 - intoMinute + 200);
        }
    }

    @Test
    void aWorkspaceSpendsItsGlobalWindowThenGets429WithRetryAfter() {
        // Stand-in tokens all belong to workspace w1; this is the only test that spends w1's windows.
        for (int i = 1; i <= 4; i++) {
            given().header("Authorization", AGENT)
                    .get("/v1/agents")
                    .then()
                    .statusCode(200)
                    .header("X-RateLimit-Limit", "4")
                    .header("X-RateLimit-Remaining", String.valueOf(4 - i));
        }

        Response refused = given().header("Authorization", AGENT).get("/v1/channels");

        refused.then()
                .statusCode(429)
                .contentType("application/json")
                .header("X-RateLimit-Remaining", "0")
                .body("ok", equalTo(false))
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("4 requests per minute"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);

        // Posting has a window of its own at half the limit, still untouched.
        for (int i = 1; i <= 2; i++) {
            given().header("Authorization", AGENT)
                    .contentType("application/json")
                    .body("{\"text\":\"hi\"}")
                    .post("/v1/channels/general/messages")
                    .then()
                    .statusCode(200)
                    .header("X-RateLimit-Limit", "2");
        }
        given().header("Authorization", AGENT)
                .contentType("application/json")
                .body("{\"text\":\"hi\"}")
                .post("/v1/channels/general/messages")
                .then()
                .statusCode(429)
                .body("error.code", equalTo("rate_limit_exceeded"));
    }

    @Test
    void thePublicLookupIsLimitedPerClientAddress() {
        given().get("/v1/workspaces/by-name/acme").then().statusCode(200).header("X-RateLimit-Limit", "2");
        given().get("/v1/workspaces/by-name/other").then().statusCode(200).header("X-RateLimit-Remaining", "0");

        given().get("/v1/workspaces/by-name/acme")
                .then()
                .statusCode(429)
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("per client address"));
    }

    @Test
    void workspacesCountApart() {
        PublicRoute agents = route("GET", "/v1/agents");
        for (int i = 0; i < 4; i++) {
            assertTrue(check(agents, "wA").allowed());
        }
        assertFalse(check(agents, "wA").allowed());

        Decision other = check(agents, "wB");
        assertTrue(other.allowed());
        assertEquals(3, other.remaining());
    }

    @Test
    void webSocketUpgradesAndUnauthenticatedCallsAreNotLimited() {
        assertEquals(0, check(route("GET", "/v1/node/ws"), "wC").limit());
        assertEquals(0, check(route("POST", "/v1/workspaces"), null).limit());
    }

    private Decision check(PublicRoute route, String workspaceId) {
        return limiter.check(route, workspaceId, "127.0.0.1").await().atMost(Duration.ofSeconds(5));
    }

    private static PublicRoute route(String method, String path) {
        return RouteTable.standard().resolve(method, path).orElseThrow();
    }
}
