package dev.relay.delivery.push;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;

/**
 * An http_push node's `delivery` config (contract §6.1), validated: where to POST, when a POST counts as done, and
 * how the receiver recognises the engine. Checked when the node enrols and parsed again for every POST.
 */
public record PushConfig(URI url, AckMode ackMode, PushAuth auth) {

    /** Validates the config; 400 `invalid_node_delivery` naming the first field that is wrong. */
    public static PushConfig of(Map<String, Object> delivery) {
        if (delivery == null || !(delivery.get("url") instanceof String url)) {
            throw invalid("An http_push node needs delivery.url, an http(s) URL");
        }
        Object ackMode = delivery.get("ack_mode");
        if (ackMode != null && !(ackMode instanceof String)) {
            throw invalid("delivery.ack_mode must be one of manual, on_2xx, response");
        }
        AckMode mode = ackMode == null
                ? AckMode.MANUAL
                : AckMode.of((String) ackMode)
                        .orElseThrow(() -> invalid("delivery.ack_mode must be one of manual, on_2xx, response"));
        Object useProxy = delivery.get("use_proxy");
        if (useProxy != null && !(useProxy instanceof Boolean)) {
            throw invalid("delivery.use_proxy must be a boolean");
        }
        if (Boolean.TRUE.equals(useProxy)) {
            throw invalid("delivery.use_proxy is not available: this engine has no egress proxy; POSTs go to "
                    + "delivery.url directly");
        }
        return new PushConfig(uri(url), mode, PushAuth.of(delivery.get("auth")));
    }

    private static URI uri(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw invalid("delivery.url must be an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid("delivery.url is not a valid URL");
        }
    }

    private static RelayException invalid(String message) {
        return new RelayException(ErrorCode.INVALID_NODE_DELIVERY, message);
    }
}
