package dev.relay.delivery.rest;

import static dev.relay.delivery.support.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Agent bindings: `POST/GET /v1/nodes/:name/agents`, `DELETE /v1/nodes/:name/agents/:agent` (§3.10, §6.2). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class BindingTest {

    private Ws ws;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
    }

    private ValidatableResponse bind(String node, Map<String, Object> body) {
        return given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(body)
                .when()
                .post("/v1/nodes/" + node + "/agents")
                .then();
    }

    private ValidatableResponse bindings(String node) {
        return given().header("Authorization", ws.key()).when().get("/v1/nodes/" + node + "/agents").then();
    }

    private ValidatableResponse unbind(String node, String agent) {
        return given().header("Authorization", ws.key()).when().delete("/v1/nodes/" + node + "/agents/" + agent).then();
    }

    @Test
    void bindListAndUnbind() {
        NodeCredential fleet = Fixtures.enrol(ws, Map.of("name", "fleet"));
        Agent ada = Fixtures.agent(ws, "ada");

        bind("fleet", Map.of("agent_name", "ada", "session_ref", "tmux:1", "priority", 2)).statusCode(201)
                .body("ok", equalTo(true))
                .body("data.id", matchesPattern("anb_\\d+"))
                .body("data.agent_id", equalTo(ada.id()))
                .body("data.agent_name", equalTo("ada"))
                .body("data.node_id", equalTo(fleet.nodeId()))
                .body("data.node_name", equalTo("fleet"))
                .body("data.node_kind", equalTo("ws"))
                .body("data.node_role", equalTo("broker"))
                .body("data.status", equalTo("active"))
                .body("data.session_ref", equalTo("tmux:1"))
                .body("data.priority", equalTo(2))
                .body("data.created_at", matchesPattern(ISO_MILLIS))
                .body("data.updated_at", nullValue());

        bindings("fleet").statusCode(200).body("data.agent_name", equalTo(List.of("ada")));

        unbind("fleet", "ada").statusCode(204);
        bindings("fleet").statusCode(200).body("data", empty());
        unbind("fleet", "ada").statusCode(404)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("node_agent_binding_not_found"));
    }

    @Test
    void unknownAgentsAndNodesAreNotFound() {
        Fixtures.enrol(ws, Map.of("name", "fleet"));
        Fixtures.agent(ws, "ada");

        bind("fleet", Map.of("agent_name", "ghost")).statusCode(404).body("error.code", equalTo("agent_not_found"));
        bind("nowhere", Map.of("agent_name", "ada")).statusCode(404).body("error.code", equalTo("node_not_found"));
        bindings("nowhere").statusCode(404).body("error.code", equalTo("node_not_found"));
        unbind("nowhere", "ada").statusCode(404).body("error.code", equalTo("node_not_found"));
    }

    @Test
    void aFullNodeRefusesAnotherAgentButNotTheOneItHosts() {
        Fixtures.enrol(ws, Map.of("name", "solo", "role", "direct"));
        Fixtures.agent(ws, "ada");
        Fixtures.agent(ws, "bob");

        bind("solo", Map.of("agent_name", "ada")).statusCode(201);
        bind("solo", Map.of("agent_name", "bob")).statusCode(409)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("node_capacity_exceeded"));
        bind("solo", Map.of("agent_name", "ada", "priority", 1)).statusCode(201).body("data.priority", equalTo(1));
        bindings("solo").statusCode(200).body("data.agent_name", equalTo(List.of("ada")));
    }

    @Test
    void bindingElsewhereMovesTheAgentAndFreesTheSlot() {
        Fixtures.enrol(ws, Map.of("name", "one", "role", "broker", "max_agents", 1));
        Fixtures.enrol(ws, Map.of("name", "two"));
        Fixtures.agent(ws, "ada");
        Fixtures.agent(ws, "bob");

        bind("one", Map.of("agent_name", "ada")).statusCode(201);
        bind("two", Map.of("agent_name", "ada")).statusCode(201);

        bindings("one").statusCode(200).body("data", empty());
        bindings("two").statusCode(200).body("data.agent_name", equalTo(List.of("ada")));
        bind("one", Map.of("agent_name", "bob")).statusCode(201);
    }

    @Test
    void unbindingRehomesTheAgentOnItsDirectNode() {
        Agent ada = Fixtures.agent(ws, "ada");
        NodeCredential direct = Fixtures.directNode(ada);
        Fixtures.enrol(ws, Map.of("name", "fleet"));

        bind("fleet", Map.of("agent_name", "ada")).statusCode(201);
        bindings(direct.nodeName()).statusCode(200).body("data", empty());

        unbind("fleet", "ada").statusCode(204);
        bindings(direct.nodeName()).statusCode(200)
                .body("data.agent_id", equalTo(List.of(ada.id())))
                .body("data.node_role", equalTo(List.of("direct")));
    }

    @Test
    void onlyAWorkspaceKeyBindsAndAnAgentNameIsRequired() {
        Fixtures.enrol(ws, Map.of("name", "fleet"));
        Agent ada = Fixtures.agent(ws, "ada");

        given().contentType(JSON)
                .header("Authorization", ada.bearer())
                .body(Map.of("agent_name", "ada"))
                .when()
                .post("/v1/nodes/fleet/agents")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        given().header("Authorization", ada.bearer())
                .when()
                .delete("/v1/nodes/fleet/agents/ada")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));
        bind("fleet", Map.of()).statusCode(400).body("error.code", equalTo("invalid_request"));
        bind("fleet", Map.of("agent_name", "ada", "priority", "high")).statusCode(400)
                .body("error.code", equalTo("invalid_request"));

        // Agents may read bindings (§2.3).
        given().header("Authorization", ada.bearer())
                .when()
                .get("/v1/nodes/fleet/agents")
                .then()
                .statusCode(200)
                .body("data", empty());
    }
}
