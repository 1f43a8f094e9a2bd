package dev.relay.workspace.service;

import java.math.BigInteger;

import dev.relay.common.token.Tokens;

/**
 * The deterministic identity of a 1:1 conversation (contract §1.7): {@code h} is the first 24 hex characters of
 * sha256("workspaceId:low:high") over the sorted pair, giving conversation `dm_<h>`, backing channel `dmch_<h>` named
 * `dm-<h>`. The pair is sorted numerically: snowflake ids are decimal strings of varying length.
 */
public record DmPair(String low, String high, String hash) {

    public static DmPair of(String workspaceId, String agentA, String agentB) {
        boolean aFirst = compare(agentA, agentB) <= 0;
        String low = aFirst ? agentA : agentB;
        String high = aFirst ? agentB : agentA;
        return new DmPair(low, high, Tokens.sha256Hex(workspaceId + ":" + low + ":" + high).substring(0, 24));
    }

    public String conversationId() {
        return "dm_" + hash;
    }

    public String channelId() {
        return "dmch_" + hash;
    }

    public String channelName() {
        return "dm-" + hash;
    }

    /**
     * The conversation a DM channel backs: a 1:1's `dmch_<h>` backs `dm_<h>`; a group's conversation id is its channel
     * id.
     */
    public static String conversationOf(String channelId) {
        return channelId.startsWith("dmch_") ? "dm_" + channelId.substring("dmch_".length()) : channelId;
    }

    /** Numeric order of decimal ids; anything that is not a decimal number sorts by its text after those that are. */
    static int compare(String a, String b) {
        boolean aNumber = a.matches("\\d+");
        boolean bNumber = b.matches("\\d+");
        if (aNumber && bNumber) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (aNumber != bNumber) {
            return aNumber ? -1 : 1;
        }
        return a.compareTo(b);
    }
}
