package dev.relay.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ReadinessTest {

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    // Management URLs are relative to the management root, /q.
    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void readinessReallyChecksPostgresqlAndRedis() {
        given().when()
                .get(readiness)
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name",
                        hasItems("Reactive PostgreSQL connections health check", "Redis connection health check"));
    }

    @Test
    void prometheusMetricsAreOnTheManagementPort() {
        given().when().get(metrics).then().statusCode(200);
        given().when().get("/metrics").then().statusCode(404);
    }
}
