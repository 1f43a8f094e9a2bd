package dev.relay.delivery.push;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * http_push tests: receivers run on 127.0.0.1 inside the test (private targets allowed), a POST times out after 1 s, a
 * failed one is due again after 45 s (not the default 30 s, so the setting is seen to apply), and mailboxes hold 4
 * active rows so the depth cap is reached quickly.
 */
public class PushProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("relay.delivery.allow-private-push-targets", "true", "relay.delivery.push.timeout", "1s",
                "relay.delivery.push.retry-after", "45s", "relay.delivery.mailbox-depth-cap", "4");
    }
}
