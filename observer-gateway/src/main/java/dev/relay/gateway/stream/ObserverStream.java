package dev.relay.gateway.stream;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import dev.relay.gateway.auth.EdgeVerdict;
import dev.relay.gateway.route.Access;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * `GET /v1/ws`, the workspace observer stream (contract §5.1), once the edge has authenticated the upgrade: binds the
 * socket to the principal its token verified as, joins it to its workspace's events, then upgrades. Refusals from
 * here on (auth-service's keys or Redis unavailable) are answered by the edge before the upgrade.
 */
@ApplicationScoped
public class ObserverStream {

    private final PrincipalReader principals;
    private final ObserverSessions sessions;

    ObserverStream(PrincipalReader principals, ObserverSessions sessions) {
        this.principals = principals;
        this.sessions = sessions;
    }

    /**
     * Opens the stream for a verified token; completes (on the request's context) once the socket is upgraded, or
     * fails with the {@link RelayException} the edge should answer with.
     */
    public Future<Void> open(HttpServerRequest request, EdgeVerdict.Allowed allowed, String token, Access access) {
        Context context = Vertx.currentContext();
        Promise<Void> opened = Promise.promise();
        String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        principals.read(allowed.jwt()).subscribe().with(principal -> context.runOnContext(ignored -> {
            if (principal.kind() != TokenKind.OBSERVER_TOKEN && principal.kind() != TokenKind.WORKSPACE_KEY) {
                opened.fail(new RelayException(ErrorCode.INVALID_TOKEN, "Only an observer token (ot_live_...) or "
                        + "the workspace key can open the workspace stream"));
                return;
            }
            sessions.open(token, principal, access, remote, context)
                    .onSuccess(socket -> upgrade(request, socket, principal, remote, opened))
                    .onFailure(failure -> {
                        Log.warnf("observer stream: cannot join workspace %s: %s", principal.workspaceId(),
                                failure.getMessage());
                        opened.fail(new RelayException(ErrorCode.HANDLER_UNAVAILABLE, "The workspace event stream "
                                + "is unavailable; try again shortly"));
                    });
        }), failure -> context.runOnContext(ignored -> {
            Log.warnf("observer stream: cannot read the principal JWT: %s", failure.getMessage());
            opened.fail(new RelayException(ErrorCode.HANDLER_UNAVAILABLE, "Cannot verify the token's principal "
                    + "yet; try again shortly"));
        }));
        return opened.future();
    }

    private static void upgrade(HttpServerRequest request, ObserverSocket socket, Principal principal, String remote,
            Promise<Void> opened) {
        request.toWebSocket().onSuccess(upgraded -> {
            socket.upgraded(upgraded);
            Log.infof("observer.socket_opened workspace=%s kind=%s hash=%s connection=%s remote=%s",
                    principal.workspaceId(), principal.kind().wireName(), principal.hashPrefix(), socket.connectionId,
                    remote);
            opened.complete();
        }).onFailure(failure -> {
            socket.discard();
            Log.infof("observer stream: upgrade of %s failed: %s", socket.connectionId, failure.getMessage());
            opened.complete(); // the connection is gone or answered; nothing is left to say on it
        });
    }
}
