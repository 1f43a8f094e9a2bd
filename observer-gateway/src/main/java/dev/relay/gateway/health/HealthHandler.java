package dev.relay.gateway.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.gateway.config.GatewayConfig;
import dev.relay.gateway.route.Owner;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * `GET /health`: the engine's readiness as one answer, the gateway's own and each service's, so an operator (and
 * `./relay up`) sees at a glance which service is not ready and why.
 */
@ApplicationScoped
public class HealthHandler implements Handler<RoutingContext> {

    private final ServiceReadinessProbe probe;
    private final SmallRyeHealthReporter gatewayHealth;
    private final GatewayConfig config;

    HealthHandler(ServiceReadinessProbe probe, SmallRyeHealthReporter gatewayHealth, GatewayConfig config) {
        this.probe = probe;
        this.gatewayHealth = gatewayHealth;
        this.config = config;
    }

    @Override
    public void handle(RoutingContext context) {
        List<Uni<ServiceReadiness>> checks = new ArrayList<>();
        checks.add(gatewayReadiness());
        checks.add(probe.check(Owner.AUTH_SERVICE, config.auth().healthUrl()));
        checks.add(probe.check(Owner.WORKSPACE_SERVICE, config.workspace().healthUrl()));
        checks.add(probe.check(Owner.DELIVERY_SERVICE, config.delivery().healthUrl()));
        Uni.join()
                .all(checks)
                .andFailFast()
                .subscribe()
                .with(
                        results -> respond(context, results),
                        failure -> context.fail(failure));
    }

    private Uni<ServiceReadiness> gatewayReadiness() {
        return gatewayHealth.getReadinessAsync()
                .map(report -> ServiceReadiness.fromHealthReport(Owner.GATEWAY.serviceName(),
                        new JsonObject(report.getPayload().toString())));
    }

    private static void respond(RoutingContext context, List<ServiceReadiness> results) {
        Map<String, Object> services = new LinkedHashMap<>();
        boolean allUp = true;
        for (ServiceReadiness result : results) {
            services.put(result.service(), result.toJson());
            allUp &= result.up();
        }
        JsonObject data = new JsonObject().put("status", allUp ? "ok" : "degraded").put("services", services);
        JsonObject body = new JsonObject().put("ok", allUp).put("data", data);
        if (!allUp) {
            body.put("error", new JsonObject().put("code", "handler_unavailable")
                    .put("message", "Not ready: " + String.join(", ", notReady(results))));
        }
        context.response()
                .setStatusCode(allUp ? 200 : 503)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.encode());
    }

    private static List<String> notReady(List<ServiceReadiness> results) {
        return results.stream().filter(r -> !r.up()).map(ServiceReadiness::summary).toList();
    }
}
