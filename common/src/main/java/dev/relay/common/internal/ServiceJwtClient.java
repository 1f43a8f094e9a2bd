package dev.relay.common.internal;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Holds this service's service JWT: exchanges the service secret at auth-service, caches the JWT until shortly before
 * it expires, and calls other services' `/internal` routes with it.
 */
@ApplicationScoped
public class ServiceJwtClient {

    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(30);

    private final HttpClient client;
    private final URI authUrl;
    private final String serviceName;
    private final String secret;
    private final AtomicReference<CachedJwt> cached = new AtomicReference<>();

    private record CachedJwt(String token, Instant renewAt) {
    }

    ServiceJwtClient(Vertx vertx, @ConfigProperty(name = "relay.service.auth-url") URI authUrl,
            @ConfigProperty(name = "quarkus.application.name") String serviceName,
            @ConfigProperty(name = "relay.service.secret") String secret) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000)
                .setMaxPoolSize(32)
                .setKeepAlive(true));
        this.authUrl = authUrl;
        this.serviceName = serviceName;
        this.secret = secret;
    }

    /** POSTs a JSON body to an `/internal` route of the service at {@code baseUrl}; answers the envelope's data. */
    public Uni<JsonObject> post(URI baseUrl, String path, JsonObject body) {
        return call(HttpMethod.POST, baseUrl, path, body);
    }

    /** Calls an `/internal` route with any method ({@code body} null sends none); a 204 answers an empty object. */
    public Uni<JsonObject> call(HttpMethod method, URI baseUrl, String path, JsonObject body) {
        return jwt().flatMap(jwt -> send(method, baseUrl, path, body, jwt));
    }

    /** A valid service JWT, from the cache or freshly exchanged. */
    public Uni<String> jwt() {
        CachedJwt current = cached.get();
        if (current != null && Instant.now().isBefore(current.renewAt())) {
            return Uni.createFrom().item(current.token());
        }
        JsonObject exchange = new JsonObject(Map.of("service", serviceName, "secret", secret));
        return send(HttpMethod.POST, authUrl, "/internal/service-tokens", exchange, null).map(data -> {
            String token = data.getString("token");
            Instant expiresAt = Instant.parse(data.getString("expires_at"));
            cached.set(new CachedJwt(token, expiresAt.minus(RENEW_BEFORE_EXPIRY)));
            return token;
        });
    }

    private Uni<JsonObject> send(HttpMethod method, URI baseUrl, String path, JsonObject body, String jwt) {
        RequestOptions options = new RequestOptions().setMethod(method)
                .setAbsoluteURI(baseUrl.resolve(path).toString())
                .setTimeout(5_000)
                .putHeader("Content-Type", "application/json");
        if (jwt != null) {
            options.putHeader("Authorization", "Bearer " + jwt);
        }
        return Uni.createFrom()
                .completionStage(() -> client.request(options)
                        .compose(request -> body == null ? request.send() : request.send(body.encode()))
                        .compose(response -> response.body()
                                .map(buffer -> envelopeData(path, response.statusCode(),
                                        buffer.toString())))
                        .toCompletionStage());
    }

    private static JsonObject envelopeData(String path, int status, String body) {
        if (status == 204) {
            return new JsonObject();
        }
        JsonObject envelope;
        try {
            envelope = new JsonObject(body);
        } catch (RuntimeException e) {
            Log.errorf("internal call %s answered HTTP %d without JSON", path, status);
            throw new RelayException(ErrorCode.HANDLER_UNAVAILABLE, "A service this request needs is unavailable; "
                    + "try again shortly");
        }
        if (!envelope.getBoolean("ok", false)) {
            JsonObject error = envelope.getJsonObject("error", new JsonObject());
            String code = error.getString("code", "");
            String message = error.getString("message", "");
            // A client error of the called service keeps its precise code; anything else means it is unavailable.
            throw ErrorCode.fromCode(code)
                    .filter(c -> c.status() < 500)
                    .map(c -> new RelayException(c, message))
                    .orElseGet(() -> {
                        Log.errorf("internal call %s answered HTTP %d %s: %s", path, status, code, message);
                        return new RelayException(ErrorCode.HANDLER_UNAVAILABLE, "A service this request needs is "
                                + "unavailable; try again shortly");
                    });
        }
        return envelope.getJsonObject("data", new JsonObject());
    }

}
