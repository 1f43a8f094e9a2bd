package dev.relay.delivery.ws;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.relay.common.auth.AuthKeys;
import dev.relay.common.auth.JwtVerifier;
import dev.relay.common.auth.Principal;
import dev.relay.common.auth.RefusalReason;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.json.RelayJson;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.Failure;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * `GET /v1/node/ws` (contract §5.2): authenticates the upgrade from the principal JWT the gateway forwards, refuses
 * with the HTTP error envelope before upgrading (a 401 is the only refusal a broker acts on, by minting a new node
 * token), then hands the socket to a {@link NodeConnection}.
 */
@ApplicationScoped
public class NodeSocketServer {

    public static final String PATH = "/v1/node/ws";

    private final JwtVerifier verifier;
    private final NodeSockets sockets;

    NodeSocketServer(AuthKeys keys, NodeSockets sockets) {
        this.verifier = keys.verifier();
        this.sockets = sockets;
    }

    void routes(@Observes Router router) {
        router.get(PATH).order(-10).handler(this::upgrade);
    }

    private void upgrade(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!isUpgrade(request)) {
            ctx.response().putHeader(HttpHeaders.UPGRADE, "websocket");
            refuse(ctx, ErrorCode.UPGRADE_REQUIRED, "Expected WebSocket upgrade", "not_an_upgrade");
            return;
        }
        Principal principal;
        try {
            principal = principal(request);
        } catch (RelayException e) {
            refuse(ctx, e.code(), e.getMessage(), "invalid_principal");
            return;
        }
        request.pause();
        Context context = Vertx.currentContext();
        sockets.nodes().byId(principal.subjectId()).subscribe().with(node -> context.runOnContext(ignored -> {
            if (!node.workspaceId().equals(principal.workspaceId())) {
                refuse(ctx, ErrorCode.NODE_TOKEN_INVALID, "Node token does not belong to this node's workspace",
                        "workspace_mismatch");
                return;
            }
            request.toWebSocket().onSuccess(socket -> {
                NodeConnection connection = new NodeConnection(socket, Vertx.currentContext(), principal, sockets);
                sockets.attach(connection);
                socket.textMessageHandler(connection::onText);
                socket.binaryMessageHandler(buffer -> connection.send(io.vertx.core.json.JsonObject.of("v", 1,
                        "type", "error", "ok", false, "id", "srv_binary", "code", "invalid_message", "message",
                        "frames are JSON text messages")));
                socket.closeHandler(ignored2 -> sockets.detach(connection));
                socket.exceptionHandler(failure -> Log.debugf("node socket %s: %s", connection, failure.getMessage()));
                Log.infof("node.socket_opened node=%s workspace=%s connection=%s hash=%s", principal.subjectId(),
                        principal.workspaceId(), connection.connectionId, principal.hashPrefix());
            }).onFailure(failure -> Log.warnf("node socket upgrade failed: %s", failure.getMessage()));
        }), failure -> context.runOnContext(ignored -> {
            if (failure instanceof RelayException e && e.code() == ErrorCode.NODE_NOT_FOUND) {
                refuse(ctx, ErrorCode.NODE_TOKEN_INVALID, "Node " + principal.subjectId() + " was deleted; enrol it "
                        + "again with POST /v1/nodes", "node_deleted");
            } else {
                Log.errorf(failure, "node socket: looking up node %s failed", principal.subjectId());
                refuse(ctx, ErrorCode.HANDLER_UNAVAILABLE, "The node service is unavailable; try again shortly",
                        "lookup_failed");
            }
        }));
    }

    private Principal principal(HttpServerRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw new RelayException(ErrorCode.UNAUTHORIZED, "Missing node token");
        }
        Principal principal = verifier.principal(authorization.substring("Bearer ".length()).trim());
        if (principal.kind() != TokenKind.NODE_TOKEN) {
            throw new RelayException(RefusalReason.WRONG_KIND.errorCode(Optional.of(principal.kind())),
                    "The node socket takes a node token (nt_live_...), not a " + principal.kind().displayName());
        }
        return principal;
    }

    private static void refuse(RoutingContext ctx, ErrorCode code, String message, String reason) {
        Log.infof("node.socket_refused reason=%s code=%s remote=%s", reason, code.code(),
                ctx.request().remoteAddress());
        try {
            ctx.response()
                    .setStatusCode(code.status())
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(RelayJson.mapper().writeValueAsString(Failure.of(code.code(), message)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.response().setStatusCode(code.status()).end();
        }
    }

    private static boolean isUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        String connection = request.getHeader(HttpHeaders.CONNECTION);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket") && connection != null
                && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }
}
