package dev.relay.delivery.standin;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.auth.PrincipalClaims;
import dev.relay.common.json.RelayJson;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import dev.relay.delivery.standin.StandInLedger.Credential;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

/**
 * A stand-in auth-service on a random port: it publishes an RSA key as JWKS, exchanges delivery-service's secret for
 * a service JWT, and answers the internal credential routes (mint, rotate, revoke-subject) from an in-memory
 * {@link StandInLedger}. Like auth-service, it announces revocations and rotations on the Redis revocation channel,
 * so a deleted or re-enrolled node's sockets close as they would in production.
 */
public class StandInAuthService implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE = "delivery-service";
    public static final String SECRET = "test-secret-delivery-service";

    private static volatile SigningKey key = SigningKey.generate("stand-in");
    private static volatile StandInLedger ledger = new StandInLedger();
    private static final Set<String> SERVICE_JWTS = ConcurrentHashMap.newKeySet();

    private Vertx vertx;
    private RedisAPI redis;

    /** The key the stand-in signs with and publishes. */
    public static SigningKey key() {
        return key;
    }

    /** What the stand-in has been asked and has minted since the application started. */
    public static StandInLedger ledger() {
        return ledger;
    }

    /** Whether {@code authorization} is `Bearer` + a service JWT this stand-in issued (for the other stand-ins). */
    public static boolean isServiceCall(String authorization) {
        return authorization != null && authorization.startsWith("Bearer ")
                && SERVICE_JWTS.contains(authorization.substring("Bearer ".length()));
    }

    @Override
    public Map<String, String> start() {
        key = SigningKey.generate("stand-in-" + UUID.randomUUID().toString().substring(0, 8));
        ledger = new StandInLedger();
        vertx = Vertx.vertx();
        redis = RedisAPI.api(Redis.createClient(vertx, TestRedis.url()));
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create());
        router.get("/.well-known/jwks.json")
                .handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(key.jwks().encode()));
        router.post("/internal/service-tokens").handler(this::exchange);
        router.route("/internal/*").handler(this::requireServiceJwt);
        router.post("/internal/credentials").handler(this::mint);
        router.post("/internal/credentials/revoke-subject").handler(this::revokeSubject);
        router.post("/internal/credentials/:id/rotate").handler(this::rotate);
        router.get("/internal/credentials/:id").handler(this::credential);
        return Map.of("relay.service.auth-url", "http://127.0.0.1:" + listen(vertx, router));
    }

    static int listen(Vertx vertx, Router router) {
        try {
            return vertx.createHttpServer()
                    .requestHandler(router)
                    .listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .actualPort();
        } catch (Exception e) {
            throw new IllegalStateException("a stand-in service did not start", e);
        }
    }

    private void exchange(RoutingContext ctx) {
        JsonObject body = body(ctx, "service-token");
        if (!SERVICE.equals(body.getString("service")) || !SECRET.equals(body.getString("secret"))) {
            fail(ctx, 401, "unauthorized", "Unknown service or wrong service secret");
            return;
        }
        Instant expiresAt = Instant.now().plusSeconds(300);
        String jwt = key.sign(new JsonObject().put("iss", PrincipalClaims.ISSUER)
                .put("aud", PrincipalClaims.SERVICE_AUDIENCE)
                .put("sub", SERVICE)
                .put("iat", Instant.now().getEpochSecond())
                .put("exp", expiresAt.getEpochSecond())
                .put(PrincipalClaims.GROUPS, new JsonArray().add(PrincipalClaims.serviceRole(SERVICE))));
        SERVICE_JWTS.add(jwt);
        respond(ctx, 200, new JsonObject().put("token", jwt).put("expires_at", expiresAt.toString()));
    }

    private void requireServiceJwt(RoutingContext ctx) {
        if (isServiceCall(ctx.request().getHeader("Authorization"))) {
            ctx.next();
        } else {
            fail(ctx, 401, "unauthorized", "A service JWT is required");
        }
    }

    private void mint(RoutingContext ctx) {
        JsonObject body = body(ctx, "mint");
        Optional<TokenKind> kind = TokenKind.fromWireName(body.getString("kind"));
        if (kind.isEmpty() || blank(body.getString("workspace_id")) || blank(body.getString("subject_id"))) {
            fail(ctx, 400, "invalid_request", "kind, workspace_id and subject_id are required");
            return;
        }
        Credential minted = ledger.mint(kind.get(), body.getString("workspace_id"), body.getString("subject_id"),
                body.getString("subject_name"));
        respond(ctx, 201, new JsonObject().put("credential", minted.view()).put("token", minted.token()));
    }

    private void credential(RoutingContext ctx) {
        Optional<Credential> found = ledger.credential(ctx.pathParam("id"));
        if (found.isEmpty()) {
            fail(ctx, 404, "not_found", "No credential " + ctx.pathParam("id"));
            return;
        }
        respond(ctx, 200, found.get().view());
    }

    private void rotate(RoutingContext ctx) {
        body(ctx, "rotate");
        Optional<Credential> rotated = ledger.rotate(ctx.pathParam("id"));
        if (rotated.isEmpty()) {
            fail(ctx, 404, "not_found", "No active credential " + ctx.pathParam("id"));
            return;
        }
        Credential credential = rotated.get();
        announce(CredentialChange.ROTATED, credential, List.of(Tokens.sha256Hex(credential.previousToken())),
                credential.kind() == TokenKind.NODE_TOKEN
                        ? "node_token_rotated"
                        : credential.kind().wireName()
                                + "_rotated")
                .onComplete(published -> respond(ctx, 200, new JsonObject().put("credential", credential.view())
                        .put("token", credential.token())));
    }

    private void revokeSubject(RoutingContext ctx) {
        JsonObject body = body(ctx, "revoke-subject");
        String workspaceId = body.getString("workspace_id");
        String subjectId = body.getString("subject_id");
        if (blank(workspaceId) || blank(subjectId)) {
            fail(ctx, 400, "invalid_request", "workspace_id and subject_id are required");
            return;
        }
        List<Credential> revoked = ledger.revoke(c -> c.workspaceId().equals(workspaceId)
                && c.subjectId().equals(subjectId));
        io.vertx.core.Future<Void> published = io.vertx.core.Future.succeededFuture();
        for (Credential credential : revoked) {
            published = published.compose(ignored -> announce(CredentialChange.REVOKED, credential,
                    List.of(Tokens.sha256Hex(credential.token())), credential.kind() == TokenKind.NODE_TOKEN
                            ? "node_token_revoked"
                            : credential.kind().wireName() + "_revoked"));
        }
        published.onComplete(done -> respond(ctx, 200, new JsonObject().put("revoked", revoked.size())
                .put("credentials", new JsonArray(revoked.stream().map(Credential::view).toList()))));
    }

    /** Publishes the change on the revocation channel, as auth-service's `RevocationPublisher` does. */
    private io.vertx.core.Future<Void> announce(String event, Credential credential, List<String> hashes,
            String reason) {
        try {
            String json = RelayJson.mapper()
                    .writeValueAsString(new CredentialChange(event, credential.id(), credential.kind().wireName(),
                            credential.workspaceId(), credential.subjectId(), hashes, reason, Instant.now()));
            return redis.send(Command.PUBLISH, TestRedis.names().revocationChannel(), json)
                    .<Void>mapEmpty()
                    .recover(e -> io.vertx.core.Future.succeededFuture());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return io.vertx.core.Future.failedFuture(e);
        }
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

    static void respond(RoutingContext ctx, int status, JsonObject data) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("ok", true).put("data", data).encode());
    }

    static void fail(RoutingContext ctx, int status, String code, String message) {
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
