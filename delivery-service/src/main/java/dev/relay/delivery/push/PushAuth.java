package dev.relay.delivery.push;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;

/**
 * How an http_push node's receiver recognises the engine (contract §6.1 `delivery.auth`, §6.7): the headers each
 * POST carries besides the engine's own. Parsed once from the stored config, which keeps the real secrets (they sign
 * every request); reads of the node show them redacted.
 */
public sealed interface PushAuth {

    /** The auth headers of one POST whose body is {@code body}, sent at {@code timestamp} (the body's ISO string). */
    Map<String, String> headers(String timestamp, String body);

    /** `{type:"none"}`, the default: no auth header. */
    record None() implements PushAuth {
        @Override
        public Map<String, String> headers(String timestamp, String body) {
            return Map.of();
        }
    }

    /** `{type:"bearer", token}`: `Authorization: Bearer <token>`. */
    record Bearer(String token) implements PushAuth {
        @Override
        public Map<String, String> headers(String timestamp, String body) {
            return Map.of("Authorization", "Bearer " + token);
        }
    }

    /** `{type:"static_headers", headers}`: those headers, names as given. */
    record StaticHeaders(Map<String, String> values) implements PushAuth {
        @Override
        public Map<String, String> headers(String timestamp, String body) {
            return values;
        }
    }

    /**
     * `{type:"hmac_sha256", ...}`: the timestamp header, and the signature header holding the prefix and the
     * lower-case hex HMAC-SHA256 (key: the secret's UTF-8 bytes) of `<timestamp>.<body>` or of the body alone.
     */
    record Hmac(String secret, String signatureHeader, String timestampHeader, boolean timestampDotBody,
            String prefix) implements PushAuth {

        @Override
        public Map<String, String> headers(String timestamp, String body) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(timestampHeader, timestamp);
            headers.put(signatureHeader, prefix + sign(timestampDotBody ? timestamp + "." + body : body));
            return headers;
        }

        private String sign(String payload) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }
    }

    /** An HTTP header name (RFC 9110 token). */
    Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers the engine sets itself; a node cannot replace them. */
    Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection", "content-type",
            "x-relaycast-event", "x-relaycast-delivery");

    /** Validates `delivery.auth` (absent or null: none); 400 `invalid_node_delivery` saying what is wrong. */
    static PushAuth of(Object raw) {
        if (raw == null) {
            return new None();
        }
        if (!(raw instanceof Map<?, ?> auth)) {
            throw invalid("delivery.auth must be an object");
        }
        return switch (auth.get("type") instanceof String type ? type : "") {
            case "none" -> new None();
            case "bearer" -> new Bearer(value(auth, "token", "delivery.auth.token"));
            case "static_headers" -> new StaticHeaders(staticHeaders(auth.get("headers")));
            case "hmac_sha256" -> hmac(auth);
            default -> throw invalid("delivery.auth.type must be one of none, bearer, static_headers, hmac_sha256");
        };
    }

    private static Hmac hmac(Map<?, ?> auth) {
        Object encoding = auth.get("encoding");
        if (encoding != null && !"hex".equals(encoding)) {
            throw invalid("delivery.auth.encoding must be hex");
        }
        Object signed = auth.get("signed_payload");
        if (signed != null && !"body".equals(signed) && !"timestamp.body".equals(signed)) {
            throw invalid("delivery.auth.signed_payload must be body or timestamp.body");
        }
        String prefix = auth.get("prefix") == null ? "sha256=" : value(auth, "prefix", "delivery.auth.prefix", true);
        return new Hmac(value(auth, "secret", "delivery.auth.secret"),
                headerName(auth.get("signature_header"), "X-Relaycast-Signature", "delivery.auth.signature_header"),
                headerName(auth.get("timestamp_header"), "X-Relaycast-Timestamp", "delivery.auth.timestamp_header"),
                !"body".equals(signed), prefix);
    }

    private static Map<String, String> staticHeaders(Object raw) {
        if (!(raw instanceof Map<?, ?> headers) || headers.isEmpty()) {
            throw invalid("delivery.auth.headers must be an object of header names to values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            String header = headerName(name, null, "a delivery.auth.headers name");
            if (!(value instanceof String text) || !safeValue(text)) {
                throw invalid("delivery.auth.headers." + header + " must be a string without CR, LF or NUL");
            }
            values.put(header, text);
        });
        return values;
    }

    private static String headerName(Object raw, String fallback, String what) {
        if (raw == null && fallback != null) {
            return fallback;
        }
        if (!(raw instanceof String name) || !TOKEN.matcher(name).matches()) {
            throw invalid(what + " must be an HTTP header name");
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw invalid(what + " '" + name + "' is set by the engine itself");
        }
        return name;
    }

    private static String value(Map<?, ?> auth, String key, String what) {
        return value(auth, key, what, false);
    }

    private static String value(Map<?, ?> auth, String key, String what, boolean emptyAllowed) {
        if (!(auth.get(key) instanceof String text) || (!emptyAllowed && text.isEmpty()) || !safeValue(text)) {
            throw invalid(what + " must be a " + (emptyAllowed ? "" : "non-empty ") + "string without CR, LF or NUL");
        }
        return text;
    }

    private static boolean safeValue(String text) {
        return text.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0);
    }

    private static RelayException invalid(String message) {
        return new RelayException(ErrorCode.INVALID_NODE_DELIVERY, message);
    }
}
