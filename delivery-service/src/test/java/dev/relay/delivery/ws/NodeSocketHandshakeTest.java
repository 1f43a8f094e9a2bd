package dev.relay.delivery.ws;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.PrincipalJwts;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.RawUpgrade;
import dev.relay.delivery.support.RawUpgrade.Answer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** The `/v1/node/ws` handshake (contract §4, §5.2): refusals are HTTP answers with the error envelope. */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class NodeSocketHandshakeTest {

    private Ws ws;

    @BeforeEach
    void workspace() {
        ws = Fixtures.workspace();
    }

    private static void assertRefused(Answer answer, int status, String code) {
        assertThat(answer.status(), equalTo(status));
        assertThat(answer.headers().get("content-type"), startsWith("application/json"));
        JsonObject body = answer.json();
        assertThat(body.getBoolean("ok"), equalTo(false));
        assertThat(body.getJsonObject("error").getString("code"), equalTo(code));
    }

    @Test
    void aNodePrincipalUpgrades() {
        NodeCredential node = Fixtures.enrol(ws, Map.of("name", "fleet"));

        assertThat(RawUpgrade.attempt(node.bearer()).status(), equalTo(101));
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            socket.send(new JsonObject().put("v", 1).put("type", "ping").put("id", "p"));
            assertThat(socket.next("pong").getString("id"), equalTo("p"));
        }
    }

    @Test
    void withoutATokenTheUpgradeIsRefusedWith401() {
        assertRefused(RawUpgrade.attempt(null), 401, "unauthorized");
        assertRefused(RawUpgrade.attempt("Basic Zm9vOmJhcg=="), 401, "unauthorized");
        assertRefused(RawUpgrade.attempt("Bearer not-a-jwt"), 401, "unauthorized");
    }

    @Test
    void agentAndWorkspacePrincipalsAreRefusedWith401() {
        assertRefused(RawUpgrade.attempt(PrincipalJwts.agent(ws.id(), "42", "ada")), 401, "unauthorized");
        assertRefused(RawUpgrade.attempt(ws.key()), 401, "unauthorized");
        assertThat(NodeSocket.refusal(PrincipalJwts.agent(ws.id(), "42", "ada")), equalTo(401));
    }

    @Test
    void aDeletedNodesPrincipalIsRefusedWith401() {
        NodeCredential node = Fixtures.enrol(ws, Map.of("name", "fleet"));
        given().header("Authorization", ws.key()).when().delete("/v1/nodes/fleet").then().statusCode(204);

        assertRefused(RawUpgrade.attempt(node.bearer()), 401, "node_token_invalid");
        assertThat(NodeSocket.refusal(node.bearer()), equalTo(401));
    }

    @Test
    void anUnknownNodeOrOneOfAnotherWorkspaceIsRefusedWith401() {
        NodeCredential node = Fixtures.enrol(ws, Map.of("name", "fleet"));
        String unknown = PrincipalJwts.node(ws.id(), "node_unknown", "ghost", "cred_x", "nt_live_" + "0".repeat(48));
        String elsewhere = PrincipalJwts.node(Fixtures.workspace().id(), node.nodeId(), node.nodeName(),
                node.credentialId(), node.token());

        assertRefused(RawUpgrade.attempt(unknown), 401, "node_token_invalid");
        assertRefused(RawUpgrade.attempt(elsewhere), 401, "node_token_invalid");
    }

    @Test
    void aPlainGetIs426() {
        NodeCredential node = Fixtures.enrol(ws, Map.of("name", "fleet"));

        given().header("Authorization", node.bearer())
                .when()
                .get(NodeSocket.PATH)
                .then()
                .statusCode(426)
                .header("Upgrade", equalTo("websocket"))
                .body("ok", equalTo(false))
                .body("error.code", equalTo("upgrade_required"))
                .body("error.message", equalTo("Expected WebSocket upgrade"));
    }
}
