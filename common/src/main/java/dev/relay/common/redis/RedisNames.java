package dev.relay.common.redis;

import java.util.regex.Pattern;

/**
 * Every Redis key, stream and pub/sub channel name the services share, built under one namespace so that services
 * agree on names and a test run (with its own namespace) never touches a running engine's keys.
 */
public final class RedisNames {

    public static final String DEFAULT_NAMESPACE = "relay";
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9_-]+");

    private final String namespace;

    public RedisNames() {
        this(DEFAULT_NAMESPACE);
    }

    public RedisNames(String namespace) {
        if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("Redis namespace must match [a-z0-9_-]+: " + namespace);
        }
        this.namespace = namespace;
    }

    public String namespace() {
        return namespace;
    }

    /** Pub/sub channel announcing revoked or rotated credentials, so every replica drops cached auth and sockets. */
    public String revocationChannel() {
        return name("auth:revocations");
    }

    /** The Redis Stream of workspace events that delivery-service consumes. */
    public String workspaceEventStream() {
        return name("events:stream");
    }

    /** Pub/sub channel fanning one workspace's events out to the gateway replicas. */
    /** Marks an event as already added to the stream, so a re-publication after a crash adds it only once. */
    public String publishedEventKey(String eventId) {
        return name("events:published:" + part(eventId, "eventId"));
    }

    public String workspaceEventChannel(String workspaceId) {
        return name("events:ws:" + part(workspaceId, "workspaceId"));
    }

    /**
     * Sorted set of agents' last signs of life: member {@code <workspaceId>:<agentId>}, score the time in epoch
     * milliseconds. An agent is online while its score is younger than the presence TTL.
     */
    public String presenceSet() {
        return name("presence:seen");
    }

    /** Pub/sub channel announcing presence transitions. */
    public String presenceChannel() {
        return name("presence:changes");
    }

    /** Which delivery replica currently holds the node's socket. */
    public String nodeOwnerKey(String nodeId) {
        return name("node:owner:" + part(nodeId, "nodeId"));
    }

    /** Pub/sub channel for frames addressed to sockets held by one replica. */
    public String replicaChannel(String replicaId) {
        return name("replica:" + part(replicaId, "replicaId"));
    }

    /** Expiring key refreshed by heartbeats: the node counts as live while it exists. */
    public String nodeLivenessKey(String nodeId) {
        return name("node:live:" + part(nodeId, "nodeId"));
    }

    /** The per-workspace, per-route, per-minute fixed-window counter of §1.5. */
    public String rateLimitKey(String workspaceId, String routeKey, long minute) {
        return name("ratelimit:" + part(workspaceId, "workspaceId") + ":" + part(routeKey, "routeKey") + ":" + minute);
    }

    /** The idempotency record of §1.6, keyed by workspace, actor, route scope and sha256 of the key. */
    public String idempotencyKey(String workspaceId, String actorId, String scope, String keyHash) {
        return name("idem:" + part(workspaceId, "workspaceId") + ":" + part(actorId, "actorId") + ":"
                + part(scope, "scope") + ":" + part(keyHash, "keyHash"));
    }

    private String name(String suffix) {
        return namespace + ":" + suffix;
    }

    private static String part(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " is required");
        }
        return value;
    }
}
