package dev.relay.auth.messaging;

import static dev.relay.auth.rest.CredentialApi.mint;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.auth.rest.CredentialApi;
import dev.relay.auth.rest.CredentialApi.Minted;
import dev.relay.auth.rest.ServiceJwts;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Revocations and rotations reach another subscriber of the revocation channel (as a second instance or the gateway
 * would be) within one second of the request.
 */
@QuarkusTest
class RevocationBroadcastTest {

    /** The test profile's namespace ({@code relaytest}) plus the channel name every service listens on. */
    private static final String CHANNEL = "relaytest" + System.getenv().getOrDefault("RELAY_TEST_DB_SUFFIX", "")
            + ":auth:revocations";
    private static final long WITHIN_MILLIS = 1000;

    @Inject
    ReactiveRedisDataSource redis;

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private ReactiveRedisSubscriber subscriber;

    private record Received(String json, long atNanos) {
    }

    @BeforeEach
    void subscribe() {
        subscriber = redis.pubsub(String.class)
                .subscribe(CHANNEL, json -> received.add(new Received(json, System.nanoTime())))
                .await()
                .atMost(Duration.ofSeconds(5));
    }

    @AfterEach
    void unsubscribe() {
        subscriber.unsubscribe().await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aRevokedNodeTokenIsAnnouncedWithinOneSecond() throws InterruptedException {
        Minted node = mint("node_token");
        long start = System.nanoTime();
        CredentialApi.revoke(node.id()).statusCode(200);
        JsonPath change = awaitChange(node.id(), start);
        assertEquals("revoked", change.getString("event"));
        assertEquals("node_token", change.getString("kind"));
        assertEquals(node.workspaceId(), change.getString("workspace_id"));
        assertEquals(node.subjectId(), change.getString("subject_id"));
        assertEquals(List.of(node.hash()), change.getList("token_hashes"));
        assertEquals("node_token_revoked", change.getString("reason"));
    }

    @Test
    void aRotationIsAnnouncedWithTheRetiredHashWithinOneSecond() throws InterruptedException {
        Minted observer = mint("observer_token");
        long start = System.nanoTime();
        CredentialApi.rotate(observer.id(), null);
        JsonPath change = awaitChange(observer.id(), start);
        assertEquals("rotated", change.getString("event"));
        assertEquals(List.of(observer.hash()), change.getList("token_hashes"));
        assertEquals("observer_token_rotated", change.getString("reason"));
    }

    @Test
    void revokingARotatedCredentialAnnouncesBothSecrets() throws InterruptedException {
        Minted original = mint("workspace_key");
        Minted rotated = CredentialApi.rotate(original.id(), 3600L);
        awaitChange(original.id(), System.nanoTime());
        long start = System.nanoTime();
        CredentialApi.revoke(original.id()).statusCode(200);
        JsonPath change = awaitChange(original.id(), start);
        assertEquals("revoked", change.getString("event"));
        assertThat(change.getList("token_hashes"), containsInAnyOrder(original.hash(), rotated.hash()));
        assertEquals("workspace_key_revoked", change.getString("reason"));
    }

    @Test
    void revokingAWorkspaceAnnouncesEachOfItsCredentials() throws InterruptedException {
        String workspace = CredentialApi.unique("ws");
        Minted agent = mint("agent_token", workspace, "agent_1");
        Minted observer = mint("observer_token", workspace, "obs_1");
        long start = System.nanoTime();
        ServiceJwts.as(CredentialApi.MANAGER)
                .body(Map.of("workspace_id", workspace))
                .when()
                .post("/internal/credentials/revoke-workspace")
                .then()
                .statusCode(200);
        Map<String, JsonPath> changes = awaitChanges(Set.of(agent.id(), observer.id()), start);
        assertEquals(List.of(agent.hash()), changes.get(agent.id()).getList("token_hashes"));
        assertEquals("agent_token_revoked", changes.get(agent.id()).getString("reason"));
        assertEquals(List.of(observer.hash()), changes.get(observer.id()).getList("token_hashes"));
        assertEquals("observer_token_revoked", changes.get(observer.id()).getString("reason"));
    }

    private JsonPath awaitChange(String credentialId, long startNanos) throws InterruptedException {
        return awaitChanges(Set.of(credentialId), startNanos).get(credentialId);
    }

    /** The messages about {@code credentialIds}, asserting each arrived within a second of {@code startNanos}. */
    private Map<String, JsonPath> awaitChanges(Set<String> credentialIds, long startNanos)
            throws InterruptedException {
        Map<String, JsonPath> changes = new HashMap<>();
        long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(WITHIN_MILLIS + 2000);
        while (changes.size() < credentialIds.size() && System.nanoTime() < deadline) {
            Received message = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (message == null) {
                break;
            }
            JsonPath change = JsonPath.from(message.json());
            String id = change.getString("credential_id");
            if (credentialIds.contains(id)) {
                assertThat("milliseconds until the change to " + id + " was seen",
                        TimeUnit.NANOSECONDS.toMillis(message.atNanos() - startNanos), lessThan(WITHIN_MILLIS));
                changes.put(id, change);
            }
        }
        if (changes.size() < credentialIds.size()) {
            throw new AssertionError(
                    "changes seen on " + CHANNEL + " for " + changes.keySet() + " of " + credentialIds);
        }
        return changes;
    }
}
