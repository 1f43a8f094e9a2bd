package dev.relay.gateway.stream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;
import dev.relay.gateway.route.Access;

/**
 * The open sockets of one token on this replica, and what the token currently allows them: verified again as one
 * (periodically, on a broadcast update, at its expiry), however many sockets share it.
 */
final class TokenSession {

    final String tokenHash;
    /** The raw token, kept in memory only, to verify it again at auth-service; never logged. */
    final String token;
    final Access access;
    final String remoteHost;
    final Set<ObserverSocket> sockets = ConcurrentHashMap.newKeySet();
    /** Set while a verification runs whose answer the next events must wait for. */
    private volatile boolean verifying;
    private volatile Principal principal;
    private volatile StreamRules.View view;
    /** When the token is due to be verified again, in epoch milliseconds. */
    volatile long nextCheckAt;
    final AtomicBoolean checking = new AtomicBoolean();
    /** The timer that fires at the credential's `expires_at`, or -1. */
    volatile long expiryTimer = -1;

    TokenSession(String tokenHash, String token, Access access, String remoteHost, Principal principal,
            long nextCheckAt) {
        this.tokenHash = tokenHash;
        this.token = token;
        this.access = access;
        this.remoteHost = remoteHost;
        this.nextCheckAt = nextCheckAt;
        apply(principal);
    }

    /** What a fresh verification said about the token: its scopes and filters apply from the next event on. */
    void apply(Principal verified) {
        this.principal = verified;
        this.view = StreamRules.View.of(verified);
    }

    Principal principal() {
        return principal;
    }

    StreamRules.View view() {
        return view;
    }

    boolean verifying() {
        return verifying;
    }

    void verifying(boolean value) {
        this.verifying = value;
    }

    String workspaceId() {
        return principal.workspaceId();
    }

    TokenKind kind() {
        return principal.kind();
    }

    String credentialId() {
        return principal.credentialId();
    }

    String hashPrefix() {
        return principal.hashPrefix();
    }
}
