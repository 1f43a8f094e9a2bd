package dev.relay.gateway.health;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.gateway.config.GatewayConfig;
import dev.relay.gateway.route.Owner;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/** Asks a service's management port whether it is ready; never fails, a problem becomes a "down" answer. */
@ApplicationScoped
public class ServiceReadinessProbe {

    private final HttpClient client;
    private final long timeoutMillis;

    ServiceReadinessProbe(Vertx vertx, GatewayConfig config) {
        this.timeoutMillis = config.healthTimeout().toMillis();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeoutMillis)
                .setMaxPoolSize(8));
    }

    Uni<ServiceReadiness> check(Owner owner, URI healthUrl) {
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(healthUrl.toString())
                .setTimeout(timeoutMillis);
        return Uni.createFrom()
                .completionStage(() -> client.request(request)
                        .compose(req -> req.send())
                        .compose(response -> response.body()
                                .map(body -> parse(owner, response.statusCode(), body.toString())))
                        .toCompletionStage())
                .onFailure()
                .recoverWithItem(failure -> ServiceReadiness.unreachable(owner.serviceName(),
                        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()));
    }

    private static ServiceReadiness parse(Owner owner, int status, String body) {
        try {
            return ServiceReadiness.fromHealthReport(owner.serviceName(), new JsonObject(body));
        } catch (RuntimeException e) {
            return ServiceReadiness.unreachable(owner.serviceName(), "HTTP " + status + " without a health report");
        }
    }
}
