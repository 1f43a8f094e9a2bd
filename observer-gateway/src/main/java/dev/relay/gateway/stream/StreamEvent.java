package dev.relay.gateway.stream;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.relay.common.json.RelayJson;

/**
 * One workspace event as the observer stream sends it (contract §5.1): the client shape of §8.1 with `type`, `seq` and
 * `created_at` (and `channel_id` when known) on top. Parsed and encoded once per replica, filtered per socket.
 *
 * @param frame the frame as a map, what {@link dev.relay.common.event.ObserverEventFilter} reads
 * @param text  the frame as JSON text, what every socket that may see it is sent
 * @param bytes the size of {@code text} in UTF-8, what it weighs in a socket's write buffer
 */
record StreamEvent(String workspaceId, long seq, String type, Map<String, Object> frame, String text, int bytes) {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    /**
     * The event in a message of a workspace channel, as workspace-service's outbox publishes it:
     * `{"event_id","workspace_id","seq","type","payload":{...}}`; empty when the message is not such an event.
     */
    static Optional<StreamEvent> parse(String message) {
        Map<String, Object> published;
        try {
            published = RelayJson.mapper().readValue(message, OBJECT);
        } catch (Exception e) {
            return Optional.empty();
        }
        if (!(published.get("workspace_id") instanceof String workspaceId)
                || !(published.get("seq") instanceof Number seq) || !(published.get("type") instanceof String type)
                || !(published.get("payload") instanceof Map<?, ?> payload)) {
            return Optional.empty();
        }
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", type);
        payload.forEach((key, value) -> frame.putIfAbsent(String.valueOf(key), value));
        frame.put("seq", seq.longValue()); // the stream's cursor wins over any `seq` of the event's own
        if (frame.get("created_at") == null) {
            Object createdAt = published.get("created_at");
            frame.put("created_at", createdAt != null ? createdAt : Instant.now().toString());
        }
        if (frame.get("channel_id") == null && published.get("channel_id") instanceof String channelId
                && !channelId.isEmpty()) {
            frame.put("channel_id", channelId);
        }
        String text;
        try {
            text = RelayJson.mapper().writeValueAsString(frame);
        } catch (Exception e) {
            return Optional.empty();
        }
        return Optional.of(new StreamEvent(workspaceId, seq.longValue(), type, Collections.unmodifiableMap(frame),
                text, text.getBytes(StandardCharsets.UTF_8).length));
    }
}
