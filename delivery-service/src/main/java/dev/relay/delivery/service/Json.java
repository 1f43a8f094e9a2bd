package dev.relay.delivery.service;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.relay.common.json.RelayJson;

/** JSON stored as text columns (capabilities, tags, delivery config, event data), written and read back exactly. */
public final class Json {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final TypeReference<List<Object>> ARRAY = new TypeReference<>() {
    };

    private Json() {
    }

    public static String write(Object value) {
        try {
            return RelayJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be stored as JSON", e);
        }
    }

    public static Map<String, Object> object(String text) {
        return text == null || text.isBlank() ? null : read(text, OBJECT);
    }

    public static List<Object> array(String text) {
        return text == null || text.isBlank() ? List.of() : read(text, ARRAY);
    }

    private static <T> T read(String text, TypeReference<T> type) {
        try {
            return RelayJson.mapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is corrupt", e);
        }
    }
}
