package dev.relay.gateway.route;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.relay.common.auth.Capability;
import dev.relay.common.token.TokenKind;

/**
 * Who may call a route (contract §2.3): public, or a set of token kinds, observer tokens only with one of the listed
 * scopes. Written as the contract's legend: "W A O:messages:read" = workspace key, agent token, or an observer token
 * with messages:read; "N" = node token; "O:*" = an observer token with any scope; "-" = public; "W?" = optional
 * workspace key. A plain "W" takes the full (admin) workspace key only; "W:agents:register" also takes a restricted
 * key that has that capability.
 *
 * @param keyCapability what a restricted workspace key needs here: {@link Capability#ADMIN} unless the legend names
 *                      one of the machine capabilities
 */
public record Access(boolean isPublic, boolean optional, Set<TokenKind> kinds, List<String> observerScopes,
        Capability keyCapability) {

    public static final Access PUBLIC = new Access(true, false, Set.of(), List.of(), Capability.ADMIN);

    public static Access parse(String legend) {
        if (legend.equals("-")) {
            return PUBLIC;
        }
        Set<TokenKind> kinds = EnumSet.noneOf(TokenKind.class);
        List<String> scopes = new ArrayList<>();
        boolean optional = false;
        Capability capability = Capability.ADMIN;
        for (String part : legend.split(" ")) {
            if (part.endsWith("?")) {
                optional = true;
                part = part.substring(0, part.length() - 1);
            }
            switch (part) {
                case "W" -> kinds.add(TokenKind.WORKSPACE_KEY);
                case String w when w.startsWith("W:") -> {
                    kinds.add(TokenKind.WORKSPACE_KEY);
                    capability = Capability.fromWireName(w.substring(2))
                            .orElseThrow(() -> new IllegalArgumentException("unknown capability in '" + w + "'"));
                }
                case "A" -> kinds.add(TokenKind.AGENT_TOKEN);
                case "N" -> kinds.add(TokenKind.NODE_TOKEN);
                case "O:*" -> kinds.add(TokenKind.OBSERVER_TOKEN);
                default -> {
                    if (!part.startsWith("O:")) {
                        throw new IllegalArgumentException("unknown access legend '" + part + "'");
                    }
                    kinds.add(TokenKind.OBSERVER_TOKEN);
                    scopes.add(part.substring(2));
                }
            }
        }
        return new Access(false, optional, Set.copyOf(kinds), List.copyOf(scopes), capability);
    }

    /** A stable key of what this access requires, for caching verifications per requirement. */
    public String cacheKey() {
        return kinds.stream().map(TokenKind::wireName).sorted().toList() + "/" + observerScopes.stream()
                .sorted()
                .toList();
    }
}
