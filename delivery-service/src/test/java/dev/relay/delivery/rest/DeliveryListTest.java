package dev.relay.delivery.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.util.List;

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

/**
 * `GET /v1/deliveries` takes exactly the SDK's query schema (contract §3.9): `status` one of the five statuses,
 * `limit` 1..200 (default 100), and any other value is 400 `invalid_request` "Invalid status or limit".
 */
@QuarkusTest
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class DeliveryListTest {

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

    @Test
    void everyBadStatusOrLimitGetsTheContractsOneMessage() {
        for (String status : List.of("pending", "accepted", "deferred", "QUEUED")) {
            given().header("Authorization", ada.bearer())
                    .queryParam("status", status)
                    .when()
                    .get("/v1/deliveries")
                    .then()
                    .statusCode(400)
                    .body("ok", equalTo(false))
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("Invalid status or limit"));
        }
        for (String limit : List.of("0", "201", "-1", "1.5", "ten")) {
            given().header("Authorization", ada.bearer())
                    .queryParam("limit", limit)
                    .when()
                    .get("/v1/deliveries")
                    .then()
                    .statusCode(400)
                    .body("error.code", equalTo("invalid_request"))
                    .body("error.message", equalTo("Invalid status or limit"));
        }
    }

    @Test
    void everyStatusAndTheLimitBoundsAreAccepted() {
        for (String status : List.of("queued", "delivered", "acked", "failed", "dead_lettered")) {
            given().header("Authorization", ada.bearer())
                    .queryParam("status", status)
                    .when()
                    .get("/v1/deliveries")
                    .then()
                    .statusCode(200)
                    .body("ok", equalTo(true))
                    .body("data", hasSize(0));
        }
        outbox.add(Outbox.messageCreated(ws.id(), "7101", bob, "a", List.of(ada)));
        outbox.add(Outbox.messageCreated(ws.id(), "7102", bob, "b", List.of(ada)));
        Await.until("two rows", () -> Fixtures.deliveries(ada, null).size() == 2);
        given().header("Authorization", ada.bearer())
                .queryParam("limit", "1")
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(200)
                .body("data.message_id", equalTo(List.of("7101")));
        given().header("Authorization", ada.bearer())
                .queryParam("limit", "200")
                .queryParam("status", "queued")
                .when()
                .get("/v1/deliveries")
                .then()
                .statusCode(200)
                .body("data.message_id", equalTo(List.of("7101", "7102")))
                .body("data[0].message.text", equalTo("a"))
                .body("data[0].message.agent_id", equalTo(bob.id()));
    }
}
