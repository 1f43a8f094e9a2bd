package dev.relay.auth.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.relay.auth.config.AuthConfig;
import dev.relay.common.auth.Principal;
import dev.relay.common.auth.PrincipalClaims;
import io.smallrye.jwt.build.Jwt;

/**
 * Signs the system's JWTs: principal JWTs (a verified caller, at most 60 s) and service JWTs.
 * <p>
 * An RSA signature is most of a verification's cost, so a principal JWT is reused for the same principal (same
 * credential, token hash prefix, scopes, filters and signing key) during the first half of its life. This never
 * outlives a revocation: every verification still checks the credential in the database first, and only a token
 * that passes gets a JWT, fresh or reused, with at least half its lifetime left.
 */
@ApplicationScoped
public class JwtIssuer {

    private static final Duration MAX_PRINCIPAL_TTL = Duration.ofSeconds(60);

    private final SigningKeys keys;
    private final Duration principalTtl;
    private final Duration serviceTtl;
    private final Cache<Reuse, SignedJwt> recent;

    /** What a reused principal JWT must match: the principal's every claim and the key that would sign it now. */
    private record Reuse(Principal principal, String keyId) {
    }

    JwtIssuer(SigningKeys keys, AuthConfig config) {
        this.keys = keys;
        Duration configured = config.jwt().principalTtl();
        this.principalTtl = configured.compareTo(MAX_PRINCIPAL_TTL) > 0 ? MAX_PRINCIPAL_TTL : configured;
        this.serviceTtl = config.jwt().serviceTtl();
        this.recent = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(principalTtl.dividedBy(2))
                .build();
    }

    /** A signed principal JWT and the instant it expires. */
    public record SignedJwt(String token, Instant expiresAt) {
    }

    /** A principal JWT for a caller just verified: a recent one for the same principal, or a freshly signed one. */
    public SignedJwt principal(Principal principal, Instant now) {
        Reuse key = new Reuse(principal, keys.currentKeyId());
        SignedJwt recentJwt = recent.getIfPresent(key);
        if (recentJwt != null && recentJwt.expiresAt().isAfter(now.plus(principalTtl.dividedBy(2)))) {
            return recentJwt;
        }
        SignedJwt fresh = sign(principal, now);
        recent.put(key, fresh);
        return fresh;
    }

    private SignedJwt sign(Principal principal, Instant now) {
        Instant expiresAt = now.plus(principalTtl);
        String token = Jwt.issuer(PrincipalClaims.ISSUER)
                .audience(PrincipalClaims.PRINCIPAL_AUDIENCE)
                .subject(principal.subjectId())
                .issuedAt(now)
                .expiresAt(expiresAt)
                .groups(Set.of("principal", PrincipalClaims.kindRole(principal.kind().wireName())))
                .claim(PrincipalClaims.KIND, principal.kind().wireName())
                .claim(PrincipalClaims.WORKSPACE_ID, principal.workspaceId())
                .claim(PrincipalClaims.SUBJECT_NAME, principal.subjectName() == null ? "" : principal.subjectName())
                .claim(PrincipalClaims.SCOPES, principal.scopes())
                .claim(PrincipalClaims.FILTERS, principal.filters())
                .claim(PrincipalClaims.CAPABILITIES, principal.capabilities())
                .claim(PrincipalClaims.CREDENTIAL_ID, principal.credentialId())
                .claim(PrincipalClaims.HASH_PREFIX, principal.hashPrefix())
                .claim(PrincipalClaims.DISPLAY_PREFIX,
                        principal.displayPrefix() == null ? "" : principal.displayPrefix())
                .jws()
                .keyId(keys.currentKeyId())
                .sign(keys.privateKey());
        return new SignedJwt(token, expiresAt);
    }

    public SignedJwt service(String serviceName, Instant now) {
        Instant expiresAt = now.plus(serviceTtl);
        String token = Jwt.issuer(PrincipalClaims.ISSUER)
                .audience(PrincipalClaims.SERVICE_AUDIENCE)
                .subject(serviceName)
                .issuedAt(now)
                .expiresAt(expiresAt)
                .groups(Set.of(PrincipalClaims.serviceRole(serviceName)))
                .claim(PrincipalClaims.SCOPES, List.of())
                .jws()
                .keyId(keys.currentKeyId())
                .sign(keys.privateKey());
        return new SignedJwt(token, expiresAt);
    }
}
