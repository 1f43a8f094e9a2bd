package dev.relay.auth.rest;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.relay.common.token.Tokens;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/** Test helper: the internal credential API, called as the services that use it. */
public final class CredentialApi {

    /** The service that mints and manages credentials in these tests. */
    public static final String MANAGER = "workspace-service";
    /** The service that verifies presented tokens in these tests. */
    public static final String VERIFIER = "observer-gateway";
    /** The client address verifications are made on behalf of, unless a test picks its own. */
    public static final String DEFAULT_REMOTE_HOST = "203.0.113.7";

    private CredentialApi() {
    }

    /** A minted (or rotated) credential and the raw token the API returned once. */
    public record Minted(String id, String token, String workspaceId, String subjectId) {

        public String hash() {
            return Tokens.sha256Hex(token);
        }

        public String hashPrefix() {
            return Tokens.hashPrefix(hash());
        }
    }

    /** A fresh id, so that each test sees only its own credentials. */
    public static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** A mutable mint body with the required fields. */
    public static Map<String, Object> mintBody(String kind, String workspaceId, String subjectId) {
        Map<String, Object> body = new HashMap<>();
        body.put("kind", kind);
        body.put("workspace_id", workspaceId);
        body.put("subject_id", subjectId);
        return body;
    }

    public static Minted mint(String kind) {
        return mint(mintBody(kind, unique("ws"), unique("subj")));
    }

    public static Minted mint(String kind, String workspaceId, String subjectId) {
        return mint(mintBody(kind, workspaceId, subjectId));
    }

    public static Minted mint(Map<String, Object> body) {
        JsonPath minted = ServiceJwts.as(MANAGER)
                .body(body)
                .when()
                .post("/internal/credentials")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        return minted(minted);
    }

    public static Minted rotate(String credentialId, Long graceSeconds) {
        Map<String, Object> body = new HashMap<>();
        body.put("grace_seconds", graceSeconds);
        return minted(ServiceJwts.as(MANAGER)
                .body(body)
                .when()
                .post("/internal/credentials/{id}/rotate", credentialId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath());
    }

    public static ValidatableResponse revoke(String credentialId) {
        return ServiceJwts.as(MANAGER)
                .body(Map.of("reason", "test"))
                .when()
                .post("/internal/credentials/{id}/revoke", credentialId)
                .then();
    }

    /** Verifies {@code token} for a route taking {@code kinds} (none = any kind). */
    public static ValidatableResponse verify(String token, String... kinds) {
        return verify(token, List.of(kinds), List.of());
    }

    public static ValidatableResponse verify(String token, List<String> kinds, List<String> anyScope) {
        return verifyFrom(DEFAULT_REMOTE_HOST, token, kinds, anyScope);
    }

    /** Verifies on behalf of a client at {@code remoteHost}, which the audit trail records. */
    public static ValidatableResponse verifyFrom(String remoteHost, String token, List<String> kinds,
            List<String> anyScope) {
        Map<String, Object> body = new HashMap<>();
        body.put("token", token);
        body.put("kinds", kinds);
        body.put("any_scope", anyScope);
        body.put("remote_host", remoteHost);
        return ServiceJwts.as(VERIFIER).body(body).when().post("/internal/credentials/verify").then();
    }

    /** Asserts a refusal envelope with its reason, status and code; the caller goes on to assert the message. */
    public static ValidatableResponse assertRefused(ValidatableResponse response, String reason, int status,
            String code) {
        return response.statusCode(200)
                .body("ok", is(true))
                .body("data.outcome", equalTo("refused"))
                .body("data.reason", equalTo(reason))
                .body("data.status", equalTo(status))
                .body("data.error.code", equalTo(code))
                .body("data.principal", nullValue())
                .body("data.jwt", nullValue());
    }

    /** Asserts the token verified; returns the answer for further checks. */
    public static JsonPath assertVerified(ValidatableResponse response) {
        return response.statusCode(200)
                .body("ok", is(true))
                .body("data.outcome", equalTo("verified"))
                .body("data.reason", nullValue())
                .extract()
                .jsonPath();
    }

    private static Minted minted(JsonPath answer) {
        return new Minted(answer.getString("data.credential.id"), answer.getString("data.token"),
                answer.getString("data.credential.workspace_id"), answer.getString("data.credential.subject_id"));
    }
}
