package dev.relay.delivery.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.event.EventTypes;
import dev.relay.common.redis.RedisNames;
import dev.relay.delivery.push.PushDispatcher;
import dev.relay.delivery.service.DeliveryEvents;
import dev.relay.delivery.service.DeliveryStore;
import dev.relay.delivery.service.DeliveryStore.MessageEvent;
import dev.relay.delivery.service.DeliveryStore.Recipient;
import dev.relay.delivery.service.DeliveryStore.Sender;
import dev.relay.delivery.ws.NodeSockets;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Consumes the workspace event stream at least once, as the consumer group {@value #GROUP}: message-bearing events
 * become one durable delivery per recipient (idempotently: a redelivered event changes nothing), handed to the node
 * sockets of this replica that carry their recipients, and the other recipients' nodes are nudged to send (rows routed
 * to http_push nodes are POSTed). An entry is acknowledged on the stream only after its rows are committed, so a crash
 * in between replays it on restart (this replica's pending entries first) or, after {@link #STALE}, on another
 * replica.
 */
@ApplicationScoped
public class EventConsumer {

    public static final String GROUP = "delivery-service";
    static final Duration STALE = Duration.ofSeconds(60);
    private static final int BATCH = 100;
    private static final Duration BLOCK = Duration.ofSeconds(2);

    private final ReactiveStreamCommands<String, String, String> streams;
    private final RedisNames names;
    private final DeliveryStore store;
    private final DeliveryEvents events;
    private final NodeSockets sockets;
    private final ContextUpdates contextUpdates;
    private final PushDispatcher push;
    private final Vertx vertx;
    private volatile boolean running;

    EventConsumer(ReactiveRedisDataSource redis, RedisNames names, DeliveryStore store, DeliveryEvents events,
            NodeSockets sockets, ContextUpdates contextUpdates, PushDispatcher push, Vertx vertx) {
        this.streams = redis.stream(String.class, String.class, String.class);
        this.names = names;
        this.store = store;
        this.events = events;
        this.sockets = sockets;
        this.contextUpdates = contextUpdates;
        this.push = push;
        this.vertx = vertx;
    }

    private String consumer() {
        return sockets.replicaId();
    }

    /** Creates the group if needed, then reads this consumer's unacknowledged entries, then new ones, until stopped. */
    public void start() {
        running = true;
        streams.xgroupCreate(names.workspaceEventStream(), GROUP, "0", new XGroupCreateArgs().mkstream())
                .onFailure(e -> String.valueOf(e.getMessage()).contains("BUSYGROUP"))
                .recoverWithNull()
                .subscribe()
                .with(ignored -> {
                    Log.infof("consuming %s as %s/%s", names.workspaceEventStream(), GROUP, consumer());
                    loop("0");
                }, failure -> retry("0", failure));
    }

    public void stop() {
        running = false;
    }

    /**
     * Reads from {@code from} ("0" or a stream id: this consumer's pending entries after it; ">": new entries) and
     * processes the batch.
     */
    private void loop(String from) {
        if (!running) {
            return;
        }
        XReadGroupArgs args = new XReadGroupArgs().count(BATCH);
        if (from.equals(">")) {
            args.block(BLOCK);
        }
        streams.xreadgroup(GROUP, consumer(), names.workspaceEventStream(), from, args)
                .flatMap(messages -> processAll(messages).replaceWith(messages))
                .subscribe()
                .with(messages -> loop(next(from, messages)), failure -> retry(from, failure));
    }

    /**
     * Where the next read starts: pending entries are paged through after the last one read (an entry that failed
     * again stays pending, and re-reading from "0" would return it forever), then new entries.
     */
    private static String next(String from, List<StreamMessage<String, String, String>> messages) {
        return from.equals(">") || messages.isEmpty() ? ">" : messages.getLast().id();
    }

    private void retry(String from, Throwable failure) {
        Log.warnf("event stream: %s; retrying in 1 s", failure.getMessage());
        vertx.setTimer(1000, timer -> {
            if (from.equals("0")) {
                start();
            } else {
                loop(from);
            }
        });
    }

    /**
     * Processes a batch, in stream order wherever order matters and concurrently where it cannot: an entry waits for
     * every earlier entry of the batch that shares a recipient with it (so each agent's deliveries get their seqs in
     * stream order, and its frames follow them), and an entry naming no recipient waits for everything before it.
     * Entries for disjoint sets of agents (different channels, different DMs) are written at the same time, so the
     * consumer's throughput is no longer bounded by one event's database round trips. The entries processed are
     * acknowledged on the stream together when the batch is done; one that fails stays pending without holding up the
     * others.
     */
    private Uni<Void> processAll(List<StreamMessage<String, String, String>> messages) {
        Map<String, Uni<Void>> lastByAgent = new HashMap<>();
        List<Uni<Void>> all = new ArrayList<>();
        List<String> processed = Collections.synchronizedList(new ArrayList<>());
        Uni<Void> barrier = Uni.createFrom().voidItem();
        for (StreamMessage<String, String, String> message : messages) {
            List<String> agents = recipients(message.payload().get("recipients")).stream()
                    .map(Recipient::agentId)
                    .distinct()
                    .toList();
            List<Uni<Void>> before = new ArrayList<>(List.of(barrier));
            if (agents.isEmpty()) {
                before.addAll(all);
            } else {
                agents.stream().map(lastByAgent::get).filter(Objects::nonNull).forEach(before::add);
            }
            Uni<Void> entry = Uni.join()
                    .all(before)
                    .andCollectFailures()
                    .onFailure()
                    .recoverWithNull()
                    .flatMap(ready -> processOne(message, processed))
                    .memoize()
                    .indefinitely();
            all.add(entry);
            if (agents.isEmpty()) {
                barrier = entry;
            } else {
                agents.forEach(agent -> lastByAgent.put(agent, entry));
            }
        }
        return all.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join()
                        .all(all)
                        .andCollectFailures()
                        .onFailure()
                        .recoverWithNull()
                        .flatMap(done -> acknowledge(processed));
    }

    /** Processes one entry; adds its stream id to {@code processed} once its work is committed. */
    private Uni<Void> processOne(StreamMessage<String, String, String> message, List<String> processed) {
        return process(message.payload())
                .invoke(done -> processed.add(message.id()))
                .onFailure()
                .invoke(failure -> Log.errorf(failure, "event %s not consumed; it stays pending",
                        message.payload().get("event_id")))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Acknowledges a batch's processed entries on the stream with one command (not one per entry); failed entries
     * stay pending. Should the command fail, the entries stay pending too, and are processed again, changing nothing
     * (creation is idempotent per event id).
     */
    private Uni<Void> acknowledge(List<String> processed) {
        if (processed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return streams.xack(names.workspaceEventStream(), GROUP, processed.toArray(String[]::new))
                .onFailure()
                .invoke(failure -> Log.warnf("event stream: acknowledging %d entries failed (%s); they stay pending",
                        processed.size(), failure.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** Takes over entries another consumer read but never acknowledged (it crashed or left the group). */
    @Scheduled(every = "${relay.delivery.claim-every:30s}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> claimStale() {
        if (!running) {
            return Uni.createFrom().voidItem();
        }
        return streams.xautoclaim(names.workspaceEventStream(), GROUP, consumer(), STALE, "0", BATCH)
                .flatMap(claimed -> {
                    if (!claimed.getMessages().isEmpty()) {
                        Log.infof("claimed %d stale event(s) from other consumers", claimed.getMessages().size());
                    }
                    return processAll(claimed.getMessages());
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("claiming stale events failed: %s", failure.getMessage());
                    return null;
                });
    }

    /**
     * One stream entry: deliveries for message-bearing events, seq-0 frames for reads and reactions, `context.update`
     * frames for the other events nodes hear of.
     */
    Uni<Void> process(Map<String, String> entry) {
        String type = entry.get("type");
        if (ContextUpdates.topic(type) != null) {
            return contextUpdates.push(entry);
        }
        List<Recipient> recipients = recipients(entry.get("recipients"));
        if (recipients.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        JsonObject data = entry.get("data") == null ? new JsonObject() : new JsonObject(entry.get("data"));
        if (EventTypes.isMessageBearing(type)) {
            JsonObject message = data.getValue("message") instanceof JsonObject m ? m : data;
            String messageId = message.getString("id", data.getString("id"));
            String mode = message.getString("injection_mode", data.getString("injection_mode", "wait"));
            String channelId = blankToNull(entry.get("channel_id"));
            MessageEvent event = new MessageEvent(entry.get("event_id"), entry.get("workspace_id"), type, channelId,
                    messageId, data.encode(), mode, recipients);
            List<String> agentIds = new ArrayList<>(new LinkedHashSet<>(recipients.stream()
                    .map(Recipient::agentId)
                    .toList()));
            return store.create(event)
                    .call(created -> refused(event, created.refused()))
                    .invoke(created -> push.dispatchNew(created.rows()))
                    .flatMap(created -> sockets.sendNew(created.rows(), agentIds));
        }
        if (EventTypes.MESSAGE_READ.equals(type) || EventTypes.MESSAGE_REACTED.equals(type)
                || EventTypes.ACTION_DENIED.equals(type)) {
            String messageId = data.getString("message_id", data.getString("id"));
            List<String> agentIds = recipients.stream().map(Recipient::agentId).toList();
            sockets.ephemeral(type, entry.get("event_id"), messageId, data, agentIds);
            push.ephemeral(entry.get("workspace_id"), type, blankToNull(entry.get("channel_id")), data, agentIds);
        }
        return Uni.createFrom().voidItem();
    }

    /** Tells the sender, once per recipient, that a full mailbox (§6.3 depth cap) refused the message. */
    private Uni<Void> refused(MessageEvent event, List<Recipient> refused) {
        if (refused.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Log.infof("delivery.depth_cap message=%s workspace=%s refused=%d", event.messageId(), event.workspaceId(),
                refused.size());
        Sender sender = Sender.of(event.data());
        return Uni.join()
                .all(refused.stream()
                        .map(r -> events.refused(event.workspaceId(), event.messageId(), sender, r.agentId(),
                                r.agentName()))
                        .toList())
                .andCollectFailures()
                .replaceWithVoid();
    }

    static List<Recipient> recipients(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        List<Recipient> recipients = new ArrayList<>();
        for (Object item : new JsonArray(json)) {
            if (item instanceof JsonObject r && r.getValue("agent_id") instanceof String agentId) {
                recipients.add(new Recipient(agentId, r.getString("agent_name", agentId), r.getString("reason")));
            }
        }
        return recipients;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
