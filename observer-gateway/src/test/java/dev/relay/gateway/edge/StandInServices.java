package dev.relay.gateway.edge;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Stand-ins for auth-, workspace- and delivery-service: each answers every request with a JSON echo naming itself,
 * serves a readiness report that a test can flip, and echoes WebSocket frames, so the gateway's routing and
 * proxying can be tested without the real services (those meet in the end-to-end checks).
 */
public class StandInServices implements QuarkusTestResourceLifecycleManager {

    static final Map<String, Boolean> READY = new ConcurrentHashMap<>();
    static final Map<String, Boolean> DROP_CONNECTIONS = new ConcurrentHashMap<>();
    static final java.util.concurrent.atomic.AtomicInteger VERIFY_CALLS = new java.util.concurrent.atomic.AtomicInteger();

    /** Tokens the stand-in auth-service accepts, with the kind it reports. */
    public static final String AGENT_TOKEN = "at_live_" + "a".repeat(32);
    static final String NODE_TOKEN = "nt_live_" + "c".repeat(48);
    static final String SERVICE_JWT = "stand-in-service-jwt";

    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
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
        if (service.equals("auth-service") && request.path().startsWith("/internal/")) {
            request.body().onSuccess(body -> answerAuth(request, body.toJsonObject()));
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
        } else {
            VERIFY_CALLS.incrementAndGet();
            data = verify(body);
        }
        request.response()
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("ok", true).put("data", data).encode());
    }

    private static JsonObject verify(JsonObject body) {
        String token = body.getString("token");
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
