package dev.relay.auth.rest;

import static dev.relay.auth.rest.CredentialApi.MANAGER;
import static dev.relay.auth.rest.CredentialApi.mintBody;
import static dev.relay.auth.rest.CredentialApi.unique;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import dev.relay.common.token.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** `POST /internal/credentials`: each kind's token shape and display prefix, and every 400 a mint body can earn. */
@QuarkusTest
class MintCredentialTest {

    @ParameterizedTest
    @CsvSource({"workspace_key, rk_live_, 32", "agent_token, at_live_, 32", "node_token, nt_live_, 48",
            "observer_token, ot_live_, 48"})
    void mintsEachKindWithItsPrefixAndSecretLengthAndNeverAHash(String kind, String prefix, int hexChars) {
        String workspace = unique("ws");
        Response minted = ServiceJwts.as(MANAGER)
                .body(mintBody(kind, workspace, "subj_1"))
                .when()
                .post("/internal/credentials")
                .then()
                .statusCode(201)
                .body("ok", is(true))
                .body("data.token", matchesPattern(Pattern.quote(prefix) + "[0-9a-f]{" + hexChars + "}"))
                .body("data.credential.id", startsWith("cred_"))
                .body("data.credential.kind", equalTo(kind))
                .body("data.credential.workspace_id", equalTo(workspace))
                .body("data.credential.subject_id", equalTo("subj_1"))
                .body("data.credential.status", equalTo("active"))
                .body("data.credential.created_at", notNullValue())
                .body("data.credential.revoked_at", nullValue())
                .extract()
                .response();
        String token = minted.path("data.token");
        assertEquals(token.substring(0, prefix.length() + 4), minted.path("data.credential.display_prefix"));
        String raw = minted.asString();
        assertFalse(raw.contains(Tokens.sha256Hex(token)), "the mint answer carries the token's hash");
        assertFalse(raw.contains("hash"), "the mint answer names a hash field: " + raw);
    }

    @Test
    void echoesEveryOptionalField() {
        Map<String, Object> body = mintBody("observer_token", unique("ws"), "obs_1");
        body.put("subject_name", "dashboard");
        body.put("scopes", List.of("messages:read", "stream:read"));
        body.put("filters", Map.of("channels", List.of("general")));
        body.put("label", "ops screen");
        body.put("expires_at", "2099-01-01T00:00:00.000Z");
        ServiceJwts.as(MANAGER)
                .body(body)
                .when()
                .post("/internal/credentials")
                .then()
                .statusCode(201)
                .body("data.credential.subject_name", equalTo("dashboard"))
                .body("data.credential.scopes", contains("messages:read", "stream:read"))
                .body("data.credential.filters.channels", contains("general"))
                .body("data.credential.capabilities", is(List.of()))
                .body("data.credential.label", equalTo("ops screen"))
                .body("data.credential.expires_at", equalTo("2099-01-01T00:00:00.000Z"));
    }

    static Stream<Arguments> invalidBodies() {
        String past = Instant.now().minusSeconds(60).toString();
        return Stream.of(
                Arguments.of("{\"kind\":\"api_key\",\"workspace_id\":\"w\",\"subject_id\":\"s\"}", "invalid_request",
                        "unknown token kind 'api_key' (one of workspace_key, agent_token, node_token, observer_token)"),
                Arguments.of("{\"kind\":\"agent_token\",\"subject_id\":\"s\"}", "invalid_request",
                        "workspace_id: must not be blank"),
                Arguments.of("{\"kind\":\"agent_token\",\"workspace_id\":\"w\",\"subject_id\":\" \"}",
                        "invalid_request", "subject_id: must not be blank"),
                Arguments.of("{\"kind\":\"agent_token\",\"workspace_id\":\"w\",\"subject_id\":\"s\",\"expires_at\":\""
                        + past + "\"}", "invalid_request", "expires_at must be in the future"),
                Arguments.of("{\"kind\":\"agent_token\",\"workspace_id\":\"w\",\"subject_id\":\"s\","
                        + "\"expires_at\":\"tomorrow\"}", "invalid_request",
                        "Field 'expires_at' must be an ISO-8601 timestamp"),
                Arguments.of("{\"kind\":\"agent_token\",", "invalid_json", "Malformed JSON in request body"),
                Arguments.of("{\"kind\":\"agent_token\",\"workspace_id\":42,\"subject_id\":\"s\"}", "invalid_request",
                        "Field 'workspace_id' must be a string"),
                Arguments.of("{\"kind\":\"observer_token\",\"workspace_id\":\"w\",\"subject_id\":\"s\","
                        + "\"scopes\":\"messages:read\"}", "invalid_request", "Field 'scopes' must be an array"),
                Arguments.of("{\"kind\":\"observer_token\",\"workspace_id\":\"w\",\"subject_id\":\"s\","
                        + "\"filters\":[1]}", "invalid_request", "Field 'filters' must be an object"),
                Arguments.of("{\"kind\":\"agent_token\",\"workspace_id\":\"w\",\"subject_id\":\"s\",\"secret\":\"x\"}",
                        "invalid_request", "Unknown field 'secret'"));
    }

    @ParameterizedTest
    @MethodSource("invalidBodies")
    void refusesAnInvalidBodyWithAPreciseCode(String json, String code, String message) {
        ServiceJwts.as(MANAGER)
                .body(json)
                .when()
                .post("/internal/credentials")
                .then()
                .statusCode(400)
                .body("ok", is(false))
                .body("error.code", equalTo(code))
                .body("error.message", equalTo(message));
    }
}
