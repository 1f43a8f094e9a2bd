package dev.relay.workspace.rest;

import java.util.List;

import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;

/**
 * What an observer may see of DM conversations (contract §7.2): only with `include_dms` and the `dms:read` scope,
 * and with `dm_conversation_ids` only those; other principals are not filtered here.
 */
final class DmVisibility {

    static final String SCOPE = "dms:read";

    private DmVisibility() {
    }

    static boolean conversation(Principal principal, String conversationId) {
        if (principal.kind() != TokenKind.OBSERVER_TOKEN) {
            return true;
        }
        if (!Boolean.TRUE.equals(principal.filters().get("include_dms")) || !principal.scopes().contains(SCOPE)) {
            return false;
        }
        return !(principal.filters().get("dm_conversation_ids") instanceof List<?> ids) || ids.isEmpty()
                || ids.contains(conversationId);
    }
}
