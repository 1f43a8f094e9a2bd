package dev.relay.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.common.auth.CredentialChange;
import dev.relay.gateway.edge.RevocationBroadcast;
import dev.relay.gateway.edge.StandInServices;
import dev.relay.gateway.edge.StandInServices.StandInCredential;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Changes to a socket's credential take effect within the second (contract §7.3, §7.4; ARCHITECTURE invariant 4): a
 * revoked, rotated or expired token's sockets close with the catalogued code and a reason naming it; narrowed scopes
 * or filters apply to the next event; a socket that reads too slowly is closed instead of buffered without bound.
 * The test profile verifies open tokens again every second.
 */
@QuarkusTest
@QuarkusTestResource(StandInServices.class)
class ObserverStreamLifecycleTest extends StreamTestSupport {

    private static final List<String> MESSAGES = List.of("stream:read", "messages:read", "threads:read");

    private static CredentialChange change(String event, StandInCredential credential, String reason) {
        return new CredentialChange(event, credential.id, credential.kind.wireName(), credential.workspaceId,
                credential.id, List.of(credential.hash()), reason, Instant.now());
    }

    private static void assertClosed(TestSocket socket, int code, String reason) {
        assertEquals((short) code, socket.closeCode(), "close code");
        assertEquals(reason, socket.closeReason(), "close reason");
    }

    @Test
    void aRevocationBroadcastClosesEverySocketOfTheTokenWithinASecond() throws Exception {
        String workspace = newWorkspace();
        StandInCredential observer = StandInServices.observer(workspace, MESSAGES, Map.of());
        TestSocket first = open(observer.token);
        TestSocket second = open(observer.token);
        TestSocket bystander = open(StandInServices.observer(workspace, MESSAGES, Map.of()).token);

        observer.revoked = true;
        long revokedAt = System.currentTimeMillis();
        RevocationBroadcast.publish(change(CredentialChange.REVOKED, observer, "observer_token_revoked"));

        first.awaitClose(1_000);
        second.awaitClose(1_000);
        assertClosed(first, 1008, "observer_token_revoked");
        assertClosed(second, 1008, "observer_token_revoked");
        assertTrue(first.closedAt - revokedAt < 1_000, "closed " + (first.closedAt - revokedAt) + " ms after");
        Thread.sleep(200);
        assertFalse(bystander.isClosed(), "another token's socket stays open");
    }

    @Test
    void aRotationClosesTheOldTokensSocketsAndAWorkspaceKeyRevocationItsOwn() throws Exception {
        String workspace = newWorkspace();
        StandInCredential observer = StandInServices.observer(workspace, MESSAGES, Map.of());
        StandInCredential key = StandInServices.workspaceKey(workspace);
        TestSocket rotated = open(observer.token);
        TestSocket admin = open(key.token);

        RevocationBroadcast.publish(change(CredentialChange.ROTATED, observer, "observer_token_rotated"));
        RevocationBroadcast.publish(change(CredentialChange.REVOKED, key, "workspace_key_revoked"));

        rotated.awaitClose(1_000);
        admin.awaitClose(1_000);
        assertClosed(rotated, 1008, "observer_token_rotated");
        assertClosed(admin, 1008, "workspace_key_revoked");
    }

    @Test
    void aTokenRevokedWithoutABroadcastIsFoundByThePeriodicCheck() throws Exception {
        StandInCredential observer = StandInServices.observer(newWorkspace(), MESSAGES, Map.of());
        TestSocket socket = open(observer.token);

        observer.revoked = true; // the broadcast was lost

        socket.awaitClose(2_500);
        assertClosed(socket, 1008, "observer_token_revoked");
    }

    @Test
    void anExpiringTokensSocketsCloseWithinASecondOfItsExpiry() throws Exception {
        StandInCredential observer = StandInServices.observer(newWorkspace(), MESSAGES, Map.of());
        observer.expiresAt = Instant.now().plusMillis(1_500);
        TestSocket socket = open(observer.token);

        socket.awaitClose(3_000);
        assertClosed(socket, 1008, "observer_token_expired");
        long late = socket.closedAt - observer.expiresAt.toEpochMilli();
        assertTrue(late >= 0 && late < 1_000, "closed " + late + " ms after the expiry");
    }

    @Test
    void anExpiredWorkspaceClosesItsSockets() throws Exception {
        StandInCredential observer = StandInServices.observer(newWorkspace(), MESSAGES, Map.of());
        TestSocket socket = open(observer.token);

        observer.workspaceExpired = true;

        socket.awaitClose(2_500);
        assertClosed(socket, 1008, "workspace_expired");
    }

    @Test
    void narrowedScopesAndFiltersApplyToTheNextEvent() throws Exception {
        String workspace = newWorkspace();
        StandInCredential observer = StandInServices.observer(workspace, MESSAGES, Map.of());
        TestSocket socket = open(observer.token);
        publish(workspace, 1, "message.created", message("general", "ch_g", "a1", "before"));
        socket.await(frame -> frame.getLong("seq") == 1, 2_000);

        observer.scopes = List.of("stream:read", "threads:read");
        RevocationBroadcast.publish(change(CredentialChange.UPDATED, observer, "observer_token_updated"));
        Thread.sleep(100);
        publish(workspace, 2, "message.created", message("general", "ch_g", "a1", "no longer visible"));
        publish(workspace, 3, "thread.reply", Map.of("channel", "general", "channel_id", "ch_g", "message",
                Map.of("agent_id", "a1", "text", "still visible"), "created_at", CREATED_AT));
        socket.await(frame -> frame.getLong("seq") == 3, 2_000);

        observer.filters = Map.of("channel_names", List.of("ops"));
        RevocationBroadcast.publish(change(CredentialChange.UPDATED, observer, "observer_token_updated"));
        Thread.sleep(100);
        publish(workspace, 4, "thread.reply", Map.of("channel", "general", "message", Map.of("text", "filtered"),
                "created_at", CREATED_AT));
        publish(workspace, 5, "thread.reply", Map.of("channel", "ops", "message", Map.of("text", "in ops"),
                "created_at", CREATED_AT));
        socket.await(frame -> frame.getLong("seq") == 5, 2_000);

        assertEquals(List.of(1L, 3L, 5L), socket.seqs());
        assertFalse(socket.isClosed());
    }

    @Test
    void losingStreamReadClosesTheSocket() throws Exception {
        StandInCredential observer = StandInServices.observer(newWorkspace(), MESSAGES, Map.of());
        TestSocket socket = open(observer.token);

        observer.scopes = List.of("messages:read");
        RevocationBroadcast.publish(change(CredentialChange.UPDATED, observer, "observer_token_updated"));

        socket.awaitClose(1_000);
        assertClosed(socket, 1008, "stream_scope_removed");
    }

    @Test
    void aSlowConsumerIsClosedInsteadOfBufferedWithoutBound() throws Exception {
        String workspace = newWorkspace();
        TestSocket slow = open(StandInServices.observer(workspace, MESSAGES, Map.of()).token, 4096);
        TestSocket fast = open(StandInServices.observer(workspace, MESSAGES, Map.of()).token);
        slow.socket.pause();

        String text = "x".repeat(32 * 1024);
        for (long seq = 1; seq <= 300 && sessions.openSockets() == 2; seq++) {
            publish(workspace, seq, "message.created", message("general", "ch_g", "a1", text + seq));
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while (sessions.openSockets() == 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, sessions.openSockets(), "the gateway let go of the slow socket");
        slow.socket.resume();

        slow.awaitClose(10_000);
        assertClosed(slow, 4008, "slow_consumer");
        assertFalse(fast.isClosed(), "a socket that keeps up stays open");
        long last = slow.seqs().isEmpty() ? 0 : slow.seqs().get(slow.seqs().size() - 1);
        fast.await(frame -> frame.getLong("seq") > last, 5_000);
    }
}
