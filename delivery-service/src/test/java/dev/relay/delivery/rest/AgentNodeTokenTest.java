package dev.relay.delivery.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInLedger;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** `POST /v1/agent/node-token` (contract §3.3, §6.2): the agent's implicit direct node. */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class AgentNodeTokenTest {

    private final StandInLedger auth = StandInAuthService.ledger();
    private Ws ws;
    private Agent ada;

    @BeforeEach
    void agent() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
    }

    @Test
    void ensuresTheImplicitDirectNodeAndBindsTheAgentToIt() {
        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/agent/node-token")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.node_id", equalTo("node_direct_" + ada.id()))
                .body("data.node_name", equalTo("direct-" + ada.id()))
                .body("data.token", matchesPattern("nt_live_[0-9a-f]{48}"));

        JsonObject mint = auth.callsWith("mint", "subject_id", "node_direct_" + ada.id()).getFirst().body();
        assertThat(mint.getString("kind"), equalTo("node_token"));
        assertThat(mint.getString("workspace_id"), equalTo(ws.id()));
        assertThat(mint.getString("subject_name"), equalTo("direct-" + ada.id()));

        given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/direct-" + ada.id())
                .then()
                .statusCode(200)
                .body("data.id", equalTo("node_direct_" + ada.id()))
                .body("data.kind", equalTo("ws"))
                .body("data.role", equalTo("direct"))
                .body("data.max_agents", equalTo(1))
                .body("data.delivery_adapter", equalTo("ws.node.v1"))
                .body("data.tags", equalTo(List.of("implicit", "direct")))
                .body("data.version", equalTo("implicit"))
                .body("data.delivery.implicit", equalTo(true))
                .body("data.delivery.agent_id", equalTo(ada.id()))
                .body("data.delivery.agent_name", equalTo("ada"));
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/direct-" + ada.id() + "/agents")
                .then()
                .statusCode(200)
                .body("data.agent_name", equalTo(List.of("ada")))
                .body("data.status", equalTo(List.of("active")));
    }

    @Test
    void everyCallRotatesTheSameNodesToken() {
        NodeCredential first = Fixtures.directNode(ada);
        NodeCredential second = Fixtures.directNode(ada);

        assertThat(second.nodeId(), equalTo(first.nodeId()));
        assertThat(second.token(), not(equalTo(first.token())));
        assertThat(second.credentialId(), equalTo(first.credentialId()));
        assertThat(auth.callsWith("mint", "subject_id", first.nodeId()), hasSize(1));
        assertThat(auth.callsTo("rotate", "/internal/credentials/" + first.credentialId() + "/rotate"), hasSize(1));
        given().header("Authorization", ws.key())
                .when()
                .get("/v1/nodes/" + first.nodeName() + "/agents")
                .then()
                .statusCode(200)
                .body("data", hasSize(1));
    }

    @Test
    void anAgentBoundToAnExplicitNodeCannotConnectDirectly() {
        Fixtures.enrol(ws, Map.of("name", "fleet"));
        given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(Map.of("agent_name", "ada"))
                .when()
                .post("/v1/nodes/fleet/agents")
                .then()
                .statusCode(201);

        given().header("Authorization", ada.bearer())
                .when()
                .post("/v1/agent/node-token")
                .then()
                .statusCode(409)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("agent_bound_to_node"));

        given().header("Authorization", ws.key()).when().delete("/v1/nodes/fleet/agents/ada").then().statusCode(204);
        Fixtures.directNode(ada);
    }

    @Test
    void onlyAnAgentTokenMayAsk() {
        given().header("Authorization", ws.key())
                .when()
                .post("/v1/agent/node-token")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        NodeCredential node = Fixtures.directNode(ada);
        given().header("Authorization", node.bearer())
                .when()
                .post("/v1/agent/node-token")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("node_token_forbidden"));
        given().when().post("/v1/agent/node-token").then().statusCode(401).body("error.code", equalTo("unauthorized"));
    }
}
