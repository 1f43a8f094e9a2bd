package dev.relay.workspace.service;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.json.RelayJson;

/** Stores free-form JSON objects (metadata, capabilities) as text and reads them back exactly. */
public final class JsonText {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private JsonText() {
    }

    public static String write(Map<String, Object> value) {
        try {
            return RelayJson.mapper().writeValueAsString(value == null ? Map.of() : value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be stored as JSON", e);
        }
    }

    public static Map<String, Object> read(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        try {
            return RelayJson.mapper().readValue(text, OBJECT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is corrupt", e);
        }
    }

    /**
     * A request body that may be absent: empty means no fields; otherwise it must be a JSON object (400 `invalid_json`
     * when it is not JSON, 400 `invalid_request` when it is JSON but not an object).
     */
    public static Map<String, Object> readBody(String body) {
        if (body == null || body.isBlank()) {
            return Map.of();
        }
        com.fasterxml.jackson.databind.JsonNode tree;
        try {
            tree = RelayJson.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new RelayException(ErrorCode.INVALID_JSON, "Malformed JSON in request body");
        }
        if (!tree.isObject()) {
            throw RelayException.badRequest("The request body must be a JSON object");
        }
        return RelayJson.mapper().convertValue(tree, OBJECT);
    }
}
