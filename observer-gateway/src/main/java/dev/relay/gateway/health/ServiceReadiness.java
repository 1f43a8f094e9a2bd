package dev.relay.gateway.health;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One service's readiness as `/health` reports it: up or not, and the names of the checks that failed. */
public record ServiceReadiness(String service, boolean up, List<String> failing) {

    /** Reads a MicroProfile Health report (`{"status":"UP","checks":[{"name":..,"status":..}]}`). */
    static ServiceReadiness fromHealthReport(String service, JsonObject report) {
        List<String> failing = new ArrayList<>();
        JsonArray checks = report.getJsonArray("checks", new JsonArray());
        for (int i = 0; i < checks.size(); i++) {
            JsonObject check = checks.getJsonObject(i);
            if (!"UP".equals(check.getString("status"))) {
                failing.add(check.getString("name", "unnamed check"));
            }
        }
        return new ServiceReadiness(service, "UP".equals(report.getString("status")), List.copyOf(failing));
    }

    static ServiceReadiness unreachable(String service, String why) {
        return new ServiceReadiness(service, false, List.of("unreachable: " + why));
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject().put("status", up ? "up" : "down");
        if (!failing.isEmpty()) {
            json.put("failing", new JsonArray(failing));
        }
        return json;
    }

    String summary() {
        return failing.isEmpty() ? service : service + " (" + String.join("; ", failing) + ")";
    }
}
