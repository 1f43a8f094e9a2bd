package dev.relay.gateway.stream;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.auth.RevocationFeedGap;
import dev.relay.common.auth.Principal;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.internal.ServiceJwtClient;
import dev.relay.common.token.Tokens;
import dev.relay.common.ws.CloseCode;
import dev.relay.gateway.auth.EdgeAuthenticator;
import dev.relay.gateway.auth.EdgeVerdict;
import dev.relay.gateway.config.GatewayConfig;
import dev.relay.gateway.route.Access;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

/**
 * This replica's observer sockets, grouped by the token they were opened with, and everything that can withdraw them
 * (contract §5.1, §7.3): a revocation or rotation broadcast closes them at once; an update broadcast, the credential's
 * `expires_at` and a periodic check verify the token again at auth-service (once per token, however many sockets
 * share it) and either apply its current scopes and filters or close the sockets with the catalogued code.
 */
@ApplicationScoped
public class ObserverSessions {

    /** How often sessions are looked at for a due check; the checks themselves follow the configured interval. */
    private static final long TICK_MS = 250;

    private final Vertx vertx;
    private final EdgeAuthenticator authenticator;
    private final PrincipalReader principals;
    private final ServiceJwtClient internal;
    private final WorkspaceFanout fanout;
    private final GatewayConfig config;
    private final MeterRegistry metrics;
    private final Map<String, TokenSession> byHash = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private long ticker = -1;

    ObserverSessions(Vertx vertx, EdgeAuthenticator authenticator, PrincipalReader principals,
            ServiceJwtClient internal, WorkspaceFanout fanout, GatewayConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.authenticator = authenticator;
        this.principals = principals;
        this.internal = internal;
        this.fanout = fanout;
        this.config = config;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        principals.loadKeys();
        ticker = vertx.setPeriodic(TICK_MS, ignored -> checkDue());
        metrics.gauge("relay.observer.sockets", open);
        metrics.gauge("relay.observer.subscriptions", fanout, WorkspaceFanout::subscriptions);
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(ticker);
        byHash.values().forEach(session -> closeAll(session, CloseCode.SERVER_SHUTDOWN));
    }

    /**
     * A socket for a token just verified at the edge, joined to its workspace's events: the future completes once
     * this replica's subscription is confirmed, so nothing published from then on is missed.
     */
    Future<ObserverSocket> open(String token, Principal principal, Access access, String remoteHost,
            Context context) {
        String hash = Tokens.sha256Hex(token);
        long maxBuffered = config.stream().maxBufferedBytes().asLongValue();
        ObserverSocket[] created = new ObserverSocket[1];
        boolean[] fresh = new boolean[1];
        byHash.compute(hash, (key, existing) -> {
            TokenSession session = existing;
            if (session == null) {
                session = new TokenSession(hash, token, access, remoteHost, principal, nextCheck());
                fresh[0] = true;
            }
            created[0] = new ObserverSocket(session, context, maxBuffered, this);
            session.sockets.add(created[0]);
            return session;
        });
        open.incrementAndGet();
        ObserverSocket socket = created[0];
        if (fresh[0]) {
            watchExpiry(socket.session);
        }
        Promise<ObserverSocket> joined = Promise.promise();
        fanout.join(principal.workspaceId(), socket)
                .onComplete(result -> context.runOnContext(ignored -> {
                    if (result.succeeded()) {
                        joined.complete(socket);
                    } else {
                        detach(socket, null);
                        joined.fail(result.cause());
                    }
                }));
        return joined.future();
    }

    /** The socket closed ({@code code} null: by the client, or before it was upgraded). */
    void detach(ObserverSocket socket, CloseCode code) {
        TokenSession session = socket.session;
        boolean[] last = new boolean[1];
        byHash.computeIfPresent(session.tokenHash, (key, current) -> {
            if (current != session || !current.sockets.remove(socket)) {
                return current;
            }
            open.decrementAndGet();
            last[0] = current.sockets.isEmpty();
            return last[0] ? null : current;
        });
        if (last[0] && session.expiryTimer >= 0) {
            vertx.cancelTimer(session.expiryTimer);
        }
        fanout.leave(session.workspaceId(), socket);
        if (code != null) {
            metrics.counter("relay.observer.closes", "reason", code.reason()).increment();
        }
    }

    /** Sockets open on this replica. */
    int openSockets() {
        return open.get();
    }

    // --- broadcasts -------------------------------------------------------------------------------------------------

    void onCredentialChange(@Observes CredentialChange change) {
        for (String hash : change.tokenHashes()) {
            TokenSession session = byHash.get(hash);
            if (session == null) {
                continue;
            }
            switch (change.event()) {
                case CredentialChange.REVOKED, CredentialChange.ROTATED ->
                    closeAll(session, StreamRules.closeFor(change, session.kind()));
                default -> {
                    // updated: scopes, filters or expiry changed; hold the next events until the token says what
                    session.verifying(true);
                    verify(session);
                    watchExpiry(session);
                }
            }
        }
        if (CredentialChange.REVOKED.equals(change.event()) && change.credentialId() != null) {
            // every secret of a revoked credential is withdrawn, whichever of its hashes the broadcast listed
            byHash.values()
                    .stream()
                    .filter(session -> change.credentialId().equals(session.credentialId()))
                    .forEach(session -> closeAll(session, StreamRules.closeFor(change, session.kind())));
        }
    }

    /** Revocation broadcasts may have been missed: every socket's token is verified again now. */
    void onRevocationFeedGap(@Observes RevocationFeedGap gap) {
        for (TokenSession session : byHash.values()) {
            session.verifying(true);
            verify(session);
        }
    }

    // --- verifying the token again ----------------------------------------------------------------------------------

    private void checkDue() {
        long now = System.currentTimeMillis();
        for (TokenSession session : byHash.values()) {
            if (now >= session.nextCheckAt) {
                verify(session);
            }
        }
    }

    private void verify(TokenSession session) {
        if (!session.checking.compareAndSet(false, true)) {
            session.nextCheckAt = 0; // an answer already on its way may predate what asked for this one: ask again
            return;
        }
        session.nextCheckAt = nextCheck();
        authenticator.verifyNow(session.token, session.access, session.remoteHost)
                .subscribe()
                .with(verdict -> {
                    switch (verdict) {
                        case EdgeVerdict.Allowed allowed -> principals.read(allowed.jwt())
                                .subscribe()
                                .with(principal -> settled(session, principal), failure -> {
                                    Log.warnf("observer stream: cannot read the principal of %s: %s",
                                            session.hashPrefix(), failure.getMessage());
                                    settled(session, null);
                                });
                        case EdgeVerdict.Denied denied -> {
                            RefusalReason reason = RefusalReason.fromWireName(denied.reason())
                                    .orElse(RefusalReason.REVOKED);
                            session.checking.set(false);
                            closeAll(session, StreamRules.closeFor(reason, session.kind()));
                        }
                    }
                }, failure -> {
                    Log.warnf("observer stream: cannot verify token %s again (%s); its sockets stay open",
                            session.hashPrefix(), failure.getMessage());
                    settled(session, null);
                });
    }

    /** The check is over: its principal (if any) applies, and events held for it go out. */
    private void settled(TokenSession session, Principal principal) {
        if (principal != null) {
            session.apply(principal);
        }
        session.checking.set(false);
        if (session.nextCheckAt == 0) {
            verify(session); // asked for again meanwhile: events held for it keep waiting for that answer
            return;
        }
        session.verifying(false);
        session.sockets.forEach(ObserverSocket::release);
    }

    private long nextCheck() {
        return System.currentTimeMillis() + config.stream().revalidateInterval().toMillis();
    }

    /** Verifies the token again the moment its credential expires, so its sockets close within the second. */
    private void watchExpiry(TokenSession session) {
        if (session.credentialId() == null) {
            return;
        }
        String path = "/internal/credentials/" + URLEncoder.encode(session.credentialId(), StandardCharsets.UTF_8);
        internal.call(HttpMethod.GET, config.auth().url(), path, null).subscribe().with(credential -> {
            String expiresAt = credential.getString("expires_at");
            if (session.expiryTimer >= 0) {
                vertx.cancelTimer(session.expiryTimer);
                session.expiryTimer = -1;
            }
            if (expiresAt == null || session.sockets.isEmpty()) {
                return;
            }
            long delay = Math.max(1, Instant.parse(expiresAt).toEpochMilli() - System.currentTimeMillis() + 1);
            session.expiryTimer = vertx.setTimer(delay, ignored -> {
                session.expiryTimer = -1;
                verify(session);
            });
        }, failure -> Log.debugf("observer stream: no expiry for credential %s (%s); periodic checks cover it",
                session.credentialId(), failure.getMessage()));
    }

    private static void closeAll(TokenSession session, CloseCode code) {
        List.copyOf(session.sockets).forEach(socket -> socket.closeLater(code));
    }
}
