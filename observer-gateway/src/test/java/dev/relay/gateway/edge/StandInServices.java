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

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
