package dev.relay.auth.rest;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import dev.relay.auth.service.SigningKeys;

/** `GET /.well-known/jwks.json`: the public keys every service verifies JWTs with (current and previous). */
@Path("/.well-known/jwks.json")
public class JwksResource {

    private final SigningKeys keys;

    JwksResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    public Map<String, Object> jwks() {
        return keys.jwks();
    }
}
