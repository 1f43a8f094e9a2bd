package dev.relay.workspace.rest;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.relay.workspace.standin.PrincipalJwts;
import dev.relay.workspace.standin.SigningKey;
import dev.relay.workspace.standin.StandInAuthService;
import io.restassured.path.json.JsonPath;

/** The workspaces and agents tests start from, made through the public API as a client would make them. */
final class Fixtures {

    /** ISO-8601 in UTC with exactly three fraction digits, as JavaScript's `toISOString()` writes it. */
    static final String ISO_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    private static volatile SigningKey keysLoadedFor;

    private Fixtures() {
    }

    /** A workspace and the raw key it was created with. */
    record Ws(String id, String name, String apiKey, String createdAt) {

        /** `Bearer` + a fresh principal JWT of this workspace's key. */
        String key() {
            return PrincipalJwts.workspaceKey(id);
        }
    }

    /** A registered agent and the raw token it was registered with. */
    record Member(String id, String workspaceId, String name, String token) {

        /** `Bearer` + a fresh principal JWT of this agent's token. */
        String bearer() {
            return PrincipalJwts.agent(workspaceId, id, name);
        }
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Ws workspace() {
        return workspace(unique("ws"));
    }

    static Ws workspace(String name) {
        awaitAuthKeys();
        JsonPath created = given().contentType(JSON)
                .body(Map.of("name", name))
                .when()
                .post("/v1/workspaces")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        return new Ws(created.getString("data.workspace_id"), name, created.getString("data.api_key"),
                created.getString("data.created_at"));
    }

    static Member agent(Ws ws, String name) {
        return agent(ws, Map.of("name", name));
    }

    static Member agent(Ws ws, Map<String, Object> registration) {
        JsonPath created = given().contentType(JSON)
                .header("Authorization", ws.key())
                .body(registration)
                .when()
                .post("/v1/agents")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        return new Member(created.getString("data.id"), ws.id(), created.getString("data.name"),
                created.getString("data.token"));
    }

    /**
     * Waits until the service has loaded the stand-in's JWKS: it fetches the keys in the background at startup, so
     * the very first request could otherwise race it.
     */
    private static void awaitAuthKeys() {
        SigningKey current = StandInAuthService.key();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (keysLoadedFor != current && Instant.now().isBefore(deadline)) {
            int status = given().header("Authorization", PrincipalJwts.workspaceKey("0"))
                    .get("/v1/workspace")
                    .statusCode();
            if (status != 401) {
                keysLoadedFor = current;
            } else {
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
