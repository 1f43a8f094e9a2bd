package dev.relay.gateway.route;

import java.util.List;
import java.util.Objects;

/**
 * One public route of the contract: a method and a path template whose `:name` segments match any single
 * non-empty segment, the service that owns it, and whether it is a WebSocket endpoint.
 */
public final class PublicRoute {

    private final String method;
    private final String template;
    private final Owner owner;
    private final boolean webSocket;
    private final List<String> templateSegments;
    private final Access access;

    PublicRoute(String method, String template, Owner owner, boolean webSocket, Access access) {
        this.method = Objects.requireNonNull(method);
        this.template = Objects.requireNonNull(template);
        this.owner = Objects.requireNonNull(owner);
        this.webSocket = webSocket;
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("template must start with '/': " + template);
        }
        this.templateSegments = RoutePaths.segments(template);
        this.access = Objects.requireNonNull(access);
    }

    /** Who may call this route. */
    public Access access() {
        return access;
    }

    public String method() {
        return method;
    }

    public String template() {
        return template;
    }

    public Owner owner() {
        return owner;
    }

    public boolean webSocket() {
        return webSocket;
    }

    /** Whether the path, split into its segments, matches the template, whatever the method. */
    boolean matchesPath(List<String> pathSegments) {
        if (templateSegments.size() != pathSegments.size()) {
            return false;
        }
        for (int i = 0; i < templateSegments.size(); i++) {
            String expected = templateSegments.get(i);
            String actual = pathSegments.get(i);
            if (actual.isEmpty() || !(expected.startsWith(":") || expected.equals(actual))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return method + " " + template + " -> " + owner.serviceName();
    }
}
