package dev.relay.auth.rest;

import jakarta.enterprise.context.RequestScoped;

/** The service whose JWT authenticated the current `/internal` request. */
@RequestScoped
public class CallingService {

    private String name = "unknown";

    public String name() {
        return name;
    }

    void authenticated(String serviceName) {
        this.name = serviceName;
    }
}
