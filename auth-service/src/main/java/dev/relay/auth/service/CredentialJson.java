package dev.relay.auth.service;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.relay.auth.repository.Credential;
import dev.relay.common.auth.Principal;
import dev.relay.common.json.RelayJson;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;

/** Converts between a stored credential's JSON columns and the typed values the services work with. */
public final class CredentialJson {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private CredentialJson() {
    }

    static Principal principal(Credential credential, TokenKind kind, String presentedHash) {
        return new Principal(kind, credential.workspaceId, credential.subjectId, credential.subjectName,
                strings(credential.scopes), object(credential.filters), strings(credential.capabilities), credential.id,
                Tokens.hashPrefix(presentedHash), credential.displayPrefix);
    }

    public static List<String> strings(String json) {
        return read(json, STRINGS, List.of());
    }

    public static Map<String, Object> object(String json) {
        return read(json, OBJECT, Map.of());
    }

    public static String json(Object value) {
        try {
            return RelayJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot store " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type, T empty) {
        if (json == null || json.isBlank()) {
            return empty;
        }
        try {
            return RelayJson.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON column is corrupt", e);
        }
    }
}
