package dev.relay.delivery.rest;

import static dev.relay.delivery.support.Fixtures.ISO_MILLIS;
import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.Outbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;

/**
 * An agent reports on its own deliveries over HTTP (contract §3.9, §6.5): `fail` (first failure wins) and `defer`
 * (stays queued with `available_at`), each answering the Delivery and telling the agent through a `delivery.*` event
 * only when the row changed.
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DeliveryReportTest {

    @Inject
    Outbox outbox;

    private Ws ws;
    private Agent ada;
    private Agent bob;

    @BeforeEach
    void agents() {
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    /** A message from bob to ada; answers ada's delivery id once the row exists. */
    private String delivery(String messageId) {
        outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, "hello", List.of(ada)));
        String id = "del_" + messageId + "_" + ada.id();
        Await.until("the delivery " + id, () -> Fixtures.deliveries(ada, null)
                .stream()
                .anyMatch(row -> id.equals(row.get("id"))));
        return id;
    }

    private RequestSpecification as(Agent agent) {
        return given().header("Authorization", agent.bearer());
    }

    private List<StandInWorkspaceService.Event> events(String type) {
        return StandInWorkspaceService.events(ws.id(), type);
    }

    @Test
    void theFirstFailureWinsAndIsToldToTheAgentOnce() {
        String id = delivery("9001");

        as(ada).contentType(JSON)
                .body(Map.of("error", "tool crashed", "retryable", true))
                .when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(200)
                .body("ok", equalTo(true))
                .body("data.id", equalTo(id))
                .body("data.message_id", equalTo("9001"))
                .body("data.status", equalTo("failed"))
                .body("data.error", equalTo("tool crashed"))
                .body("data.retryable", equalTo(true))
                .body("data.updated_at", org.hamcrest.Matchers.matchesPattern(ISO_MILLIS))
                .body("data", hasKey("dead_lettered_at"));
        as(ada).contentType(JSON)
                .body(Map.of("error", "second try", "retryable", false))
                .when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(200)
                .body("data.status", equalTo("failed"))
                .body("data.error", equalTo("tool crashed"))
                .body("data.retryable", equalTo(true));

        List<StandInWorkspaceService.Event> failed = events("delivery.failed");
        assertThat(failed, hasSize(1));
        JsonObject data = failed.getFirst().data();
        assertThat(data.getString("delivery_id"), equalTo(id));
        assertThat(data.getString("message_id"), equalTo("9001"));
        assertThat(data.getString("error"), equalTo("tool crashed"));
        assertThat(data.getBoolean("retryable"), equalTo(true));
        assertThat(data.getString("agent_id"), equalTo(ada.id()));
        assertThat(failed.getFirst().payload(), equalTo(data));
        assertThat(Fixtures.deliveries(ada, "failed"), hasSize(1));
        assertThat(Fixtures.deliveries(ada, null), hasSize(0));
    }

    @Test
    void anEmptyBodyFailsTheDeliveryAsNotRetryable() {
        String id = delivery("9002");

        as(ada).when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(200)
                .body("data.status", equalTo("failed"))
                .body("data.error", nullValue())
                .body("data.retryable", equalTo(false));
        JsonObject data = events("delivery.failed").getFirst().data();
        assertThat(data.containsKey("error"), equalTo(false));
        assertThat(data.getBoolean("retryable"), equalTo(false));
    }

    @Test
    void anHttpAckIsToldToTheAgentAsDeliveredOnceOnly() {
        String id = delivery("9005");

        as(ada).when()
                .post("/v1/deliveries/" + id + "/ack")
                .then()
                .statusCode(200)
                .body("data.status",
                        equalTo("acked"));
        as(ada).when().post("/v1/deliveries/" + id + "/ack").then().statusCode(200);

        List<StandInWorkspaceService.Event> delivered = Await.value("delivery.delivered recorded",
                () -> events("delivery.delivered"), list -> !list.isEmpty());
        assertThat(delivered, hasSize(1));
        assertThat(delivered.getFirst().data().getString("delivery_id"), equalTo(id));
        assertThat(delivered.getFirst().data().getString("message_id"), equalTo("9005"));
    }

    @Test
    void anAckedDeliveryCannotFailAnyMore() {
        String id = delivery("9003");
        as(ada).when().post("/v1/deliveries/" + id + "/ack").then().statusCode(200);

        as(ada).contentType(JSON)
                .body(Map.of("error", "too late"))
                .when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(200)
                .body("data.status", equalTo("acked"))
                .body("data.error", nullValue());
        assertThat(events("delivery.failed"), hasSize(0));
    }

    @Test
    void failRefusesBadBodiesAndOtherAgentsDeliveries() {
        String id = delivery("9004");

        as(ada).contentType(JSON)
                .body("{\"error\":")
                .when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(400)
                .body("ok", equalTo(false))
                .body("error.code", equalTo("invalid_json"));
        as(ada).contentType(JSON)
                .body(Map.of("retryable", "yes"))
                .when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(ada).contentType(JSON)
                .body(Map.of("error", 42))
                .when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_request"));
        as(bob).when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("delivery_not_found"));
        as(ada).when()
                .post("/v1/deliveries/del_nope/fail")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("delivery_not_found"));
        given().header("Authorization", ws.key())
                .when()
                .post("/v1/deliveries/" + id + "/fail")
                .then()
                .statusCode(401)
                .body("error.code", equalTo("unauthorized"));

        assertThat(Fixtures.deliveries(ada, "queued"), hasSize(1));
        assertThat(events("delivery.failed"), hasSize(0));
    }

    @Test
    void aDeferredDeliveryStaysQueuedWithItsRetryGate() {
        String id = delivery("9101");

        as(ada).contentType(JSON)
                .body(Map.of("available_at", "2030-01-02T03:04:05.678+01:00", "reason", "busy"))
                .when()
                .post("/v1/deliveries/" + id + "/defer")
                .then()
                .statusCode(200)
                .body("data.id", equalTo(id))
                .body("data.status", equalTo("queued"))
                .body("data.available_at", equalTo("2030-01-02T02:04:05.678Z"))
                .body("data.reason", equalTo("message"));

        List<StandInWorkspaceService.Event> deferred = events("delivery.deferred");
        assertThat(deferred, hasSize(1));
        JsonObject data = deferred.getFirst().data();
        assertThat(data.getString("delivery_id"), equalTo(id));
        assertThat(data.getString("message_id"), equalTo("9101"));
        assertThat(data.getString("available_at"), equalTo("2030-01-02T02:04:05.678Z"));
        assertThat(data.getString("reason"), equalTo("busy"));
        assertThat(data.getString("agent_id"), equalTo(ada.id()));

        List<Map<String, Object>> active = Fixtures.deliveries(ada, null);
        assertThat(active, hasSize(1));
        assertThat(active.getFirst().get("available_at"), equalTo("2030-01-02T02:04:05.678Z"));
    }

    @Test
    void aFailedDeliveryCanBeDeferredButAnAckedOneCannot() {
        String failed = delivery("9102");
        as(ada).when().post("/v1/deliveries/" + failed + "/fail").then().statusCode(200);
        as(ada).contentType(JSON)
                .body(Map.of("available_at", "2030-01-01T00:00:00Z"))
                .when()
                .post("/v1/deliveries/" + failed + "/defer")
                .then()
                .statusCode(200)
                .body("data.status", equalTo("queued"))
                .body("data.available_at", equalTo("2030-01-01T00:00:00.000Z"));
        assertThat(events("delivery.deferred").getFirst().data().getValue("reason"), nullValue());

        String acked = delivery("9103");
        as(ada).when().post("/v1/deliveries/" + acked + "/ack").then().statusCode(200);
        as(ada).contentType(JSON)
                .body(Map.of("available_at", "2030-01-01T00:00:00Z"))
                .when()
                .post("/v1/deliveries/" + acked + "/defer")
                .then()
                .statusCode(200)
                .body("data.status", equalTo("acked"))
                .body("data.available_at", nullValue());
        assertThat(events("delivery.deferred"), hasSize(1));
    }

    @Test
    void deferRequiresAnIsoTimestampAndTheOwner() {
        String id = delivery("9104");
        for (Object body : List.of(Map.of(), Map.of("available_at", "tomorrow"), Map.of("available_at", 1767225600),
                Map.of("available_at", "2030-01-01"))) {
            as(ada).contentType(JSON)
                    .body(body)
                    .when()
                    .post("/v1/deliveries/" + id + "/defer")
                    .then()
                    .statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("available_at must be an ISO-8601 timestamp"));
        }
        as(ada).when()
                .post("/v1/deliveries/" + id + "/defer")
                .then()
                .statusCode(400)
                .body("error.message", equalTo("available_at must be an ISO-8601 timestamp"));
        as(ada).contentType(JSON)
                .body("not json")
                .when()
                .post("/v1/deliveries/" + id + "/defer")
                .then()
                .statusCode(400)
                .body("error.code", equalTo("invalid_json"));
        as(bob).contentType(JSON)
                .body(Map.of("available_at", "2030-01-01T00:00:00Z"))
                .when()
                .post("/v1/deliveries/" + id + "/defer")
                .then()
                .statusCode(404)
                .body("error.code", equalTo("delivery_not_found"));

        assertThat(Fixtures.deliveries(ada, null).getFirst().get("available_at"), nullValue());
        assertThat(events("delivery.deferred"), not(hasSize(1)));
    }
}
