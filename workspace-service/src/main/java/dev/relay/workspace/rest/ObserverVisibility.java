package dev.relay.workspace.rest;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;
import dev.relay.workspace.repository.Channel;
import dev.relay.workspace.repository.Message;

/** What an observer's filters (contract §7.2) let it see of channels and messages; other principals see everything. */
final class ObserverVisibility {

    private ObserverVisibility() {
    }

    /** Observers with `channel_ids` or `channel_names` see only those channels; DM channels never pass. */
    static boolean channel(Principal principal, Channel channel) {
        if (principal.kind() != TokenKind.OBSERVER_TOKEN) {
            return true;
        }
        if (channel.channelType != 0) {
            return false;
        }
        Object ids = principal.filters().get("channel_ids");
        Object names = principal.filters().get("channel_names");
        if (ids == null && names == null) {
            return true;
        }
        return (ids instanceof List<?> idList && idList.contains(channel.id))
                || (names instanceof List<?> nameList && nameList.contains(channel.name));
    }

    /** A message: its author must pass `agent_ids`, and its creation time `created_after`. */
    static boolean message(Principal principal, Message message) {
        if (principal.kind() != TokenKind.OBSERVER_TOKEN) {
            return true;
        }
        boolean author = !(principal.filters().get("agent_ids") instanceof List<?> ids) || ids.isEmpty()
                || ids.contains(message.agentId);
        return author && createdAfter(principal.filters().get("created_after"), message.createdAt);
    }

    private static boolean createdAfter(Object cutoff, Instant createdAt) {
        if (!(cutoff instanceof String text)) {
            return true;
        }
        try {
            return !createdAt.isBefore(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
