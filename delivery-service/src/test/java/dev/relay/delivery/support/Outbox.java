package dev.relay.delivery.support;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.event.StableEventId;
import dev.relay.common.redis.RedisNames;
import dev.relay.delivery.support.Fixtures.Agent;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Plays workspace-service's outbox relay: adds entries to the workspace event stream exactly as it does (string
 * fields event_id, workspace_id, seq, type, channel_id, data, recipients, created_at, event).
 */
@ApplicationScoped
public class Outbox {

    private final RedisDataSource redis;
    private final RedisNames names;

    Outbox(RedisDataSource redis, RedisNames names) {
        this.redis = redis;
        this.names = names;
    }

    public String stream() {
        return names.workspaceEventStream();
    }

    /** Adds the entry; answers its stream id. */
    public String add(Map<String, String> entry) {
        return redis.stream(String.class).xadd(stream(), entry);
    }

    /** A `message.created` entry from {@code sender} in channel `general`, for the recipients. */
    public static Map<String, String> messageCreated(String workspaceId, String messageId, Agent sender, String text,
            List<Agent> recipients) {
        return message("message.created", workspaceId, messageId, sender, text, "wait", recipients);
    }

    public static Map<String, String> message(String type, String workspaceId, String messageId, Agent sender,
            String text, String injectionMode, List<Agent> recipients) {
        String channelId = "ch-" + workspaceId;
        JsonObject data = new JsonObject().put("id", messageId)
                .put("channel_id", channelId)
                .put("agent_id", sender.id())
                .put("agent_name", sender.name())
                .put("text", text)
                .put("thread_id", null)
                .put("injection_mode", injectionMode)
                .put("channel_name", "general")
                .put("from_name", sender.name());
        JsonArray to = new JsonArray();
        recipients.forEach(r -> to.add(new JsonObject().put("agent_id", r.id())
                .put("agent_name", r.name())
                .put("reason", "message")));
        // Real message ids are unique snowflakes; tests reuse short ones in fresh workspaces, so the workspace id is
        // part of the stable event id (events are consumed once per event id, whatever the workspace).
        return entry(StableEventId.of(workspaceId, messageId), workspaceId, type, channelId, data, to);
    }

    /** A `message.reacted` entry (an ephemeral, seq-0 event) on {@code messageId}. */
    public static Map<String, String> reacted(String workspaceId, String messageId, Agent reactor, String emoji,
            List<Agent> recipients) {
        JsonObject data = new JsonObject().put("message_id", messageId)
                .put("emoji", emoji)
                .put("agent_id", reactor.id())
                .put("agent_name", reactor.name());
        JsonArray to = new JsonArray();
        recipients.forEach(r -> to.add(new JsonObject().put("agent_id", r.id()).put("agent_name", r.name())));
        return entry(UUID.randomUUID().toString(), workspaceId, "message.reacted", "ch-" + workspaceId, data, to);
    }

    /** Any other event (not message-bearing) with its raw data, for these recipients (none: an empty list). */
    public static Map<String, String> event(String workspaceId, String type, String channelId, JsonObject data,
            List<Agent> recipients) {
        JsonArray to = new JsonArray();
        recipients.forEach(r -> to.add(new JsonObject().put("agent_id", r.id()).put("agent_name", r.name())));
        return entry(UUID.randomUUID().toString(), workspaceId, type, channelId == null ? "" : channelId, data, to);
    }

    static Map<String, String> entry(String eventId, String workspaceId, String type, String channelId,
            JsonObject data, JsonArray recipients) {
        Map<String, String> entry = new LinkedHashMap<>();
        if (eventId != null) {
            entry.put("event_id", eventId);
        }
        entry.put("workspace_id", workspaceId);
        entry.put("seq", "1");
        entry.put("type", type);
        entry.put("channel_id", channelId);
        entry.put("data", data.encode());
        entry.put("recipients", recipients.encode());
        entry.put("created_at", Instant.now().toString());
        entry.put("event", new JsonObject().put("event_id", eventId)
                .put("workspace_id", workspaceId)
                .put("seq", 1)
                .put("type", type)
                .put("payload", new JsonObject())
                .encode());
        return entry;
    }
}
