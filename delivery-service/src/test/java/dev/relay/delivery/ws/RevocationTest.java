package dev.relay.delivery.ws;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.auth.RevocationListener;
import dev.relay.common.json.RelayJson;
import dev.relay.common.redis.RedisNames;
import dev.relay.common.token.Tokens;
import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.NodeCredential;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.NodeSocket;
import dev.relay.delivery.support.NodeSocket.Closed;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Revocation broadcasts close the node sockets of withdrawn tokens (contract §2.1; close codes in `CloseCode`). */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class RevocationTest {

    @Inject
    RedisDataSource redis;

    @Inject
    RedisNames names;

    @Inject
    RevocationListener revocations;

    private Ws ws;
    private NodeCredential node;

    @BeforeEach
    void directNode() {
        ws = Fixtures.workspace();
        Agent ada = Fixtures.agent(ws, "ada");
        node = Fixtures.directNode(ada);
    }

    private void publish(String event, String credentialId, String token, String reason) {
        CredentialChange change = new CredentialChange(event, credentialId, "node_token", ws.id(), node.nodeId(),
                List.of(Tokens.sha256Hex(token)), reason, Instant.now());
        try {
            redis.pubsub(String.class)
                    .publish(names.revocationChannel(), RelayJson.mapper().writeValueAsString(change));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRevokedTokensSocketIsClosedWithin1sWithPolicyViolation() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            Instant published = Instant.now();
            publish(CredentialChange.REVOKED, node.credentialId(), node.token(), "node_token_revoked");

            Closed closed = socket.awaitClosed(Duration.ofSeconds(1));
            assertThat(Duration.between(published, Instant.now()).toMillis(), lessThan(1000L));
            assertThat(closed.code(), equalTo(1008));
            assertThat(closed.reason(), equalTo("node_token_revoked"));
        }
    }

    @Test
    void afterARevocationFeedGapASocketWhoseTokenWasRevokedMeanwhileIsClosedAndOthersStay() throws Exception {
        Agent bo = Fixtures.agent(ws, "bo");
        NodeCredential other = Fixtures.directNode(bo);
        try (NodeSocket revoked = Fixtures.connectDirect(node); NodeSocket kept = Fixtures.connectDirect(other)) {
            // Revoked while the subscription was gone: no broadcast ever arrives for it.
            StandInAuthService.ledger().revokeSilently(c -> c.id().equals(node.credentialId()));

            revocations.subscriptionLost(); // subscribes again within a second, then checks every socket's token

            Closed closed = revoked.awaitClosed(Duration.ofSeconds(4));
            assertThat(closed.code(), equalTo(1008));
            assertThat(closed.reason(), equalTo("node_token_revoked"));
            Thread.sleep(500);
            assertThat("a socket with a valid token stays open", kept.isClosed(), equalTo(false));
        }
    }

    @Test
    void aChangeForAnotherCredentialOrAnotherTokenClosesNothing() {
        try (NodeSocket socket = Fixtures.connectDirect(node)) {
            publish(CredentialChange.REVOKED, "cred_someone_else", node.token(), "node_token_revoked");
            publish(CredentialChange.REVOKED, node.credentialId(), "nt_live_" + "f".repeat(48), "node_token_revoked");
            // Changes are handled in order: if either of the two above had matched, its reason would be the one seen.
            publish(CredentialChange.ROTATED, node.credentialId(), node.token(), "node_token_rotated");

            Closed closed = socket.awaitClosed(Duration.ofSeconds(1));
            assertThat(closed.code(), equalTo(1008));
            assertThat(closed.reason(), equalTo("node_token_rotated"));
        }
    }

    @Test
    void anUnregisteredSocketIsClosedToo() {
        try (NodeSocket socket = NodeSocket.open(node.bearer())) {
            publish(CredentialChange.REVOKED, node.credentialId(), node.token(), "node_token_revoked");

            assertThat(socket.awaitClosed(Duration.ofSeconds(1)).reason(), equalTo("node_token_revoked"));
        }
    }

    @Test
    void deletingANodeClosesItsSocketThroughAuthServicesBroadcast() {
        NodeCredential fleet = Fixtures.enrol(ws, Map.of("name", "fleet"));
        try (NodeSocket socket = NodeSocket.open(fleet.bearer())) {
            socket.request(fleet.register("r1").put("max_agents", 0).put("tags", new io.vertx.core.json.JsonArray()));

            given().header("Authorization", ws.key()).when().delete("/v1/nodes/fleet").then().statusCode(204);

            Closed closed = socket.awaitClosed(Duration.ofSeconds(2));
            assertThat(closed.code(), equalTo(1008));
            assertThat(closed.reason(), equalTo("node_token_revoked"));
        }
    }
}
