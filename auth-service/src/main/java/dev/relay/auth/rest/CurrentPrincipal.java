package dev.relay.auth.rest;

import jakarta.enterprise.context.RequestScoped;

import dev.relay.common.auth.Principal;

/** The caller of the current public request, as the gateway's principal JWT says. */
@RequestScoped
public class CurrentPrincipal {

    private Principal principal;

    public Principal get() {
        if (principal == null) {
            throw new IllegalStateException("no principal on this request");
        }
        return principal;
    }

    void set(Principal principal) {
        this.principal = principal;
    }
}
