package dev.relay.workspace.standin;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.relay.common.auth.PrincipalClaims;
import dev.relay.common.token.TokenKind;
import dev.relay.workspace.standin.StandInLedger.Credential;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A stand-in auth-service on a random port: it publishes an RSA key as JWKS, exchanges workspace-service's secret
 * for a service JWT, and answers the internal credential routes from an in-memory {@link StandInLedger}, so the
 * service can be tested without the real neighbour (they meet in `compat/`).
 */
public class StandInAuthService implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE = "workspace-service";
    public static final String SECRET = "test-secret-workspace-service";

    private static volatile SigningKey key = SigningKey.generate("stand-in");
    private static volatile StandInLedger ledger = new StandInLedger();
    private static final Set<String> SERVICE_JWTS = ConcurrentHashMap.newKeySet();

    private Vertx vertx;

    /** The key the stand-in signs with and publishes. */
    public static SigningKey key() {
        return key;
    }

    /** What the stand-in has been asked and has minted since the application started. */
    public static StandInLedger ledger() {
        return ledger;
    }

    @Override
    public Map<String, String> start() {
        key = SigningKey.generate("stand-in-" + UUID.randomUUID().toString().substring(0, 8));
        ledger = new StandInLedger();
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create());
        router.get("/.well-known/jwks.json")
                .handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(key.jwks().encode()));
        router.post("/internal/service-tokens").handler(this::exchange);
        router.route("/internal/*").handler(this::requireServiceJwt);
        router.post("/internal/credentials").handler(this::mint);
        router.post("/internal/credentials/revoke-subject").handler(ctx -> revoke(ctx, "revoke-subject"));
        router.post("/internal/credentials/revoke-workspace").handler(ctx -> revoke(ctx, "revoke-workspace"));
        router.post("/internal/credentials/:id/rotate").handler(this::rotate);
        router.put("/internal/workspaces/:id/expiry").handler(this::expiry);
        return Map.of("relay.service.auth-url", "http://127.0.0.1:" + listen(router));
    }

    private int listen(Router router) {
        try {
            return vertx.createHttpServer()
                    .requestHandler(router)
                    .listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .actualPort();
        } catch (Exception e) {
            throw new IllegalStateException("the stand-in auth-service did not start", e);
        }
    }

    private void exchange(RoutingContext ctx) {
        JsonObject body = body(ctx, "service-token");
        if (!SERVICE.equals(body.getString("service")) || !SECRET.equals(body.getString("secret"))) {
            fail(ctx, 401, "unauthorized", "Unknown service or wrong service secret");
            return;
        }
        Instant expiresAt = Instant.now().plusSeconds(300);
        String jwt = key.sign(Jwt.issuer(PrincipalClaims.ISSUER)
                .audience(PrincipalClaims.SERVICE_AUDIENCE)
                .subject(SERVICE)
                .expiresAt(expiresAt)
                .groups(PrincipalClaims.serviceRole(SERVICE)));
        SERVICE_JWTS.add(jwt);
        respond(ctx, 200, new JsonObject().put("token", jwt).put("expires_at", expiresAt.toString()));
    }

    private void requireServiceJwt(RoutingContext ctx) {
        String authorization = Optional.ofNullable(ctx.request().getHeader("Authorization")).orElse("");
        if (authorization.startsWith("Bearer ") && SERVICE_JWTS.contains(authorization.substring(7))) {
            ctx.next();
        } else {
            fail(ctx, 401, "unauthorized", "A service JWT is required");
        }
    }

    private void mint(RoutingContext ctx) {
        JsonObject body = body(ctx, "mint");
        Optional<TokenKind> kind = TokenKind.fromWireName(body.getString("kind"));
        if (ledger.takeMintFailure()) {
            fail(ctx, 500, "internal_error", "Internal server error (ref standin1)");
        } else if (kind.isEmpty() || blank(body.getString("workspace_id")) || blank(body.getString("subject_id"))) {
            fail(ctx, 400, "invalid_request", "kind, workspace_id and subject_id are required");
        } else {
            Credential minted = ledger.mint(kind.get(), body.getString("workspace_id"), body.getString("subject_id"),
                    body.getString("subject_name"));
            JsonObject data = new JsonObject().put("credential", minted.view()).put("token", minted.token());
            vertx.setTimer(Math.max(1, ledger.mintDelay().toMillis()), timer -> respond(ctx, 201, data));
        }
    }

    private void rotate(RoutingContext ctx) {
        body(ctx, "rotate");
        ledger.rotate(ctx.pathParam("id"))
                .ifPresentOrElse(rotated -> respond(ctx, 200, new JsonObject().put("credential", rotated.view())
                        .put("token", rotated.token())),
                        () -> fail(ctx, 404, "not_found", "No active credential " + ctx.pathParam("id")));
    }

    private void revoke(RoutingContext ctx, String route) {
        JsonObject body = body(ctx, route);
        String workspaceId = body.getString("workspace_id");
        String subjectId = body.getString("subject_id");
        if (blank(workspaceId) || (route.equals("revoke-subject") && blank(subjectId))) {
            fail(ctx, 400, "invalid_request", "workspace_id (and subject_id) are required");
            return;
        }
        List<Credential> revoked = ledger.revoke(c -> c.workspaceId().equals(workspaceId)
                && (subjectId == null || c.subjectId().equals(subjectId)));
        respond(ctx, 200, new JsonObject().put("revoked", revoked.size())
                .put("credentials", new JsonArray(revoked.stream().map(Credential::view).toList())));
    }

    private void expiry(RoutingContext ctx) {
        body(ctx, "expiry");
        ctx.response().setStatusCode(204).end();
    }

    /** The request's JSON body, recorded under {@code route}; a malformed body is recorded as `{}`. */
    private static JsonObject body(RoutingContext ctx, String route) {
        JsonObject body;
        try {
            body = Optional.ofNullable(ctx.body().asJsonObject()).orElseGet(JsonObject::new);
        } catch (DecodeException e) {
            body = new JsonObject();
        }
        ledger.record(route, ctx.request().path(), body);
        return body;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static void respond(RoutingContext ctx, int status, JsonObject data) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("ok", true).put("data", data).encode());
    }

    private static void fail(RoutingContext ctx, int status, String code, String message) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("ok", false)
                        .put("error", new JsonObject().put("code", code).put("message", message))
                        .encode());
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
