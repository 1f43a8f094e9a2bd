package dev.relay.common.id;

import dev.relay.common.token.Tokens;

/**
 * The prefixed id shapes of contract §1.7 (observer tokens, nodes, bindings, deliveries, DMs, …), built in one place
 * so every service derives the same id from the same inputs.
 */
public final class Ids {

    private static final int DM_HASH_LENGTH = 24;

    private Ids() {
    }

    public static String observerTokenId(String snowflake) {
        return "ot_" + require(snowflake, "snowflake");
    }

    public static String nodeId(String snowflake) {
        return "node_" + require(snowflake, "snowflake");
    }

    /** The implicit direct node every agent gets for its own realtime socket. */
    public static String directNodeId(String agentId) {
        return "node_direct_" + require(agentId, "agentId");
    }

    public static String directNodeName(String agentId) {
        return "direct-" + require(agentId, "agentId");
    }

    public static String bindingId(String snowflake) {
        return "anb_" + require(snowflake, "snowflake");
    }

    /** One durable delivery per (message, recipient): the id itself makes a second insert a no-op. */
    public static String deliveryId(String messageId, String agentId) {
        return "del_" + require(messageId, "messageId") + "_" + require(agentId, "agentId");
    }

    /** The {@code delivery_id} of a seq-0 (ephemeral) {@code deliver} frame. */
    public static String ephemeralDeliveryId(String event, String key, String agentId) {
        return "evt_" + require(event, "event") + "_" + require(key, "key") + "_" + require(agentId, "agentId");
    }

    public static String invocationId(String snowflake) {
        return "inv_" + require(snowflake, "snowflake");
    }

    /**
     * The deterministic hash of a 1:1 DM: the first 24 hex chars of sha256("workspace:low:high"), the pair ordered
     * as JavaScript's default sort orders strings (UTF-16 code units, which is also {@link String#compareTo}).
     */
    public static String dmHash(String workspaceId, String agentA, String agentB) {
        require(workspaceId, "workspaceId");
        require(agentA, "agentA");
        require(agentB, "agentB");
        boolean inOrder = agentA.compareTo(agentB) <= 0;
        String low = inOrder ? agentA : agentB;
        String high = inOrder ? agentB : agentA;
        return Tokens.sha256Hex(workspaceId + ":" + low + ":" + high).substring(0, DM_HASH_LENGTH);
    }

    public static String dmConversationId(String dmHash) {
        return "dm_" + require(dmHash, "dmHash");
    }

    /** The id of the hidden channel that carries a 1:1 DM's messages. */
    public static String dmChannelId(String dmHash) {
        return "dmch_" + require(dmHash, "dmHash");
    }

    public static String dmChannelName(String dmHash) {
        return "dm-" + require(dmHash, "dmHash");
    }

    private static String require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
