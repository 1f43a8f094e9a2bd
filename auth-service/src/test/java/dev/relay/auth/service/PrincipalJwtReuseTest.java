package dev.relay.auth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;
import io.quarkus.test.junit.QuarkusTest;

/** A verified caller's principal JWT is reused only for the very same principal and only while half its life is left. */
@QuarkusTest
class PrincipalJwtReuseTest {

    @Inject
    JwtIssuer issuer;

    private static Principal agent(String hashPrefix, List<String> scopes) {
        return new Principal(TokenKind.AGENT_TOKEN, "ws_reuse", "agent_1", "alice", scopes, Map.of(), List.of(),
                "cred_reuse_" + hashPrefix, hashPrefix, "at_live_aaaa");
    }

    @Test
    void theSamePrincipalGetsTheSameJwtWhileHalfItsLifeIsLeft() {
        Instant now = Instant.now();
        JwtIssuer.SignedJwt first = issuer.principal(agent("aaaa0001", List.of()), now);
        JwtIssuer.SignedJwt again = issuer.principal(agent("aaaa0001", List.of()), now.plusSeconds(10));
        assertEquals(first.token(), again.token());
        assertTrue(Duration.between(now.plusSeconds(10), again.expiresAt()).toSeconds() >= 30);
    }

    @Test
    void aJwtPastHalfItsLifeIsNotReused() {
        Instant now = Instant.now();
        JwtIssuer.SignedJwt first = issuer.principal(agent("aaaa0002", List.of()), now);
        JwtIssuer.SignedJwt later = issuer.principal(agent("aaaa0002", List.of()), now.plusSeconds(31));
        assertNotEquals(first.token(), later.token());
        assertEquals(now.plusSeconds(31).plusSeconds(60), later.expiresAt());
    }

    @Test
    void anyDifferenceInThePrincipalSignsAFreshJwt() {
        Instant now = Instant.now();
        JwtIssuer.SignedJwt first = issuer.principal(agent("aaaa0003", List.of()), now);
        assertNotEquals(first.token(), issuer.principal(agent("aaaa0004", List.of()), now).token(),
                "another token (hash prefix) of the credential");
        Principal narrowed = new Principal(TokenKind.OBSERVER_TOKEN, "ws_reuse", "ot_1", "o", List.of("stream:read"),
                Map.of(), List.of(), "cred_o", "bbbb0001", "ot_live_bbbb");
        Principal widened = new Principal(TokenKind.OBSERVER_TOKEN, "ws_reuse", "ot_1", "o",
                List.of("stream:read", "messages:read"), Map.of(), List.of(), "cred_o", "bbbb0001", "ot_live_bbbb");
        assertNotEquals(issuer.principal(narrowed, now).token(), issuer.principal(widened, now).token(),
                "changed scopes");
    }
}
