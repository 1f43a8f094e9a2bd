package dev.relay.auth.rest;

import static dev.relay.auth.rest.CredentialApi.assertVerified;
import static dev.relay.auth.rest.CredentialApi.mintBody;
import static dev.relay.auth.rest.CredentialApi.unique;
import static dev.relay.auth.rest.CredentialApi.verify;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relay.auth.rest.CredentialApi.Minted;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** `POST /internal/credentials/verify` when the token is good: the principal and a principal JWT anyone can check. */
@QuarkusTest
class VerifyPrincipalJwtTest {

    @Test
    void answersThePrincipalOfAnObserverToken() {
        Map<String, Object> body = mintBody("observer_token", unique("ws"), "obs_7");
        body.put("subject_name", "dashboard");
        body.put("scopes", List.of("messages:read", "stream:read"));
        body.put("filters", Map.of("channels", List.of("general")));
        Minted minted = CredentialApi.mint(body);

        JsonPath answer = assertVerified(verify(minted.token(), List.of("observer_token"), List.of("stream:read")));

        assertEquals("observer_token", answer.getString("data.principal.kind"));
        assertEquals(minted.workspaceId(), answer.getString("data.principal.workspace_id"));
        assertEquals("obs_7", answer.getString("data.principal.subject_id"));
        assertEquals("dashboard", answer.getString("data.principal.subject_name"));
        assertEquals(List.of("messages:read", "stream:read"), answer.getList("data.principal.scopes"));
        assertEquals(List.of("general"), answer.getList("data.principal.filters.channels"));
        assertEquals(List.of(), answer.getList("data.principal.capabilities"));
        assertEquals(minted.id(), answer.getString("data.principal.credential_id"));
        assertEquals(minted.hashPrefix(), answer.getString("data.principal.hash_prefix"));
        assertEquals(minted.hashPrefix(), answer.getString("data.hash_prefix"));
        assertThat(answer.getString("data.jwt_expires_at"), notNullValue());
    }

    @Test
    void carriesTheCapabilitiesOfARestrictedWorkspaceKey() {
        Map<String, Object> body = mintBody("workspace_key", unique("ws"), "owner");
        body.put("capabilities", List.of("messages:write"));
        Minted minted = CredentialApi.mint(body);
        JsonPath answer = assertVerified(verify(minted.token(), "workspace_key"));
        assertEquals(List.of("messages:write"), answer.getList("data.principal.capabilities"));
        assertEquals(List.of("messages:write"), Jwts.claims(answer.getString("data.jwt")).getList("caps"));
    }

    @Test
    void thePrincipalJwtIsASixtySecondRs256TokenSignedByAPublishedKey() {
        Map<String, Object> body = mintBody("agent_token", unique("ws"), "agent_1");
        body.put("subject_name", "alice");
        Minted minted = CredentialApi.mint(body);
        String jwt = assertVerified(verify(minted.token(), "agent_token")).getString("data.jwt");

        JsonPath header = Jwts.header(jwt);
        assertEquals("RS256", header.getString("alg"));
        JsonPath claims = Jwts.claims(jwt);
        assertEquals("relay-auth", claims.getString("iss"));
        assertThat(audience(claims), contains("relay-principal"));
        assertEquals("agent_1", claims.getString("sub"));
        assertEquals("agent_token", claims.getString("kind"));
        assertEquals(minted.workspaceId(), claims.getString("wid"));
        assertEquals("alice", claims.getString("name"));
        assertEquals(minted.id(), claims.getString("cid"));
        assertEquals(minted.hashPrefix(), claims.getString("hp"));
        assertThat(claims.getList("groups"), containsInAnyOrder("principal", "kind:agent_token"));
        long lifetime = claims.getLong("exp") - claims.getLong("iat");
        assertThat(lifetime, lessThanOrEqualTo(60L));
        assertTrue(lifetime > 0, "exp is after iat");

        RSAPublicKey key = Jwts.publishedKey(header.getString("kid"));
        assertTrue(Jwts.signatureVerifies(jwt, key), "signature verifies with the JWKS key");
        String forged = Jwts.withPayload(jwt, Jwts.claims(jwt).prettify().replace(minted.workspaceId(), "ws_other"));
        assertFalse(Jwts.signatureVerifies(forged, key), "a tampered payload must not verify");
    }

    @Test
    void theJwtKeyIsTheCurrentKeyNotThePrevious() {
        String jwt = assertVerified(verify(CredentialApi.mint("node_token").token())).getString("data.jwt");
        assertEquals(Jwts.jwks().getFirst().get("kid"), Jwts.header(jwt).getString("kid"));
    }

    @Test
    void recordsTheLastUse() throws InterruptedException {
        Minted minted = CredentialApi.mint("agent_token");
        assertVerified(verify(minted.token(), "agent_token"));
        // Written after the answer (the verdict does not wait for it): poll briefly.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (ServiceJwts.as(CredentialApi.MANAGER)
                .when()
                .get("/internal/credentials/{id}", minted.id())
                .then()
                .statusCode(200)
                .extract()
                .path("data.last_used_at") == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ServiceJwts.as(CredentialApi.MANAGER)
                .when()
                .get("/internal/credentials/{id}", minted.id())
                .then()
                .statusCode(200)
                .body("data.last_used_at", notNullValue());
    }

    @Test
    void anyKindIsAcceptedWhenTheRouteNamesNone() {
        Minted minted = CredentialApi.mint("workspace_key");
        assertEquals("workspace_key", assertVerified(verify(minted.token())).getString("data.principal.kind"));
    }

    private static List<String> audience(JsonPath claims) {
        Object aud = claims.get("aud");
        return aud instanceof List<?> list ? list.stream().map(Object::toString).toList() : List.of((String) aud);
    }
}
