package dev.relay.workspace.rest;

import java.util.List;

import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;
import dev.relay.workspace.repository.Channel;

/** What an observer's filters (contract §7.2) let it see of channels; other principals see everything. */
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
}
