package dev.relay.gateway.edge;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.relay.common.auth.PrincipalClaims;
import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Stand-ins for auth-, workspace- and delivery-service: each answers every request with a JSON echo naming itself,
 * serves a readiness report that a test can flip, and echoes WebSocket frames, so the gateway's routing and
 * proxying can be tested without the real services (those meet in the end-to-end checks). The auth stand-in also
 * knows observer tokens and workspace keys that tests mint and change ({@link #observer}, {@link #workspaceKey}):
 * it verifies them as auth-service does, signs real principal JWTs for them and publishes its key as JWKS.
 */
public class StandInServices implements QuarkusTestResourceLifecycleManager {

    static final Map<String, Boolean> READY = new ConcurrentHashMap<>();
    static final Map<String, Boolean> DROP_CONNECTIONS = new ConcurrentHashMap<>();
    static final java.util.concurrent.atomic.AtomicInteger VERIFY_CALLS = new java.util.concurrent.atomic.AtomicInteger();

    /** Tokens the stand-in auth-service accepts, with the kind it reports. */
    public static final String AGENT_TOKEN = "at_live_" + "a".repeat(32);
    static final String NODE_TOKEN = "nt_live_" + "c".repeat(48);
    static final String SERVICE_JWT = "stand-in-service-jwt";

    /** Observer tokens and workspace keys the stand-in knows, by raw token. */
    static final Map<String, StandInCredential> CREDENTIALS = new ConcurrentHashMap<>();
    private static volatile TestSigningKey key = TestSigningKey.generate("stand-in");

    /** A credential as the stand-in stores it; tests change it as auth-service's routes would. */
    public static final class StandInCredential {
        public final String id = "cred_" + UUID.randomUUID().toString().substring(0, 8);
        public final String token;
        public final TokenKind kind;
        public final String workspaceId;
        public volatile List<String> scopes;
        public volatile Map<String, Object> filters;
        public volatile boolean revoked;
        public volatile Instant expiresAt;
        public volatile boolean workspaceExpired;
        /** Non-empty for a restricted workspace key. */
        public volatile List<String> capabilities = List.of();

        StandInCredential(TokenKind kind, String workspaceId, List<String> scopes, Map<String, Object> filters) {
            this.token = Tokens.generate(kind);
            this.kind = kind;
            this.workspaceId = workspaceId;
            this.scopes = scopes;
            this.filters = filters;
        }

        public String hash() {
            return Tokens.sha256Hex(token);
        }
    }

    /** An active observer token of the workspace with these scopes and (snake_case) filters. */
    public static StandInCredential observer(String workspaceId, List<String> scopes, Map<String, Object> filters) {
        StandInCredential credential = new StandInCredential(TokenKind.OBSERVER_TOKEN, workspaceId, scopes, filters);
        CREDENTIALS.put(credential.token, credential);
        return credential;
    }

    /** The workspace's key. */
    public static StandInCredential workspaceKey(String workspaceId) {
        StandInCredential credential = new StandInCredential(TokenKind.WORKSPACE_KEY, workspaceId, List.of(),
                Map.of());
        CREDENTIALS.put(credential.token, credential);
        return credential;
    }

    /** A restricted workspace key (a joined machine's) with these capabilities. */
    public static StandInCredential restrictedKey(String workspaceId, List<String> capabilities) {
        StandInCredential credential = workspaceKey(workspaceId);
        credential.capabilities = List.copyOf(capabilities);
        return credential;
    }

    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        key = TestSigningKey.generate("stand-in-" + UUID.randomUUID().toString().substring(0, 8));
        Map<String, String> config = new ConcurrentHashMap<>();
        for (String owner : new String[]{"auth", "workspace", "delivery"}) {
            String service = owner + "-service";
            READY.put(service, true);
            DROP_CONNECTIONS.put(service, false);
            int port = listen(service);
            config.put("relay.gateway." + owner + ".url", "http://127.0.0.1:" + port);
            config.put("relay.gateway." + owner + ".health-url", "http://127.0.0.1:" + port + "/q/health/ready");
            if (owner.equals("auth")) {
                config.put("relay.service.auth-url", "http://127.0.0.1:" + port);
            }
        }
        return config;
    }

    private int listen(String service) {
        HttpServer server = vertx.createHttpServer()
                .webSocketHandler(socket -> {
                    socket.writeTextMessage(new JsonObject().put("owner", service)
                            .put("path", socket.path())
                            .put("principal", socket.headers().get("X-Relay-Principal"))
                            .encode());
                    socket.textMessageHandler(text -> socket.writeTextMessage(service + ":" + text));
                })
                .requestHandler(request -> answer(service, request));
        try {
            return server.listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .actualPort();
        } catch (Exception e) {
            throw new IllegalStateException("stand-in " + service + " did not start", e);
        }
    }

    private static void answer(String service, HttpServerRequest request) {
        if (DROP_CONNECTIONS.get(service)) {
            request.connection().close();
            return;
        }
        if (request.path().equals("/q/health/ready")) {
            boolean up = READY.get(service);
            String check = new JsonObject().put("name", "Database connections health check")
                    .put("status", up ? "UP" : "DOWN")
                    .encode();
            request.response()
                    .setStatusCode(up ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .end("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"checks\":[" + check + "]}");
            return;
        }
        if (service.equals("auth-service") && request.path().equals("/.well-known/jwks.json")) {
            request.response().putHeader("Content-Type", "application/json").end(key.jwks().encode());
            return;
        }
        if (service.equals("auth-service") && request.path().startsWith("/internal/")) {
            request.body()
                    .onSuccess(
                            body -> answerAuth(request, body.length() == 0 ? new JsonObject() : body.toJsonObject()));
            return;
        }
        request.body()
                .onSuccess(body -> request.response()
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("ok", true)
                                .put("data", new JsonObject()
                                        .put("owner", service)
                                        .put("method", request.method().name())
                                        .put("uri", request.uri())
                                        .put("body", body.toString())
                                        .put("authorization", request.getHeader("Authorization"))
                                        .put("principal", request.getHeader("X-Relay-Principal"))
                                        .put("forwarded_for", request.getHeader("X-Forwarded-For")))
                                .encode()));
    }

    /** A minimal auth-service: service-token exchange and verification of the two well-known tokens. */
    private static void answerAuth(HttpServerRequest request, JsonObject body) {
        JsonObject data;
        if (request.path().equals("/internal/service-tokens")) {
            data = new JsonObject().put("token", SERVICE_JWT)
                    .put("expires_at",
                            java.time.Instant.now().plusSeconds(300).toString());
        } else if (!("Bearer " + SERVICE_JWT).equals(request.getHeader("Authorization"))) {
            request.response()
                    .setStatusCode(401)
                    .end(new JsonObject().put("ok", false)
                            .put("error",
                                    new JsonObject().put("code", "unauthorized").put("message", "no service JWT"))
                            .encode());
            return;
        } else if (request.path().startsWith("/internal/credentials/") && request.method().name().equals("GET")) {
            String id = request.path().substring("/internal/credentials/".length());
            StandInCredential found = CREDENTIALS.values()
                    .stream()
                    .filter(c -> c.id.equals(id))
                    .findFirst()
                    .orElse(null);
            if (found == null) {
                request.response()
                        .setStatusCode(404)
                        .end(new JsonObject().put("ok", false)
                                .put("error", new JsonObject().put("code", "not_found").put("message", "no " + id))
                                .encode());
                return;
            }
            data = new JsonObject().put("id", found.id)
                    .put("kind", found.kind.wireName())
                    .put("workspace_id", found.workspaceId)
                    .put("expires_at", found.expiresAt == null ? null : found.expiresAt.toString());
        } else {
            VERIFY_CALLS.incrementAndGet();
            StandInCredential credential = CREDENTIALS.get(body.getString("token"));
            data = credential != null ? verify(credential, body) : verify(body);
        }
        request.response()
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("ok", true).put("data", data).encode());
    }

    /** Verifies a known observer token or workspace key as auth-service does, in its order of checks. */
    private static JsonObject verify(StandInCredential credential, JsonObject body) {
        boolean observer = credential.kind == TokenKind.OBSERVER_TOKEN;
        String invalid = observer ? "observer_token_invalid" : "unauthorized";
        JsonArray kinds = body.getJsonArray("kinds", new JsonArray());
        JsonArray anyScope = body.getJsonArray("any_scope", new JsonArray());
        if (!kinds.isEmpty() && !kinds.contains(credential.kind.wireName())) {
            return refused(credential, "wrong_kind", 401, observer ? "observer_token_forbidden" : "unauthorized",
                    "Cannot be used here");
        }
        if (credential.revoked) {
            return refused(credential, "revoked", 401, invalid, "Token was revoked");
        }
        if (credential.expiresAt != null && !credential.expiresAt.isAfter(Instant.now())) {
            return refused(credential, "expired", 401, invalid, "Token expired at " + credential.expiresAt);
        }
        if (observer && !anyScope.isEmpty() && anyScope.stream().noneMatch(credential.scopes::contains)) {
            return refused(credential, "missing_scope", 403, "insufficient_scope",
                    "Observer token lacks the required scope");
        }
        if (credential.workspaceExpired) {
            return refused(credential, "workspace_expired", 401, "workspace_expired", "Workspace has expired");
        }
        Instant now = Instant.now();
        String hashPrefix = Tokens.hashPrefix(credential.hash());
        String jwt = key.sign(new JsonObject().put("iss", PrincipalClaims.ISSUER)
                .put("aud", PrincipalClaims.PRINCIPAL_AUDIENCE)
                .put("sub", observer ? credential.id : credential.workspaceId)
                .put("iat", now.getEpochSecond())
                .put("exp", now.plusSeconds(60).getEpochSecond())
                .put(PrincipalClaims.KIND, credential.kind.wireName())
                .put(PrincipalClaims.WORKSPACE_ID, credential.workspaceId)
                .put(PrincipalClaims.SUBJECT_NAME, "")
                .put(PrincipalClaims.SCOPES, new JsonArray(credential.scopes))
                .put(PrincipalClaims.FILTERS, new JsonObject(credential.filters))
                .put(PrincipalClaims.CAPABILITIES, new JsonArray(credential.capabilities))
                .put(PrincipalClaims.CREDENTIAL_ID, credential.id)
                .put(PrincipalClaims.HASH_PREFIX, hashPrefix));
        return new JsonObject().put("outcome", "verified")
                .put("kind", credential.kind.wireName())
                .put("hash_prefix", hashPrefix)
                .put("jwt", jwt)
                .put("jwt_expires_at", now.plusSeconds(60).toString())
                .put("principal", new JsonObject().put("workspace_id", credential.workspaceId)
                        .put("credential_id", credential.id)
                        .put("capabilities", new JsonArray(credential.capabilities)));
    }

    private static JsonObject refused(StandInCredential credential, String reason, int status, String code,
            String message) {
        return new JsonObject().put("outcome", "refused")
                .put("reason", reason)
                .put("status", status)
                .put("kind", credential.kind.wireName())
                .put("hash_prefix", Tokens.hashPrefix(credential.hash()))
                .put("error", new JsonObject().put("code", code).put("message", message));
    }

    private static JsonObject verify(JsonObject body) {
        String token = body.getString("token");
        if (token.startsWith(TokenKind.OBSERVER_TOKEN.prefix())) {
            return new JsonObject().put("outcome", "refused")
                    .put("reason", "not_found")
                    .put("status", 401)
                    .put("kind", "observer_token")
                    .put("hash_prefix", "77777777")
                    .put("error", new JsonObject().put("code", "observer_token_invalid")
                            .put("message", "Observer token not recognised"));
        }
        String kind = token.equals(AGENT_TOKEN) ? "agent_token" : token.equals(NODE_TOKEN) ? "node_token" : null;
        if (kind != null && body.getJsonArray("kinds").contains(kind)) {
            return new JsonObject().put("outcome", "verified")
                    .put("kind", kind)
                    .put("hash_prefix", "0123abcd")
                    .put("jwt", "principal-jwt-" + kind)
                    .put("jwt_expires_at", java.time.Instant.now().plusSeconds(60).toString())
                    .put("principal", new JsonObject().put("workspace_id", "w1"));
        }
        boolean wrongKind = kind != null;
        return new JsonObject().put("outcome", "refused")
                .put("reason", wrongKind ? "wrong_kind" : "not_found")
                .put("status", 401)
                .put("kind", kind == null ? "agent_token" : kind)
                .put("hash_prefix", "99999999")
                .put("error", new JsonObject().put("code", wrongKind ? "node_token_forbidden" : "agent_token_invalid")
                        .put("message", wrongKind ? "Node token cannot be used here" : "Agent token not recognised"));
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
