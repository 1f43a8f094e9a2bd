package dev.relay.delivery.support;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * An http_push receiver inside the test: a Vert.x HTTP server on an ephemeral 127.0.0.1 port that records every
 * request (path, headers, raw body) and answers each path as the test told it to (status 200 by default).
 */
public final class Receiver implements AutoCloseable {

    /** One request as received: headers keyed case-insensitively, the body exactly as sent. */
    public record Hit(String path, Map<String, String> headers, String body) {

        public JsonObject json() {
            return new JsonObject(body);
        }

        public String header(String name) {
            return headers.get(name);
        }
    }

    /** How a path answers: after {@code delayMillis}, with this status, content type, body and Location. */
    public record Reply(int status, String contentType, String body, long delayMillis, String location) {

        public static Reply status(int status) {
            return new Reply(status, null, "", 0, null);
        }

        public static Reply json(String body) {
            return new Reply(200, "application/json", body, 0, null);
        }

        public static Reply after(long delayMillis) {
            return new Reply(200, null, "", delayMillis, null);
        }

        public static Reply redirect(String location) {
            return new Reply(302, null, "", 0, location);
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();

    private Receiver(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(this::handle);
    }

    /** The receivers' own Vert.x, apart from the service's: what they do never waits on the service's event loops. */
    private static final Vertx VERTX = Vertx.vertx();

    /** Starts a receiver on an ephemeral port of 127.0.0.1. */
    public static Receiver start() throws Exception {
        Receiver receiver = new Receiver(VERTX);
        receiver.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return receiver;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    /** From now on {@code path} answers with {@code reply}. */
    public void answer(String path, Reply reply) {
        replies.put(path, reply);
    }

    public List<Hit> hits(String path) {
        return hits.stream().filter(hit -> hit.path().equals(path)).toList();
    }

    /** The POSTs of one delivery (by its `X-Relaycast-Delivery` header). */
    public List<Hit> hitsOf(String deliveryId) {
        return hits.stream().filter(hit -> deliveryId.equals(hit.header("X-Relaycast-Delivery"))).toList();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.headers().forEach(header -> headers.put(header.getKey(), header.getValue()));
            hits.add(new Hit(request.path(), headers, body.toString()));
            Reply reply = replies.getOrDefault(request.path(), Reply.status(200));
            Runnable respond = () -> {
                var response = request.response().setStatusCode(reply.status());
                if (reply.contentType() != null) {
                    response.putHeader("Content-Type", reply.contentType());
                }
                if (reply.location() != null) {
                    response.putHeader("Location", reply.location());
                }
                response.end(reply.body());
            };
            if (reply.delayMillis() > 0) {
                vertx.setTimer(reply.delayMillis(), timer -> {
                    if (!request.response().closed()) {
                        respond.run();
                    }
                });
            } else {
                respond.run();
            }
        });
    }

    @Override
    public void close() {
        server.close().toCompletionStage().toCompletableFuture().join();
    }
}
