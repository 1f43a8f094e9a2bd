package dev.relay.auth.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import dev.relay.auth.config.AuthConfig;
import dev.relay.auth.service.JwtIssuer;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.Tokens;
import dev.relay.common.wire.Success;
import io.quarkus.logging.Log;

/** `POST /internal/service-tokens`: a service exchanges its service secret for a short-lived service JWT. */
@Path("/internal/service-tokens")
public class ServiceTokenResource {

    private final AuthConfig config;
    private final JwtIssuer jwts;
    private final Clock clock;

    ServiceTokenResource(AuthConfig config, JwtIssuer jwts, Clock clock) {
        this.config = config;
        this.jwts = jwts;
        this.clock = clock;
    }

    public record ExchangeBody(@NotBlank String service, @NotBlank String secret) {
    }

    public record ServiceToken(String token, Instant expiresAt) {
    }

    @POST
    public Success<ServiceToken> exchange(@Valid @NotNull ExchangeBody body) {
        String expected = config.serviceSecretHashes().get(body.service());
        byte[] presented = Tokens.sha256Hex(body.secret()).getBytes(StandardCharsets.US_ASCII);
        if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), presented)) {
            Log.warnf("auth.service_token_refused service=%s reason=%s", body.service(),
                    expected == null ? "unknown_service" : "wrong_secret");
            throw new RelayException(ErrorCode.UNAUTHORIZED, "Unknown service or wrong service secret");
        }
        JwtIssuer.SignedJwt jwt = jwts.service(body.service(), clock.instant());
        return Success.of(new ServiceToken(jwt.token(), jwt.expiresAt()));
    }
}
