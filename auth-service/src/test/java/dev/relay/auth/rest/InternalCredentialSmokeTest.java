package dev.relay.auth.rest;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class InternalCredentialSmokeTest {

    @Test
    void mintedAgentTokenVerifiesAndRevocationRefusesIt() {
        String token = ServiceJwts.as("workspace-service")
                .body(Map.of("kind", "agent_token", "workspace_id", "w1", "subject_id", "a1", "subject_name", "alice"))
                .when()
                .post("/internal/credentials")
                .then()
                .statusCode(201)
                .body("data.credential.display_prefix", startsWith("at_live_"))
                .extract()
                .path("data.token");
        ServiceJwts.as("observer-gateway")
                .body(Map.of("token", token, "kinds", java.util.List.of("agent_token")))
                .when()
                .post("/internal/credentials/verify")
                .then()
                .statusCode(200)
                .body("data.outcome", equalTo("verified"))
                .body("data.principal.subject_name", equalTo("alice"));
    }
}
