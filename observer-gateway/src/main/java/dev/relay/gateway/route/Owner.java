package dev.relay.gateway.route;

/** The service that answers a public route; the gateway itself owns the observer stream. */
public enum Owner {
    AUTH_SERVICE("auth-service"),
    WORKSPACE_SERVICE("workspace-service"),
    DELIVERY_SERVICE("delivery-service"),
    GATEWAY("observer-gateway");

    private final String serviceName;

    Owner(String serviceName) {
        this.serviceName = serviceName;
    }

    /** The service's name as operators see it in logs, `/health` and `./relay status`. */
    public String serviceName() {
        return serviceName;
    }
}
