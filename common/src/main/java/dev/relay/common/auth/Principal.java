package dev.relay.common.auth;

import java.util.List;
import java.util.Map;

import dev.relay.common.token.TokenKind;

/**
 * Who is calling, as auth-service established it from a token: the only identity services act on. Carried inside
 * the principal JWT; services never see the raw token.
 *
 * @param capabilities what a restricted workspace key may do; empty for every other kind and for the full key
 * @param displayPrefix the token's kind prefix and first secret characters (e.g. {@code rk_live_3f9a}), safe to show
 */
public record Principal(TokenKind kind, String workspaceId, String subjectId, String subjectName, List<String> scopes,
        Map<String, Object> filters, List<String> capabilities, String credentialId, String hashPrefix,
        String displayPrefix) {

    public Principal {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        filters = filters == null ? Map.of() : Map.copyOf(filters);
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }

    /** Whether an observer holds at least one of the scopes; other kinds are not scope-limited. */
    public boolean hasAnyScope(List<String> required) {
        return kind != TokenKind.OBSERVER_TOKEN || required.isEmpty() || required.stream().anyMatch(scopes::contains);
    }
}
