package dev.relay.workspace.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.relay.common.event.EventTypes;
import dev.relay.common.event.StableEventId;
import dev.relay.common.json.RelayJson;
import dev.relay.workspace.repository.Agent;
import dev.relay.workspace.repository.DmConversation;
import dev.relay.workspace.repository.Message;
import dev.relay.workspace.service.EventLog.Recipient;

/**
 * The wire shapes of DM writes (contract §3.7) and of their `dm.received` / `group_dm.received` events: the client
 * shape of §8.1 for the log and observers, the raw data of §8.2 for nodes. Attachments are always empty: the engine
 * has no file routes yet.
 */
final class DmWire {

    private DmWire() {
    }

    /** `CoreMessagePayload`: the message as DM answers and events carry it. */
    static Map<String, Object> core(Message message, Agent sender) {
        Map<String, Object> core = new LinkedHashMap<>();
        core.put("id", message.id);
        core.put("agent_id", sender.id);
        core.put("agent_name", sender.name);
        core.put("agent_type", sender.type);
        core.put("text", message.body);
        core.put("injection_mode", message.injectionMode);
        core.put("attachments", List.of());
        return core;
    }

    /** `SendDmResponse`: the converged shape plus the legacy top-level fields SDK 6.0.2 still reads. */
    static Map<String, Object> sent(DmConversation conversation, Message message, Agent sender, String to) {
        Map<String, Object> sent = converged(conversation, message, sender);
        sent.put("id", message.id);
        sent.put("from_agent_id", sender.id);
        sent.put("to", to);
        sent.put("text", message.body);
        sent.put("injection_mode", message.injectionMode);
        sent.put("attachments", List.of());
        return sent;
    }

    /** The answer of a post to a conversation: the converged shape plus the legacy top-level fields. */
    static Map<String, Object> posted(DmConversation conversation, Message message, Agent sender) {
        Map<String, Object> posted = converged(conversation, message, sender);
        posted.put("id", message.id);
        posted.put("agent_id", sender.id);
        posted.put("text", message.body);
        posted.put("injection_mode", message.injectionMode);
        posted.put("attachments", List.of());
        return posted;
    }

    /**
     * The event of a DM message: `dm.received` in a 1:1, `group_dm.received` in a group; its id is the message's
     * stable event id (§13) and its raw data the answer plus `from_name` (and `from_agent_id`/`to` for a 1:1 posted
     * by conversation id, so either route gives nodes the same fields).
     */
    static EventLog.Event event(DmConversation conversation, Message message, Agent sender, String to,
            Map<String, Object> answer, List<Recipient> recipients) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", StableEventId.of(message.id));
        payload.put("conversation_id", conversation.id);
        payload.put("message", core(message, sender));
        payload.put("created_at", iso(message.createdAt));
        Map<String, Object> data = new LinkedHashMap<>(answer);
        data.putIfAbsent("agent_id", sender.id);
        if (conversation.oneToOne()) {
            data.putIfAbsent("from_agent_id", sender.id);
            data.putIfAbsent("to", to);
        }
        data.put("from_name", sender.name);
        String type = conversation.oneToOne() ? EventTypes.DM_RECEIVED : EventTypes.GROUP_DM_RECEIVED;
        return new EventLog.Event(type, StableEventId.of(message.id), conversation.channelId, payload, data,
                recipients);
    }

    static String iso(Instant at) {
        return RelayJson.mapper().convertValue(at, String.class);
    }

    private static Map<String, Object> converged(DmConversation conversation, Message message, Agent sender) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("conversation_id", conversation.id);
        answer.put("message", core(message, sender));
        answer.put("created_at", iso(message.createdAt));
        return answer;
    }
}
