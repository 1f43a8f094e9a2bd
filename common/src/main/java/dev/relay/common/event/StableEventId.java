package dev.relay.common.event;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The SDK's {@code stableRelaycastEventId} (contract §13), bit for bit: message-bearing events carry this UUID-shaped
 * id and the SDK computes the same one itself to de-duplicate node-delivered events.
 */
public final class StableEventId {

    private static final HexFormat HEX = HexFormat.of();

    private StableEventId() {
    }

    /** The id for {@code parts}; null and blank parts are dropped, surrounding whitespace is trimmed as JS does. */
    public static String of(String... parts) {
        List<String> input = new ArrayList<>();
        input.add("relaycast");
        if (parts != null) {
            for (String part : parts) {
                String trimmed = part == null ? "" : JavaScriptStrings.trim(part);
                if (!trimmed.isEmpty()) {
                    input.add(trimmed);
                }
            }
        }
        if (input.size() == 1) {
            input.add("empty-event");
        }
        return uuid(hash(JavaScriptStrings.stringify(input)));
    }

    private static int[] hash(String input) {
        int h1 = 0xdeadbeef;
        int h2 = 0x41c6ce57;
        int h3 = 0xc0decafe;
        int h4 = 0x9e3779b9;
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            h1 = (h1 ^ c) * (int) 2654435761L;
            h2 = (h2 ^ c) * 1597334677;
            h3 = (h3 ^ c) * (int) 2246822507L;
            h4 = (h4 ^ c) * (int) 3266489909L;
        }
        h1 = (h1 ^ (h1 >>> 16)) * (int) 2246822507L ^ (h2 ^ (h2 >>> 13)) * (int) 3266489909L;
        h2 = (h2 ^ (h2 >>> 16)) * (int) 2246822507L ^ (h3 ^ (h3 >>> 13)) * (int) 3266489909L;
        h3 = (h3 ^ (h3 >>> 16)) * (int) 2246822507L ^ (h4 ^ (h4 >>> 13)) * (int) 3266489909L;
        h4 = (h4 ^ (h4 >>> 16)) * (int) 2246822507L ^ (h1 ^ (h1 >>> 13)) * (int) 3266489909L;
        return new int[]{h1, h2, h3, h4};
    }

    private static String uuid(int[] words) {
        ByteBuffer buffer = ByteBuffer.allocate(16);
        for (int word : words) {
            buffer.putInt(word);
        }
        byte[] bytes = buffer.array();
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x50);
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
        String hex = HEX.formatHex(bytes);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }
}
