package dev.relay.common.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RedisNamesTest {

    private final RedisNames names = new RedisNames("relay-test_1");

    @Test
    void defaultNamespaceIsRelay() {
        assertEquals("relay", new RedisNames().namespace());
        assertEquals("relay:auth:revocations", new RedisNames().revocationChannel());
    }

    @Test
    void authAndEventNames() {
        assertEquals("relay-test_1:auth:revocations", names.revocationChannel());
        assertEquals("relay-test_1:events:stream", names.workspaceEventStream());
        assertEquals("relay-test_1:events:ws:100", names.workspaceEventChannel("100"));
    }

    @Test
    void presenceNames() {
        assertEquals("relay-test_1:presence:seen", names.presenceSet());
        assertEquals("relay-test_1:presence:changes", names.presenceChannel());
    }

    @Test
    void nodeAndReplicaNames() {
        assertEquals("relay-test_1:node:owner:node_direct_42", names.nodeOwnerKey("node_direct_42"));
        assertEquals("relay-test_1:replica:delivery-0", names.replicaChannel("delivery-0"));
        assertEquals("relay-test_1:node:live:node_7", names.nodeLivenessKey("node_7"));
    }

    @Test
    void rateLimitAndIdempotencyKeys() {
        assertEquals("relay-test_1:ratelimit:100:global:29412345", names.rateLimitKey("100", "global", 29_412_345L));
        assertEquals("relay-test_1:idem:100:42:channel-message:7:abcd", names.idempotencyKey("100", "42",
                "channel-message:7", "abcd"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Relay", "relay:test", "relay test", "relay.test", "rélay"})
    void refusesBadNamespaces(String namespace) {
        assertThrows(IllegalArgumentException.class, () -> new RedisNames(namespace));
    }

    @Test
    void refusesMissingParts() {
        assertThrows(IllegalArgumentException.class, () -> names.workspaceEventChannel(""));
    }
}
