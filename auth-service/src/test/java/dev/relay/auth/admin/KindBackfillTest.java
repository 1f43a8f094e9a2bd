package dev.relay.auth.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.auth.rest.ServiceJwts;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** The kind backfill over the legacy rows seeded by db/test-fixtures (run twice: the second run changes nothing). */
@QuarkusTest
class KindBackfillTest {

    private static final String LEGACY_AGENT_TOKEN = "at_live_11111111111111111111111111111111";
    private static final String LEGACY_WORKSPACE_KEY = "rk_live_33333333333333333333333333333333";
    private static final String REVOKED_TOKEN = "at_live_44444444444444444444444444444444";

    @Test
    void repairsWhatItCanInferOnceAndNeverTouchesRevokedRows() {
        verify(LEGACY_AGENT_TOKEN, "agent_token").body("data.reason", equalTo("kind_mismatch"));

        backfill(true)
                .body("data.dry_run", equalTo(true))
                .body("data.repaired", equalTo(0))
                .body("data.changes.credential_id", hasItem("cred_legacy_agent"));
        verify(LEGACY_AGENT_TOKEN, "agent_token").body("data.reason", equalTo("kind_mismatch"));

        backfill(false)
                .body("data.changes.find { it.credential_id == 'cred_legacy_agent' }.to_kind", equalTo("agent_token"))
                .body("data.changes.find { it.credential_id == 'cred_legacy_agent' }.to_workspace_id",
                        equalTo("ws_legacy"))
                .body("data.changes.find { it.credential_id == 'cred_legacy_key' }.to_kind", equalTo("workspace_key"))
                .body("data.changes.find { it.credential_id == 'cred_legacy_key' }.to_workspace_id",
                        equalTo("ws_legacy_key"))
                .body("data.changes.credential_id", not(hasItem("cred_legacy_revoked")))
                .body("data.unresolved.credential_id", hasItem("cred_legacy_orphan"));

        verify(LEGACY_AGENT_TOKEN, "agent_token")
                .body("data.outcome", equalTo("verified"))
                .body("data.principal.workspace_id", equalTo("ws_legacy"));
        verify(LEGACY_WORKSPACE_KEY, "workspace_key").body("data.outcome", equalTo("verified"));
        verify(REVOKED_TOKEN, "agent_token").body("data.reason", equalTo("kind_mismatch"));

        backfill(false)
                .body("data.changes.credential_id", not(hasItem("cred_legacy_agent")))
                .body("data.changes.credential_id", not(hasItem("cred_legacy_key")))
                .body("data.unresolved.credential_id", hasItem("cred_legacy_orphan"));
    }

    @Test
    void onlyTheAdminIdentityMayRunIt() {
        as("workspace-service").body("{}")
                .when()
                .post("/internal/admin/backfill-kinds")
                .then()
                .statusCode(403)
                .body("error.code", equalTo("forbidden"));
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/internal/admin/backfill-kinds")
                .then()
                .statusCode(401);
    }

    private static ValidatableResponse backfill(boolean dryRun) {
        return as("relay-admin").body(Map.of("dry_run", dryRun))
                .when()
                .post("/internal/admin/backfill-kinds")
                .then()
                .statusCode(200);
    }

    private static ValidatableResponse verify(String token, String kind) {
        return as("observer-gateway").body(Map.of("token", token, "kinds", List.of(kind)))
                .when()
                .post("/internal/credentials/verify")
                .then()
                .statusCode(200);
    }

    private static RequestSpecification as(String service) {
        return ServiceJwts.as(service);
    }
}
