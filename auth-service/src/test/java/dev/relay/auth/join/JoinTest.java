package dev.relay.auth.join;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.auth.LogCapture;
import dev.relay.auth.repository.TestDatabase;
import dev.relay.auth.rest.CredentialApi;
import dev.relay.auth.rest.ServiceJwts;
import dev.relay.common.token.Tokens;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/**
 * Join codes and restricted workspace keys at auth-service: creating, listing, revoking and redeeming invites with
 * every refusal, the keys list, and revoking a machine's key together with everything minted under it.
 */
@QuarkusTest
class JoinTest {

    private static final List<String> MACHINE = List.of("agents:register", "agents:read", "agents:manage_own",
            "nodes:enroll_own", "nodes:bind_own");
    private static final String CHANNEL = "relaytest" + System.getenv().getOrDefault("RELAY_TEST_DB_SUFFIX", "")
            + ":auth:revocations";

    @Inject
    TestDatabase database;

    @Inject
    ReactiveRedisDataSource redis;

    private String workspaceId;
    private CredentialApi.Minted adminKey;
    private String adminJwt;

    @BeforeEach
    void newWorkspace() {
        workspaceId = CredentialApi.unique("ws");
        adminKey = CredentialApi.mint("workspace_key", workspaceId, workspaceId);
        adminJwt = principalJwt(adminKey.token());
    }

    private static String principalJwt(String workspaceKey) {
        return CredentialApi.verify(workspaceKey, "workspace_key").extract().path("data.jwt");
    }

    private static RequestSpecification as(String jwt) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + jwt);
    }

    private static RequestSpecification anonymous() {
        return given().contentType(ContentType.JSON)
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "relay.example.test:8443")
                .header("X-Forwarded-For", "198.51.100.23");
    }

    private JsonPath invite(Map<String, Object> body) {
        return as(adminJwt).body(body)
                .when()
                .post("/v1/workspace/invites")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }

    private static ValidatableResponse redeem(String code) {
        return anonymous().body(Map.of("code", code)).when().post("/v1/invites/redeem").then();
    }

    @Test
    void anInviteRedeemsOnceForARestrictedKeyWithTheMachineCapabilities() {
        JsonPath created = invite(Map.of("label", "laptop-2"));
        String code = created.getString("data.code");
        assertThat(code, matchesPattern("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}"));
        assertEquals(MACHINE, created.getList("data.capabilities"));
        assertEquals(1, created.getInt("data.max_uses"));
        assertEquals("active", created.getString("data.status"));
        Duration ttl = Duration.between(java.time.Instant.now(), java.time.Instant.parse(created.getString(
                "data.expires_at")));
        assertThat(Math.abs(ttl.minusHours(24).toSeconds()), lessThan(60L));

        as(adminJwt).when()
                .get("/v1/workspace/invites")
                .then()
                .statusCode(200)
                .body("data.id", hasItem(created.getString("data.id")))
                .body("data", everyItem(not(hasKey("code"))));

        // Typed by a person: lower case, without dashes.
        JsonPath redeemed = redeem(code.toLowerCase().replace("-", "")).statusCode(201).extract().jsonPath();
        String apiKey = redeemed.getString("data.api_key");
        assertThat(apiKey, matchesPattern("rk_live_[0-9a-f]{32,}"));
        assertEquals(workspaceId, redeemed.getString("data.workspace_id"));
        assertEquals("https://relay.example.test:8443", redeemed.getString("data.base_url"));
        assertEquals("laptop-2", redeemed.getString("data.key.label"));
        assertEquals(MACHINE, redeemed.getList("data.key.capabilities"));
        assertEquals(Tokens.displayPrefix(apiKey), redeemed.getString("data.key.display_prefix"));

        CredentialApi.verify(apiKey, "workspace_key")
                .body("data.outcome", equalTo("verified"))
                .body("data.principal.capabilities", equalTo(MACHINE))
                .body("data.principal.workspace_id", equalTo(workspaceId));

        redeem(code).statusCode(410)
                .body("error.code", equalTo("invite_used"))
                .body("error.message", containsString("already been redeemed"));
        as(adminJwt).when()
                .get("/v1/workspace/invites")
                .then()
                .body("data.find { it.id == '" + created.getString("data.id") + "' }.status", equalTo("used"))
                .body("data.find { it.id == '" + created.getString("data.id") + "' }.uses", equalTo(1));

        String keyId = redeemed.getString("data.key.id");
        assertThat(database.auditOfCredential(created.getString("data.id"))
                .stream()
                .map(TestDatabase.AuditRow::event)
                .toList(), containsInAnyOrder("invite.created", "invite.refused"));
        assertThat(database.auditOfCredential(keyId).stream().map(TestDatabase.AuditRow::event).toList(),
                containsInAnyOrder("minted", "invite.redeemed"));
        assertThat(database.auditOfCredential(keyId).stream().map(TestDatabase.AuditRow::remoteHost).toList(),
                everyItem(equalTo("198.51.100.23")));
    }

    @Test
    void eachDeadCodeSaysWhyItCannotBeRedeemed() throws InterruptedException {
        redeem("ZZZZ-ZZZZ-ZZZZ").statusCode(404).body("error.code", equalTo("invite_not_found"));
        redeem("not a code at all").statusCode(404).body("error.code", equalTo("invite_not_found"));

        JsonPath revoked = invite(Map.of());
        as(adminJwt).when().delete("/v1/workspace/invites/" + revoked.getString("data.id")).then().statusCode(204);
        as(adminJwt).when().delete("/v1/workspace/invites/" + revoked.getString("data.id")).then().statusCode(204);
        redeem(revoked.getString("data.code")).statusCode(410)
                .body("error.code", equalTo("invite_revoked"))
                .body("error.message", containsString("revoked at"));

        JsonPath expiring = invite(Map.of("expires_in", 1));
        Thread.sleep(1300);
        redeem(expiring.getString("data.code")).statusCode(410)
                .body("error.code", equalTo("invite_expired"))
                .body("error.message", containsString("expired at"));

        as(adminJwt).when()
                .delete("/v1/workspace/invites/inv_nope")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("invite_not_found"));
    }

    @Test
    void aMultiUseInviteServesItsUsesThenStops() {
        String code = invite(Map.of("max_uses", 2, "expires_in", "90m")).getString("data.code");
        String first = redeem(code).statusCode(201).extract().path("data.api_key");
        String second = redeem(code).statusCode(201).extract().path("data.api_key");
        assertThat(first, not(equalTo(second)));
        redeem(code).statusCode(410).body("error.code", equalTo("invite_used"));
    }

    @Test
    void racingMachinesCannotBothRedeemASingleUseCode() throws Exception {
        String code = invite(Map.of()).getString("data.code");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> attempts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                attempts.add(() -> redeem(code).extract().statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(attempts, 30, TimeUnit.SECONDS)) {
                statuses.add(status.get());
            }
            assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
            assertEquals(7, statuses.stream().filter(s -> s == 410).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void invitesAreValidatedStrictly() {
        List<Map<String, Object>> bad = List.of(
                Map.of("lable", "typo"),
                Map.of("capabilities", List.of("admin")),
                Map.of("capabilities", List.of("agents:register", "channels:write")),
                Map.of("capabilities", List.of()),
                Map.of("expires_in", "31d"),
                Map.of("expires_in", "soon"),
                Map.of("expires_in", 0),
                Map.of("expires_at", "2020-01-01T00:00:00Z"),
                Map.of("expires_in", "1h", "expires_at", "2099-01-01T00:00:00Z"),
                Map.of("max_uses", 0),
                Map.of("max_uses", 101),
                Map.of("max_uses", "1"),
                Map.of("label", "has spaces"),
                Map.of("label", 7));
        for (Map<String, Object> body : bad) {
            as(adminJwt).body(body)
                    .when()
                    .post("/v1/workspace/invites")
                    .then()
                    .statusCode(400)
                    .body("error.code", equalTo("invalid_request"));
        }
        as(adminJwt).body("[1]").when().post("/v1/workspace/invites").then().statusCode(400);
        anonymous().body(Map.of("code", "ABCD-EFGH-JKMN", "extra", true))
                .when()
                .post("/v1/invites/redeem")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        anonymous().body(Map.of("code", 12)).when().post("/v1/invites/redeem").then().statusCode(400);
        JsonPath narrow = invite(Map.of("capabilities", List.of("agents:read", "agents:read")));
        assertEquals(List.of("agents:read"), narrow.getList("data.capabilities"));
    }

    @Test
    void aRestrictedKeyCannotManageKeysInvitesOrObserverTokens() {
        String machineKey = redeem(invite(Map.of("label", "m")).getString("data.code")).statusCode(201)
                .extract()
                .path("data.api_key");
        String machineJwt = principalJwt(machineKey);
        for (String[] route : new String[][]{{"GET", "/v1/workspace/keys"}, {"GET", "/v1/workspace/invites"},
                {"POST", "/v1/workspace/invites"}, {"GET", "/v1/observer-tokens"}}) {
            as(machineJwt).body("{}")
                    .when()
                    .request(route[0], route[1])
                    .then()
                    .statusCode(403)
                    .body("error.code", equalTo("missing_capability"))
                    .body("error.message", containsString("'admin'"))
                    .body("error.message", containsString(Tokens.displayPrefix(machineKey)));
        }
    }

    @Test
    void revokingAMachineKeyRevokesEverythingMintedUnderItAndNothingElse() throws Exception {
        JsonPath redeemed = redeem(invite(Map.of("label", "laptop-3")).getString("data.code")).statusCode(201)
                .extract()
                .jsonPath();
        String keyId = redeemed.getString("data.key.id");
        CredentialApi.Minted node = mintIssuedBy("node_token", "node_a", keyId);
        CredentialApi.Minted agent = mintIssuedBy("agent_token", "agent_a", keyId);
        CredentialApi.Minted worker = mintIssuedBy("agent_token", "worker_a", node.id()); // registered by the broker
        CredentialApi.Minted adminsAgent = mintIssuedBy("agent_token", "agent_b", adminKey.id());

        as(adminJwt).when()
                .get("/v1/workspace/keys")
                .then()
                .statusCode(200)
                .body("data.id", equalTo(List.of(adminKey.id(), keyId)))
                .body("data.role", equalTo(List.of("admin", "restricted")))
                .body("data[1].label", equalTo("laptop-3"))
                .body("data[1].display_prefix", equalTo(Tokens.displayPrefix(redeemed.getString("data.api_key"))))
                .body("data", everyItem(not(hasKey("token"))))
                .body("data", everyItem(not(hasKey("token_hash"))));
        as(adminJwt).when()
                .delete("/v1/workspace/keys/" + adminKey.id())
                .then()
                .statusCode(400)
                .body("error.message", containsString("admin key"));
        as(adminJwt).when()
                .delete("/v1/workspace/keys/cred_nope")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("workspace_key_not_found"));
        as(adminJwt).when().delete("/v1/workspace/keys/" + node.id()).then().statusCode(404);

        BlockingQueue<JsonPath> broadcast = new LinkedBlockingQueue<>();
        ReactiveRedisSubscriber subscriber = redis.pubsub(String.class)
                .subscribe(CHANNEL, json -> broadcast.add(JsonPath.from(json)))
                .await()
                .atMost(Duration.ofSeconds(5));
        try {
            long start = System.nanoTime();
            as(adminJwt).when().delete("/v1/workspace/keys/" + keyId).then().statusCode(204);
            Map<String, String> reasons = new HashMap<>();
            while (reasons.size() < 4 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1)) {
                JsonPath change = broadcast.poll(50, TimeUnit.MILLISECONDS);
                if (change != null) {
                    reasons.put(change.getString("credential_id"), change.getString("reason"));
                }
            }
            assertEquals(Map.of(keyId, "workspace_key_revoked", node.id(), "workspace_key_revoked", agent.id(),
                    "workspace_key_revoked", worker.id(), "workspace_key_revoked"), reasons);
        } finally {
            subscriber.unsubscribe().await().atMost(Duration.ofSeconds(5));
        }
        CredentialApi.assertRefused(CredentialApi.verify(node.token(), "node_token"), "revoked", 401,
                "node_token_invalid")
                .body("data.error.message", containsString("its workspace key " + redeemed.getString(
                        "data.key.display_prefix") + "… (laptop-3) was revoked"));
        CredentialApi.assertRefused(CredentialApi.verify(worker.token(), "agent_token"), "revoked", 401,
                "agent_token_invalid");
        CredentialApi.assertRefused(CredentialApi.verify(redeemed.getString("data.api_key"), "workspace_key"),
                "revoked", 401, "unauthorized");
        CredentialApi.verify(adminsAgent.token(), "agent_token").body("data.outcome", equalTo("verified"));
        CredentialApi.verify(adminKey.token(), "workspace_key").body("data.outcome", equalTo("verified"));
        as(adminJwt).when()
                .get("/v1/workspace/keys")
                .then()
                .body("data[1].status", equalTo("revoked"))
                .body("data[1].revoked_at", not(nullValue()));
    }

    @Test
    void neitherCodesNorKeysReachTheLog() {
        try (LogCapture capture = LogCapture.start()) {
            String code = invite(Map.of("label", "quiet")).getString("data.code");
            String key = redeem(code).statusCode(201).extract().path("data.api_key");
            redeem(code).statusCode(410);
            String normalized = code.replace("-", "");
            for (String line : capture.lines()) {
                assertThat(line, not(containsString(normalized)));
                assertThat(line, not(containsString(code)));
                assertThat(line, not(containsString(key)));
                assertThat(line, not(containsString(key.substring(8))));
            }
        }
    }

    private CredentialApi.Minted mintIssuedBy(String kind, String subject, String issuedBy) {
        Map<String, Object> body = CredentialApi.mintBody(kind, workspaceId, subject + "_" + UUID.randomUUID());
        body.put("issued_by", issuedBy);
        return CredentialApi.mint(body);
    }
}
