package dev.relay.delivery.push;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relay.delivery.standin.StandInAuthService;
import dev.relay.delivery.standin.StandInWorkspaceService;
import dev.relay.delivery.support.Await;
import dev.relay.delivery.support.Fixtures;
import dev.relay.delivery.support.Fixtures.Agent;
import dev.relay.delivery.support.Fixtures.Ws;
import dev.relay.delivery.support.Outbox;
import dev.relay.delivery.support.Receiver;
import dev.relay.delivery.support.Receiver.Hit;
import dev.relay.delivery.support.Receiver.Reply;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * What an http_push receiver gets (contract §6.7): the body and every header of a POST, each auth type (the HMAC
 * signature recomputed here), each ack mode's effect on the row, and ephemeral events without a delivery id.
 */
@QuarkusTest
@TestProfile(PushProfile.class)
@WithTestResource(StandInAuthService.class)
@WithTestResource(StandInWorkspaceService.class)
class PushDispatchTest {

    private static final String ISO_MILLIS = Fixtures.ISO_MILLIS;

    @Inject
    Outbox outbox;

    private Receiver receiver;
    private Ws ws;
    private Agent ada;
    private Agent bob;

    @BeforeEach
    void setUp() throws Exception {
        receiver = Receiver.start();
        ws = Fixtures.workspace();
        ada = Fixtures.agent(ws, "ada");
        bob = Fixtures.agent(ws, "bob");
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    /** An http_push node for ada that POSTs to {@code path} with this ack mode and auth. */
    private void hook(String path, String ackMode, Map<String, Object> auth) {
        Map<String, Object> delivery = new java.util.LinkedHashMap<>();
        delivery.put("url", receiver.url(path));
        delivery.put("ack_mode", ackMode);
        delivery.put("auth", auth);
        Fixtures.enrol(ws, Map.of("name", "hook", "kind", "http_push", "delivery", delivery));
        Fixtures.bind(ws, "hook", ada);
    }

    private String send(String messageId, String text) {
        outbox.add(Outbox.messageCreated(ws.id(), messageId, bob, text, List.of(ada)));
        return "del_" + messageId + "_" + ada.id();
    }

    private Hit onlyHit(String deliveryId) {
        return Await.value("the POST of " + deliveryId, () -> receiver.hitsOf(deliveryId), hits -> !hits.isEmpty())
                .getFirst();
    }

    private Map<String, Object> row(String deliveryId, String status) {
        return Await.value(deliveryId + " " + status, () -> Fixtures.deliveries(ada, status)
                .stream()
                .filter(row -> deliveryId.equals(row.get("id")))
                .findFirst()
                .orElse(null), row -> true);
    }

    @Test
    void thePostCarriesTheDeliveryAndAnHmacSignatureOverTimestampAndBody() {
        hook("/hmac", "manual", Map.of("type", "hmac_sha256", "secret", "whsec_test"));
        String id = send("7001", "hello hook");

        Hit hit = onlyHit(id);
        JsonObject body = hit.json();
        assertThat(hit.path(), equalTo("/hmac"));
        assertThat(body.fieldNames(), equalTo(java.util.Set.of("type", "workspace_id", "delivery_id", "message_id",
                "agent_id", "agent_name", "seq", "mode", "timestamp", "data")));
        assertThat(body.getString("type"), equalTo("message.created"));
        assertThat(body.getString("workspace_id"), equalTo(ws.id()));
        assertThat(body.getString("delivery_id"), equalTo(id));
        assertThat(body.getString("message_id"), equalTo("7001"));
        assertThat(body.getString("agent_id"), equalTo(ada.id()));
        assertThat(body.getString("agent_name"), equalTo("ada"));
        assertThat(body.getLong("seq"), equalTo(1L));
        assertThat(body.getString("mode"), equalTo("wait"));
        assertThat(body.getString("timestamp"), matchesPattern(ISO_MILLIS));
        assertThat(body.getJsonObject("data").getString("text"), equalTo("hello hook"));
        assertThat(body.getJsonObject("data").getString("agent_name"), equalTo("bob"));

        assertThat(hit.header("Content-Type"), equalTo("application/json"));
        assertThat(hit.header("X-Relaycast-Event"), equalTo("message.created"));
        assertThat(hit.header("X-Relaycast-Delivery"), equalTo(id));
        assertThat(hit.header("X-Relaycast-Timestamp"), equalTo(body.getString("timestamp")));
        assertThat(hit.header("X-Relaycast-Signature"),
                equalTo("sha256=" + hmac("whsec_test", hit.header("X-Relaycast-Timestamp") + "." + hit.body())));
        assertThat(hit.header("Authorization"), nullValue());
    }

    @Test
    void hmacHeadersPrefixAndSignedPayloadAreTheNodes() {
        hook("/hmac-body", "manual", Map.of("type", "hmac_sha256", "secret", "s2", "signature_header", "X-Sig",
                "timestamp_header", "X-Ts", "signed_payload", "body", "prefix", "v1,"));
        String id = send("7002", "signed body");

        Hit hit = onlyHit(id);
        assertThat(hit.header("X-Sig"), equalTo("v1," + hmac("s2", hit.body())));
        assertThat(hit.header("X-Ts"), equalTo(hit.json().getString("timestamp")));
        assertThat(hit.header("X-Relaycast-Signature"), nullValue());
    }

    @Test
    void bearerAuthSendsTheToken() {
        hook("/bearer", "manual", Map.of("type", "bearer", "token", "tok-123"));
        Hit hit = onlyHit(send("7003", "b"));
        assertThat(hit.header("Authorization"), equalTo("Bearer tok-123"));
        assertThat(hit.header("X-Relaycast-Signature"), nullValue());
    }

    @Test
    void staticHeadersAreSentAsGiven() {
        hook("/static", "manual", Map.of("type", "static_headers", "headers", Map.of("X-Api-Key", "k-1",
                "X-Tenant", "acme")));
        Hit hit = onlyHit(send("7004", "s"));
        assertThat(hit.header("X-Api-Key"), equalTo("k-1"));
        assertThat(hit.header("X-Tenant"), equalTo("acme"));
        assertThat(hit.header("Authorization"), nullValue());
    }

    @Test
    void manualMakesTheRowDeliveredUntilTheAgentAcksIt() {
        hook("/manual", "manual", Map.of("type", "none"));
        String id = send("7010", "m");
        onlyHit(id);

        Map<String, Object> delivered = row(id, "delivered");
        assertThat(delivered.get("dispatch_attempts"), equalTo(1));
        assertThat(delivered.get("last_dispatch_error"), nullValue());
        assertThat(delivered.get("route_node_kind"), equalTo("http_push"));
        assertThat((String) delivered.get("delivered_at"), matchesPattern(ISO_MILLIS));

        given().header("Authorization", ada.bearer())
                .post("/v1/deliveries/" + id + "/ack")
                .then()
                .statusCode(200)
                .body("data.status", equalTo("acked"));
        assertThat(StandInWorkspaceService.events(ws.id(), "delivery.delivered"), hasSize(1));
    }

    @Test
    void onTwoXxAcksTheRowAndTellsTheAgent() {
        hook("/on2xx", "on_2xx", Map.of("type", "none"));
        String id = send("7020", "o");
        onlyHit(id);

        assertThat((String) row(id, "acked").get("acked_at"), matchesPattern(ISO_MILLIS));
        JsonObject event = Await.value("delivery.delivered", () -> StandInWorkspaceService.events(ws.id(),
                "delivery.delivered"), events -> !events.isEmpty()).getFirst().data();
        assertThat(event.getString("delivery_id"), equalTo(id));
        assertThat(event.getString("message_id"), equalTo("7020"));
        assertThat(event.getString("agent_id"), equalTo(ada.id()));
    }

    @Test
    void responseAcksOnlyWhenTheAnswerSaysSo() {
        hook("/response", "response", null);
        receiver.answer("/response", Reply.json("{\"ack\":true}"));
        String acked = send("7030", "yes");
        onlyHit(acked);
        row(acked, "acked");

        receiver.answer("/response", Reply.json("{\"delivery_status\":\"acked\"}"));
        String alsoAcked = send("7031", "also");
        onlyHit(alsoAcked);
        row(alsoAcked, "acked");

        receiver.answer("/response", Reply.json("{}"));
        String refused = send("7032", "no");
        onlyHit(refused);
        Map<String, Object> queued = Await.value("the failure recorded", () -> row(refused, "queued"),
                row -> row.get("last_dispatch_error") != null);
        assertThat((String) queued.get("last_dispatch_error"), startsWith("HTTP 200 did not acknowledge"));
        assertThat(queued.get("dispatch_attempts"), equalTo(1));
    }

    @Test
    void anEphemeralEventIsPostedWithoutADeliveryId() {
        hook("/events", "manual", Map.of("type", "bearer", "token", "tok-e"));
        String id = send("7040", "react to me");
        onlyHit(id);

        outbox.add(Outbox.reacted(ws.id(), "7040", bob, "eyes", List.of(ada)));
        Hit hit = Await.value("the reaction's POST", () -> receiver.hits("/events")
                .stream()
                .filter(h -> "message.reacted".equals(h.header("X-Relaycast-Event")))
                .findFirst()
                .orElse(null), h -> true);
        JsonObject body = hit.json();
        assertThat(body.fieldNames(), equalTo(java.util.Set.of("type", "workspace_id", "topic", "channel_id",
                "agent_ids", "timestamp", "data")));
        assertThat(body.getString("type"), equalTo("message.reacted"));
        assertThat(body.getString("workspace_id"), equalTo(ws.id()));
        assertThat(body.getString("topic"), equalTo("channel"));
        assertThat(body.getString("channel_id"), equalTo("ch-" + ws.id()));
        assertThat(body.getJsonArray("agent_ids").getList(), equalTo(List.of(ada.id())));
        assertThat(body.getString("timestamp"), matchesPattern(ISO_MILLIS));
        assertThat(body.getJsonObject("data").getString("emoji"), equalTo("eyes"));
        assertThat(hit.header("X-Relaycast-Delivery"), nullValue());
        assertThat(hit.header("Authorization"), equalTo("Bearer tok-e"));
        assertThat(hit.header("Content-Type"), equalTo("application/json"));
        assertThat("no row for an ephemeral event", Fixtures.deliveries(ada, null), hasSize(1));
    }

    private static String hmac(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
