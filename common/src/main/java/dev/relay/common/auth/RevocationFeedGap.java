package dev.relay.common.auth;

/**
 * Fired (as a CDI event) when the revocation subscription was lost and is back: broadcasts sent meanwhile were missed,
 * so whatever trusts a cached verification must verify again.
 *
 * @param downMillis how long the subscription was gone
 */
public record RevocationFeedGap(long downMillis) {
}
