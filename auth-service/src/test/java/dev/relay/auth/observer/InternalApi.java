package dev.relay.auth.observer;

import java.util.List;
import java.util.Map;

import dev.relay.auth.rest.ServiceJwts;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** Test helper: the internal API as workspace-service and the gateway use it, to set up principals. */
final class InternalApi {

    private InternalApi() {
    }

    static RequestSpecification as(String service) {
        return ServiceJwts.as(service);
    }

    /** Mints a credential and answers its raw token. */
    static String mint(String kind, String workspaceId, String subjectId) {
        return as("workspace-service").body(Map.of("kind", kind, "workspace_id", workspaceId, "subject_id", subjectId))
                .when()
                .post("/internal/credentials")
                .then()
                .statusCode(201)
                .extract()
                .path("data.token");
    }

    static ValidatableResponse verify(String token, List<String> kinds, List<String> anyScope) {
        return as("observer-gateway").body(Map.of("token", token, "kinds", kinds, "any_scope", anyScope))
                .when()
                .post("/internal/credentials/verify")
                .then()
                .statusCode(200);
    }

    /** The principal JWT the gateway would forward for this token. */
    static String principalJwt(String token, String kind) {
        return verify(token, List.of(kind), List.of()).extract().path("data.jwt");
    }
}
