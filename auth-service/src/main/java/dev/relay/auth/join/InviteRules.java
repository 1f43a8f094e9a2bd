package dev.relay.auth.join;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.relay.common.auth.Capability;
import dev.relay.common.error.RelayException;

/**
 * The body of {@code POST /v1/workspace/invites}, validated: a strict object of {@code label}, {@code capabilities},
 * {@code expires_in} or {@code expires_at}, and {@code max_uses}.
 */
public record InviteRules(String label, List<String> capabilities, Instant expiresAt, int maxUses) {

    static final Duration LONGEST = Duration.ofDays(30);
    static final int MOST_USES = 100;
    private static final Set<String> FIELDS = Set.of("label", "capabilities", "expires_in", "expires_at",
            "max_uses");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})\\s*([smhd])");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Reads {@code body}; every field is optional, unknown fields are refused. */
    public static InviteRules read(Map<String, Object> body, Instant now, Duration defaultTtl) {
        for (String field : body.keySet()) {
            if (!FIELDS.contains(field)) {
                throw RelayException.badRequest("Unknown field '" + field + "'; an invite takes "
                        + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        if (body.containsKey("expires_in") && body.containsKey("expires_at")) {
            throw RelayException.badRequest("Give expires_in or expires_at, not both");
        }
        Instant expiresAt = body.containsKey("expires_at")
                ? expiresAt(body.get("expires_at"), now)
                : now.plus(body.containsKey("expires_in") ? expiresIn(body.get("expires_in")) : defaultTtl);
        if (expiresAt.isAfter(now.plus(LONGEST))) {
            throw RelayException.badRequest("An invite may live at most 30 days");
        }
        return new InviteRules(label(body.get("label")), capabilities(body.get("capabilities")), expiresAt,
                maxUses(body.get("max_uses")));
    }

    private static String label(Object raw) {
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof String label) || !LABEL.matcher(label).matches()) {
            throw RelayException.badRequest("label must be 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit (it becomes the machine's broker instance name)");
        }
        return label;
    }

    private static List<String> capabilities(Object raw) {
        if (raw == null) {
            return Capability.machineWireNames();
        }
        if (!(raw instanceof List<?> list) || list.isEmpty()) {
            throw RelayException.badRequest("capabilities must be a non-empty array of capability names");
        }
        Set<String> granted = new LinkedHashSet<>();
        for (Object item : list) {
            Capability capability = item instanceof String name ? Capability.fromWireName(name).orElse(null) : null;
            if (capability == null || !Capability.MACHINE.contains(capability)) {
                throw RelayException.badRequest("Capability '" + item + "' cannot be granted by an invite; it may "
                        + "grant " + String.join(", ", Capability.machineWireNames()));
            }
            granted.add(capability.wireName());
        }
        return new ArrayList<>(granted);
    }

    private static Duration expiresIn(Object raw) {
        if (raw instanceof Integer || raw instanceof Long) {
            long seconds = ((Number) raw).longValue();
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } else if (raw instanceof String text) {
            Matcher m = DURATION.matcher(text.trim());
            if (m.matches() && Long.parseLong(m.group(1)) > 0) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
        }
        throw RelayException.badRequest("expires_in must be a positive number of seconds or a duration such as "
                + "\"90m\", \"24h\" or \"7d\"");
    }

    private static Instant expiresAt(Object raw, Instant now) {
        try {
            Instant at = raw instanceof String text ? Instant.parse(text) : null;
            if (at != null && at.isAfter(now)) {
                return at;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw RelayException.badRequest("expires_at must be a future ISO-8601 timestamp such as "
                + "\"2026-12-01T09:00:00Z\"");
    }

    private static int maxUses(Object raw) {
        if (raw == null) {
            return 1;
        }
        if ((raw instanceof Integer || raw instanceof Long) && ((Number) raw).longValue() >= 1
                && ((Number) raw).longValue() <= MOST_USES) {
            return ((Number) raw).intValue();
        }
        throw RelayException.badRequest("max_uses must be a whole number from 1 to " + MOST_USES);
    }
}
