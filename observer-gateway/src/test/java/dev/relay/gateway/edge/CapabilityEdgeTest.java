package dev.relay.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.relay.common.token.Tokens;
import dev.relay.gateway.edge.StandInServices.StandInCredential;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A restricted workspace key (a joined machine's) at the edge: the broker's routes go through to their owner, every
 * other workspace-key route is refused with 403 missing_capability naming the capability and the key's prefix, before
 * any service sees the request.
 */
@QuarkusTest
@QuarkusTestResource(StandInServices.class)
class CapabilityEdgeTest {

    private static final List<String> MACHINE = List.of("agents:register", "agents:read", "agents:manage_own",
            "nodes:enroll_own", "nodes:bind_own");

    @Test
    void theBrokersStartupAndReclaimCallsGoThrough() {
        StandInCredential machine = StandInServices.restrictedKey("w-cap-1", MACHINE);
        String[][] allowed = {{"POST", "/v1/agents", "workspace-service"},
                {"GET", "/v1/agents", "workspace-service"},
                {"GET", "/v1/agents/laptop-2", "workspace-service"},
                {"GET", "/v1/agents/presence", "workspace-service"},
                {"POST", "/v1/agents/laptop-2/rotate-token", "workspace-service"},
                {"PATCH", "/v1/agents/laptop-2", "workspace-service"},
                {"POST", "/v1/nodes", "delivery-service"},
                {"POST", "/v1/nodes/laptop-2/agents", "delivery-service"},
                {"DELETE", "/v1/nodes/laptop-2/agents/worker", "delivery-service"}};
        for (String[] route : allowed) {
            given().header("Authorization", "Bearer " + machine.token)
                    .contentType("application/json")
                    .body("{}")
                    .when()
                    .request(route[0], route[1])
                    .then()
                    .statusCode(200)
                    .body("data.owner", equalTo(route[2]));
        }
    }

    @Test
    void everyOtherWorkspaceKeyRouteIsRefusedNamingTheCapabilityAndTheKey() {
        StandInCredential machine = StandInServices.restrictedKey("w-cap-2", MACHINE);
        String[][] refused = {{"POST", "/v1/channels"}, {"DELETE", "/v1/agents/laptop-2"},
                {"POST", "/v1/agents/laptop-2/revoke"}, {"GET", "/v1/workspace"}, {"PATCH", "/v1/workspace"},
                {"DELETE", "/v1/workspaces/w-cap-2"}, {"GET", "/v1/observer-tokens"}, {"POST", "/v1/observer-tokens"},
                {"GET", "/v1/workspace/keys"}, {"DELETE", "/v1/workspace/keys/cred_1"},
                {"POST", "/v1/workspace/invites"}, {"GET", "/v1/nodes"}, {"DELETE", "/v1/nodes/laptop-2"},
                {"GET", "/v1/workspace/events"}, {"GET", "/v1/dm/conversations/all"}, {"GET", "/v1/search?q=x"},
                {"POST", "/v1/channels/general/messages"}, {"GET", "/v1/channels/general/messages"}};
        for (String[] route : refused) {
            given().header("Authorization", "Bearer " + machine.token)
                    .contentType("application/json")
                    .body("{}")
                    .when()
                    .request(route[0], route[1])
                    .then()
                    .statusCode(403)
                    .body("error.code", equalTo("missing_capability"))
                    .body("error.message", containsString("needs capability 'admin'"))
                    .body("error.message", containsString(Tokens.displayPrefix(machine.token)));
        }
    }

    @Test
    void aNarrowerKeyIsRefusedTheMachineRoutesItWasNotGranted() {
        StandInCredential readOnly = StandInServices.restrictedKey("w-cap-3", List.of("agents:read"));
        given().header("Authorization", "Bearer " + readOnly.token).when().get("/v1/agents").then().statusCode(200);
        given().header("Authorization", "Bearer " + readOnly.token)
                .contentType("application/json")
                .body("{}")
                .when()
                .post("/v1/nodes")
                .then()
                .statusCode(403)
                .body("error.code", equalTo("missing_capability"))
                .body("error.message", containsString("POST /v1/nodes needs capability 'nodes:enroll_own'"))
                .body("error.message", containsString("(it has: agents:read)"));
    }

    @Test
    void theFullKeyStillReachesEverything() {
        StandInCredential admin = StandInServices.workspaceKey("w-cap-4");
        given().header("Authorization", "Bearer " + admin.token)
                .contentType("application/json")
                .body("{}")
                .when()
                .post("/v1/channels")
                .then()
                .statusCode(200)
                .body("data.owner", equalTo("workspace-service"));
        given().header("Authorization", "Bearer " + admin.token)
                .when()
                .get("/v1/workspace/keys")
                .then()
                .statusCode(200)
                .body("data.owner", equalTo("auth-service"));
    }

    @Test
    void redeemingAJoinCodeNeedsNoKey() {
        given().contentType("application/json")
                .body("{\"code\":\"ABCD-EFGH-JKMN\"}")
                .when()
                .post("/v1/invites/redeem")
                .then()
                .statusCode(200)
                .body("data.owner", equalTo("auth-service"))
                .body("data.authorization", equalTo(null));
    }

    @Test
    void aRestrictedKeyCannotOpenTheObserverStream() {
        StandInCredential machine = StandInServices.restrictedKey("w-cap-5", MACHINE);
        given().header("Connection", "Upgrade")
                .header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .when()
                .get("/v1/ws?token=" + machine.token)
                .then()
                .statusCode(403)
                .body("error.code", equalTo("missing_capability"));
    }
}
