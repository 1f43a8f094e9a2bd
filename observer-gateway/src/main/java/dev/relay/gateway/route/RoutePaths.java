package dev.relay.gateway.route;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Splits request paths into segments the same way for templates and requests. */
final class RoutePaths {

    private RoutePaths() {
    }

    /**
     * "/v1/channels/general" → ["v1", "channels", "general"]. Empty segments are kept so "//" never matches, and a
     * dot segment ("." or "..", also percent-encoded) becomes empty too, so no path can climb out of its route.
     */
    static List<String> segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return Stream.of(trimmed.split("/", -1)).map(RoutePaths::withoutDotSegment).toList();
    }

    private static String withoutDotSegment(String segment) {
        String lower = segment.toLowerCase(Locale.ROOT).replace("%2e", ".");
        return lower.equals(".") || lower.equals("..") ? "" : segment;
    }
}
