package dev.relay.auth.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything auth-service is configured with. */
@ConfigMapping(prefix = "relay.auth")
public interface AuthConfig {

    /** Signing of principal and service JWTs. */
    Jwt jwt();

    /**
     * The services allowed to exchange a service secret for a service JWT: service name → SHA-256 hex of its secret.
     * Only hashes are configured here; each service holds its own raw secret.
     */
    Map<String, String> serviceSecretHashes();

    /** A verified credential's `last_used_at` is written at most once per this window. */
    @WithDefault("30s")
    Duration lastUsedDebounce();

    /** How often the uses recorded since the last write are written, all in one statement. */
    @WithDefault("1s")
    Duration lastUsedFlushEvery();

    /** The audit table's retention; older rows are pruned by a scheduled job. */
    @WithDefault("30d")
    Duration auditRetention();

    /** How often the audit prune runs (a duration such as `1h`, or `off`). */
    @WithDefault("1h")
    String auditPruneEvery();

    /** How long a join code lives when its creator does not say (at most 30 days either way). */
    @WithDefault("24h")
    Duration inviteTtl();

    /**
     * The engine's public base URL, handed to a machine redeeming a join code. When unset, the URL the redeeming
     * client used to reach the gateway is handed back.
     */
    Optional<String> publicUrl();

    /** Signing keys and lifetimes. */
    interface Jwt {

        /** PEM (PKCS#8) RSA private key that signs every JWT; takes precedence over {@link #privateKeyFile()}. */
        Optional<String> privateKey();

        /** Path of the PEM RSA private key, when not given inline. */
        Optional<String> privateKeyFile();

        /** PEM public key of the previous signing key, still published and accepted during a key rotation. */
        Optional<String> previousPublicKeyFile();

        /** Lifetime of a principal JWT; the contract caps it at 60 seconds. */
        @WithDefault("60s")
        Duration principalTtl();

        /** Lifetime of a service JWT. */
        @WithDefault("5m")
        Duration serviceTtl();
    }
}
