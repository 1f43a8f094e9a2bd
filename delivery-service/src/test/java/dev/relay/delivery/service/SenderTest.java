package dev.relay.delivery.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.relay.delivery.service.DeliveryStore.Sender;
import io.vertx.core.json.JsonObject;

/**
 * The sender that expiry and depth-cap notices go to is read from every event-data shape workspace-service logs
 * (contract §8.2): channel messages and replies at the top, DMs nested under `message`, legacy DM fields last.
 */
class SenderTest {

    @Test
    void aChannelMessageNamesItsAuthorAtTheTop() {
        String data = new JsonObject().put("id", "1").put("agent_id", "7").put("agent_name", "bob").encode();
        assertThat(Sender.of(data), equalTo(new Sender("7", "bob")));
    }

    @Test
    void aDmNestsTheMessageAndItsAuthor() {
        String data = new JsonObject().put("conversation_id", "dm_1")
                .put("message", new JsonObject().put("id", "1").put("agent_id", "8").put("agent_name", "cy"))
                .put("from_name", "ignored")
                .encode();
        assertThat(Sender.of(data), equalTo(new Sender("8", "cy")));
    }

    @Test
    void legacyDmFieldsAndMissingDataStillAnswer() {
        String legacy = new JsonObject().put("from_agent_id", "9").put("from_name", "dee").encode();
        assertThat(Sender.of(legacy), equalTo(new Sender("9", "dee")));
        assertThat(Sender.of(null), equalTo(new Sender(null, null)));
        assertThat(Sender.of("{}"), equalTo(new Sender(null, null)));
    }
}
