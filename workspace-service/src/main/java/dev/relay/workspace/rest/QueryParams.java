package dev.relay.workspace.rest;

import dev.relay.common.error.RelayException;

/** Query parameters validated the same way on every route: a bad one is a 400 `invalid_request` naming it. */
final class QueryParams {

    private QueryParams() {
    }

    /** `limit`: absent means {@code absent}; otherwise an integer from 1 to {@code max}. */
    static int limit(String raw, int absent, int max) {
        if (raw == null || raw.isBlank()) {
            return absent;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value < 1 || value > max) {
                throw RelayException.badRequest("limit must be between 1 and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw RelayException.badRequest("limit must be an integer");
        }
    }
}
