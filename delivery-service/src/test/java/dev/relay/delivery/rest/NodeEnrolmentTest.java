package dev.relay.delivery.rest;

import static dev.relay.delivery.support.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.relay.delivery.standin.PrincipalJwts;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInLedger;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonObject;

/** `POST /v1/nodes`, `GET /v1/nodes[/:name]`, `DELETE /v1/nodes/:name` (contract §3.10, §6.1). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class NodeEnrolmentTest {

    private final StandInLedger auth = StandInAuthService.ledger();
    private Ws ws;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
    }

    private ValidatableResponse enrol(Object body) {
        return given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(body)
                .when()
                .post("/v1/nodes")
                .then();
    }

    @Test
    void aWsNodeIsABrokerByDefaultAndGetsANodeTokenMintedAtAuthService() {
        String id = enrol(Map.of("name", "fleet-1")).statusCode(201)
                .body("ok", equalTo(true))
                .body("data.id", matchesPattern("node_\\d+"))
                .body("data.name", equalTo("fleet-1"))
                .body("data.kind", equalTo("ws"))
                .body("data.role", equalTo("broker"))
                .body("data.delivery_adapter", equalTo("ws.node.v1"))
                .body("data.delivery", nullValue())
                .body("data.max_agents", equalTo(0))
                .body("data.capabilities", empty())
                .body("data.tags", empty())
                .body("data.status", equalTo("offline"))
                .body("data.live", equalTo(false))
                .body("data.active_agents", equalTo(0))
                .body("data.last_heartbeat_at", nullValue())
                .body("data.created_at", matchesPattern(ISO_MILLIS))
                .body("data.token", matchesPattern("nt_live_[0-9a-f]{48}"))
                .extract()
                .path("data.id");

        JsonObject mint = auth.callsWith("mint", "subject_id", id).getFirst().body();
        assertThat(mint.getString("kind"), equalTo("node_token"));
        assertThat(mint.getString("workspace_id"), equalTo(ws.id()));
        assertThat(mint.getString("subject_name"), equalTo("fleet-1"));
    }

    @Test
    void capabilitiesTagsAndALeadingHashAreTakenAsGiven() {
        enrol(Map.of("name", "#gpu-box", "capabilities", List.of("gpu", "docker"), "tags", List.of("eu"), "version",
                "1.2.3", "machine_id", "m-1")).statusCode(201)
                .body("data.name", equalTo("gpu-box"))
                .body("data.capabilities.name", equalTo(List.of("gpu", "docker")))
                .body("data.tags", equalTo(List.of("eu")))
                .body("data.version", equalTo("1.2.3"))
                .body("data.machine_id", equalTo("m-1"));
    }

    @Test
    void pollAndHttpPushNodesAreDirectWithTheirAdaptersAndSecretsRedacted() {
        enrol(Map.of("name", "poller", "kind", "poll")).statusCode(201)
                .body("data.kind", equalTo("poll"))
                .body("data.role", equalTo("direct"))
                .body("data.max_agents", equalTo(1))
                .body("data.delivery_adapter", equalTo("poll.v1"));

        enrol(Map.of("name", "hook", "kind", "http_push", "delivery", Map.of("url", "https://example.com/relay",
                "auth", Map.of("type", "bearer", "token", "s3cret")))).statusCode(201)
                .body("data.kind", equalTo("http_push"))
                .body("data.role", equalTo("direct"))
                .body("data.delivery_adapter", equalTo("http.bearer.v1"))
                .body("data.delivery.url", equalTo("https://example.com/relay"))
                .body("data.delivery.auth.type", equalTo("bearer"))
                .body("data.delivery.auth.token", equalTo("[redacted]"));

        given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/hook")
                .then()
                .statusCode(200)
                .body("data.delivery.auth.token", equalTo("[redacted]"));
    }

    @Test
    void everyReadRedactsSecretsButKeepsHeaderNamesAndTheRestOfTheConfig() {
        enrol(Map.of("name", "signed", "kind", "http_push", "delivery", Map.of("url", "https://example.com/in",
                "ack_mode", "on_2xx", "auth", Map.of("type", "hmac_sha256", "secret", "whsec_real",
                        "signature_header", "X-Sig", "prefix", "v1="))))
                .statusCode(201)
                .body("data.delivery.auth.secret", equalTo("[redacted]"))
                .body("data.delivery.auth.signature_header", equalTo("X-Sig"))
                .body("data.delivery.auth.prefix", equalTo("v1="))
                .body("data.delivery.ack_mode", equalTo("on_2xx"));
        enrol(Map.of("name", "headed", "kind", "http_push", "delivery", Map.of("url", "https://example.com/in",
                "auth", Map.of("type", "static_headers", "headers", Map.of("X-Api-Key", "k-real", "X-Tenant",
                        "acme")))))
                .statusCode(201)
                .body("data.delivery.auth.headers.X-Api-Key", equalTo("[redacted]"))
                .body("data.delivery.auth.headers.X-Tenant", equalTo("[redacted]"));

        for (String path : List.of("/v1/nodes/signed", "/v1/nodes/headed", "/v1/nodes")) {
            String body = given().header("Authorization", ws.key())
                    .get(path)
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertThat(path + " shows no secret", body.contains("whsec_real") || body.contains("k-real"),
                    equalTo(false));
        }
        given().header("Authorization", ws.key())
                .get("/v1/nodes/headed")
                .then()
                .body("data.delivery.auth.type", equalTo("static_headers"))
                .body("data.delivery.auth.headers.X-Api-Key", equalTo("[redacted]"))
                .body("data.delivery.url", equalTo("https://example.com/in"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"url\":\"https://example.com/in\",\"ack_mode\":\"always\"}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"basic\"}}",
            "{\"url\":\"https://example.com/in\",\"auth\":\"bearer\"}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"bearer\"}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"bearer\",\"token\":\"a\\r\\nX: y\"}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"static_headers\",\"headers\":{}}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"static_headers\",\"headers\":{\"Bad Name\":\"v\"}}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"static_headers\",\"headers\":{\"X-A\":\"v\\n\"}}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"static_headers\",\"headers\":{\"Host\":\"evil\"}}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"hmac_sha256\"}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"hmac_sha256\",\"secret\":\"s\",\"encoding\":\"base64\"}}",
            "{\"url\":\"https://example.com/in\",\"auth\":{\"type\":\"hmac_sha256\",\"secret\":\"s\",\"signed_payload\":\"all\"}}",
            "{\"url\":\"https://example.com/in\",\"use_proxy\":true}"})
    void aBadDeliveryConfigIsRefusedBeforeAnythingIsWritten(String delivery) {
        int mints = auth.calls("mint").size();
        enrol("{\"name\":\"bad\",\"kind\":\"http_push\",\"delivery\":" + delivery + "}").statusCode(400)
                .body("error.code", equalTo("invalid_node_delivery"));
        assertThat(auth.calls("mint"), hasSize(mints));
        given().header("Authorization", ws.key()).get("/v1/nodes/bad").then().statusCode(404);
    }

    @Test
    void aDirectNodeForTwoAgentsIsRefused() {
        int mints = auth.calls("mint").size();

        enrol(Map.of("name", "solo", "role", "direct", "max_agents", 2)).statusCode(400)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("direct_node_capacity_exceeded"));
        assertThat(auth.calls("mint"), hasSize(mints));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"name\":\"\"}", "{\"name\":\"#\"}", "{\"name\":\"two words\"}",
            "{\"name\":\"-dash\"}", "{\"name\":\"a/b\"}", "{\"name\":\"ünï\"}",
            "{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"})
    void invalidNamesAreRefused(String body) {
        enrol(body).statusCode(400).body("ok", equalTo(false)).body("error.code", equalTo("invalid_node_name"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"h\",\"kind\":\"http_push\"}",
            "{\"name\":\"h\",\"kind\":\"http_push\",\"delivery\":{}}",
            "{\"name\":\"h\",\"kind\":\"http_push\",\"delivery\":{\"url\":\"ftp://example.com\"}}",
            "{\"name\":\"h\",\"kind\":\"http_push\",\"delivery\":\"https://example.com\"}"})
    void anHttpPushNodeNeedsADeliveryUrl(String body) {
        enrol(body).statusCode(400).body("error.code", equalTo("invalid_node_delivery"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9000/hook", "http://localhost/hook", "http://api.localhost/hook",
            "http://[::1]/hook", "http://169.254.169.254/latest/meta-data", "http://10.0.0.5/hook",
            "https://192.168.1.20/hook", "http://172.16.0.1/hook", "http://100.64.1.1/hook", "http://[fd00::1]/hook",
            "http://[fe80::1]/hook", "http://0.0.0.0/hook", "http://224.0.0.1/hook",
            "https://user:pw@example.com/hook"})
    void anHttpPushNodeAimedAtThisMachineOrAPrivateNetworkIsUnsafe(String url) {
        enrol(Map.of("name", "hook", "kind", "http_push", "delivery", Map.of("url", url))).statusCode(400)
                .body("error.code", equalTo("unsafe_node_delivery_url"));
        given().header("Authorization", ws.key()).get("/v1/nodes/hook").then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/relay", "http://203.0.113.7:8080/in",
            "https://[2001:db8::1]/in"})
    void anHttpPushNodeAimedAtAPublicHostIsAccepted(String url) {
        enrol(Map.of("name", "hook", "kind", "http_push", "delivery", Map.of("url", url))).statusCode(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"n\",\"kind\":\"carrier-pigeon\"}", "{\"name\":\"n\",\"role\":\"boss\"}",
            "{\"name\":\"n\",\"max_agents\":-1}", "{\"name\":\"n\",\"max_agents\":\"3\"}",
            "{\"name\":\"n\",\"tags\":\"eu\"}", "{\"name\":\"n\",\"node_id\":\"abc\"}"})
    void otherBadFieldsAreInvalidRequests(String body) {
        enrol(body).statusCode(400).body("error.code", equalTo("invalid_request"));
    }

    @Test
    void reEnrollingTheSameNameRotatesTheTokenOfTheSameNode() {
        NodeCredential first = Fixtures.enrol(ws, Map.of("name", "fleet"));

        String secondToken = enrol(Map.of("name", "fleet", "tags", List.of("v2"))).statusCode(201)
                .body("data.id", equalTo(first.nodeId()))
                .body("data.tags", equalTo(List.of("v2")))
                .body("data.status", equalTo("offline"))
                .body("data.token", matchesPattern("nt_live_[0-9a-f]{48}"))
                .extract()
                .path("data.token");

        assertThat(secondToken, not(equalTo(first.token())));
        assertThat(auth.callsTo("rotate", "/internal/credentials/" + first.credentialId() + "/rotate"), hasSize(1));
        assertThat(auth.callsWith("mint", "subject_id", first.nodeId()), hasSize(1));
        assertThat(auth.credentialOf(secondToken).id(), equalTo(first.credentialId()));
    }

    @Test
    void reEnrollingByNodeIdKeepsTheNodeAndMayRenameIt() {
        enrol(Map.of("node_id", "node_custom-1", "name", "alpha")).statusCode(201)
                .body("data.id", equalTo("node_custom-1"));

        enrol(Map.of("node_id", "node_custom-1", "name", "beta")).statusCode(201)
                .body("data.id", equalTo("node_custom-1"))
                .body("data.name", equalTo("beta"));
        given().header("Authorization", ws.key()).when().get("/v1/nodes/alpha").then().statusCode(404);
    }

    @Test
    void aNameOwnedByAnotherNodeIdIsAConflict() {
        NodeCredential owner = Fixtures.enrol(ws, Map.of("name", "fleet"));

        enrol(Map.of("node_id", "node_other", "name", "fleet")).statusCode(409)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("node_name_conflict"));
        assertThat(Fixtures.node(ws, "fleet").getString("data.id"), equalTo(owner.nodeId()));
    }

    @Test
    void onlyAWorkspaceKeyMayEnrol() {
        String agent = PrincipalJwts.agent(ws.id(), "42", "ada");
        given().contentType(JSON)
                .header("Authorization", agent)
                .body(Map.of("name", "n"))
                .when()
                .post("/v1/nodes")
                .then()
                .statusCode(401)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("unauthorized"));

        NodeCredential node = Fixtures.enrol(ws, Map.of("name", "fleet"));
        given().contentType(JSON)
                .header("Authorization", node.bearer())
                .body(Map.of("name", "n"))
                .when()
                .post("/v1/nodes")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("node_token_forbidden"));

        given().contentType(JSON)
                .body(Map.of("name", "n"))
                .when()
                .post("/v1/nodes")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
    }

    @Test
    void theRosterListsAndFindsNodesWithoutTheirTokens() {
        Fixtures.enrol(ws, Map.of("name", "fleet-a", "capabilities", List.of("gpu")));
        Fixtures.enrol(ws, Map.of("name", "fleet-b"));
        Fixtures.enrol(Fixtures.workspace(), Map.of("name", "elsewhere"));

        List<Map<String, Object>> nodes = given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .extract()
                .jsonPath()
                .getList("data");
        assertThat(nodes.stream().map(n -> n.get("name")).toList(), containsInAnyOrder("fleet-a", "fleet-b"));
        nodes.forEach(node -> assertThat(node, not(hasKey("token"))));

        given().header("Authorization", ws.key())
                .queryParam("capability", "gpu")
                .when()
                .get("/v1/nodes")
                .then()
                .statusCode(200)
                .body("data.name", equalTo(List.of("fleet-a")));
        given().header("Authorization", ws.key())
                .queryParam("name", "fleet-b")
                .when()
                .get("/v1/nodes")
                .then()
                .statusCode(200)
                .body("data.name", equalTo(List.of("fleet-b")));

        // Agents may read the roster too (§2.3).
        given().header("Authorization", PrincipalJwts.agent(ws.id(), "42", "ada"))
                .when()
                .get("/v1/nodes/fleet-a")
                .then()
                .statusCode(200)
                .body("data.name", equalTo("fleet-a"))
                .body("data", not(hasKey("token")))
                .body("data.created_at", notNullValue());
    }

    @Test
    void anUnknownNodeIsNotFound() {
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/nope")
                .then()
                .statusCode(404)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("node_not_found"));
    }

    @Test
    void deletingANodeRevokesItsTokenAndForgetsIt() {
        NodeCredential node = Fixtures.enrol(ws, Map.of("name", "fleet"));

        given().header("Authorization", ws.key()).when().delete("/v1/nodes/fleet").then().statusCode(204);

        JsonObject revoke = auth.callsWith("revoke-subject", "subject_id", node.nodeId()).getFirst().body();
        assertThat(revoke.getString("workspace_id"), equalTo(ws.id()));
        assertThat(auth.credential(node.credentialId()).orElseThrow().status(), equalTo("revoked"));
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/fleet")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("node_not_found"));
        given().header("Authorization", ws.key())
                .when()
                .delete("/v1/nodes/fleet")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("node_not_found"));
    }

    @Test
    void onlyAWorkspaceKeyMayDelete() {
        Fixtures.enrol(ws, Map.of("name", "fleet"));

        given().header("Authorization", PrincipalJwts.agent(ws.id(), "42", "ada"))
                .when()
                .delete("/v1/nodes/fleet")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        Fixtures.node(ws, "fleet");
    }
}
