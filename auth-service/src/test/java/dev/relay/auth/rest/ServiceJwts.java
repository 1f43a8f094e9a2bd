package dev.relay.auth.rest;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Test helper: obtains service JWTs with the test secrets configured in application.properties (%test). */
final class ServiceJwts {

    private ServiceJwts() {
    }

    static String jwtFor(String service) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("service", service, "secret", "test-secret-" + service))
                .when()
                .post("/internal/service-tokens")
                .then()
                .statusCode(200)
                .extract()
                .path("data.token");
    }

    /** A request authenticated as the given service. */
    static RequestSpecification as(String service) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + jwtFor(service));
    }
}
