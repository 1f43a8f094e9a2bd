package dev.relay.delivery;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import dev.relay.delivery.standin.StandInAuthService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(StandInAuthService.class)
class ReadinessTest {

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    // Management URLs are relative to the management root, /q.
    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void readinessReallyChecksPostgresqlRedisAndTheAuthKeys() throws InterruptedException {
        // Not ready until the auth-service keys are loaded, which happens in the background at start.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (given().when().get(readiness).statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        given().when()
                .get(readiness)
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check",
                        "Redis connection health check", "auth-keys"));
    }

    @Test
    void prometheusMetricsAreOnTheManagementPort() {
        given().when().get(metrics).then().statusCode(200);
        given().when().get("/metrics").then().statusCode(404);
    }
}
