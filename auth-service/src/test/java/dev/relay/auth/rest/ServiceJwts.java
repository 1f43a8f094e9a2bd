package dev.relay.auth.rest;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** Test helper: obtains service JWTs with the test secrets configured in application.properties (%test). */
public final class ServiceJwts {

    /** Service JWTs live five minutes; a cached one is renewed well before that. */
    private static final Duration REUSE_FOR = Duration.ofMinutes(2);
    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private record Cached(String jwt, Instant obtainedAt) {
    }

    private ServiceJwts() {
    }

    private static boolean isFresh(Cached cached) {
        return cached != null && cached.obtainedAt().plus(REUSE_FOR).isAfter(Instant.now());
    }

    private static Cached obtain(String service) {
        String jwt = exchange(service, secretOf(service)).statusCode(200).extract().path("data.token");
        return new Cached(jwt, Instant.now());
    }

    /** The secret application.properties (%test) holds the hash of. */
    public static String secretOf(String service) {
        return "test-secret-" + service;
    }

    /** Exchanges a service name and secret, whatever the outcome. */
    public static ValidatableResponse exchange(String service, String secret) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("service", service, "secret", secret))
                .when()
                .post("/internal/service-tokens")
                .then();
    }

    /** A service JWT for {@code service}, reused across tests while it is fresh. */
    public static String jwtFor(String service) {
        return CACHE.compute(service, (name, cached) -> isFresh(cached) ? cached : obtain(name)).jwt();
    }

    /** A request authenticated as the given service. */
    public static RequestSpecification as(String service) {
        return bearer(jwtFor(service));
    }

    /** A JSON request carrying {@code jwt} as its bearer token. */
    public static RequestSpecification bearer(String jwt) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + jwt);
    }
}
