package dev.relay.workspace.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.workspace.service.MessageService.Post;

/**
 * Validation of DM request bodies (contract §3.7) and the fingerprints their `Idempotency-Key` is checked against:
 * for DMs the fingerprint leaves out `mode` unless it is `steer`, as the engine's historical one did (§1.6).
 */
final class DmRequests {

    private static final int MAX_TEXT = 100_000;

    private DmRequests() {
    }

    /** A DM: whom to and what. */
    record Direct(String to, Post post, Map<String, Object> fingerprint) {
    }

    /** A message to a conversation. */
    record ToConversation(Post post, Map<String, Object> fingerprint) {
    }

    /** A new group conversation. */
    record Group(List<String> participants, String name, Map<String, Object> fingerprint) {
    }

    static Direct direct(Map<String, Object> body) {
        Map<String, Object> fields = body == null ? Map.of() : body;
        if (!(fields.get("to") instanceof String to) || to.isBlank()) {
            throw RelayException.badRequest("\"to\" agent name is required");
        }
        Post post = post(fields);
        Map<String, Object> fingerprint = fingerprint(post);
        fingerprint.put("to", to);
        return new Direct(to, post, fingerprint);
    }

    static ToConversation toConversation(Map<String, Object> body) {
        Post post = post(body == null ? Map.of() : body);
        return new ToConversation(post, fingerprint(post));
    }

    static Group group(Map<String, Object> body) {
        Map<String, Object> fields = body == null ? Map.of() : body;
        if (!(fields.get("participants") instanceof List<?> names) || names.isEmpty()
                || !names.stream().allMatch(name -> name instanceof String s && !s.isBlank())) {
            throw RelayException.badRequest("participants array is required with at least 1 member");
        }
        Object name = fields.get("name");
        if (name != null && !(name instanceof String)) {
            throw RelayException.badRequest("name must be a string");
        }
        List<String> participants = names.stream().map(String.class::cast).distinct().toList();
        Map<String, Object> fingerprint = new LinkedHashMap<>();
        fingerprint.put("participants", names);
        if (name != null) {
            fingerprint.put("name", name);
        }
        return new Group(participants, (String) name, fingerprint);
    }

    static String agentName(Map<String, Object> body) {
        if (body == null || !(body.get("agent_name") instanceof String name) || name.isBlank()) {
            throw RelayException.badRequest("agent_name is required");
        }
        return name;
    }

    private static Post post(Map<String, Object> fields) {
        if (!(fields.get("text") instanceof String text) || text.isEmpty()) {
            throw RelayException.badRequest("text is required");
        }
        if (text.length() > MAX_TEXT) {
            throw RelayException.badRequest("text must be at most " + MAX_TEXT + " characters");
        }
        Object attachments = fields.get("attachments");
        if (attachments != null && !(attachments instanceof List<?> list
                && list.stream().allMatch(String.class::isInstance))) {
            throw RelayException.badRequest("attachments must be an array of file ids");
        }
        if (attachments instanceof List<?> list && !list.isEmpty()) {
            throw new RelayException(ErrorCode.INVALID_ATTACHMENTS, "Attachments are not supported by this engine "
                    + "yet: it has no file routes");
        }
        Object mode = fields.getOrDefault("mode", "wait");
        if (!"wait".equals(mode) && !"steer".equals(mode)) {
            throw RelayException.badRequest("mode must be \"wait\" or \"steer\"");
        }
        return new Post(text, null, Map.of(), (String) mode);
    }

    private static Map<String, Object> fingerprint(Post post) {
        Map<String, Object> fingerprint = new LinkedHashMap<>();
        fingerprint.put("text", post.text());
        if ("steer".equals(post.mode())) {
            fingerprint.put("mode", "steer");
        }
        return fingerprint;
    }
}
