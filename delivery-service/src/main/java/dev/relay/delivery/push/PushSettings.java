package dev.relay.delivery.push;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How deliveries are POSTed to http_push nodes (contract §6.7). */
@ConfigMapping(prefix = "relay.delivery.push")
public interface PushSettings {

    /** How long one POST may take, connecting included, before it counts as a failure ("timeout after 10s"). */
    @WithDefault("10s")
    Duration timeout();

    /** How long after a POST's claim the row may be POSTed again if that POST failed (contract §6.7: 30 s). */
    @WithDefault("30s")
    Duration retryAfter();

    /** How often queued http_push deliveries whose retry is due are POSTed again (a duration such as `30s`, or `off`). */
    @WithDefault("30s")
    String sweepEvery();

    /** Deliveries one sweep claims and POSTs at most; the next sweep carries on. */
    @WithDefault("100")
    int sweepBatch();
}
