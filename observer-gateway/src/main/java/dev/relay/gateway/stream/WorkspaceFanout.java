package dev.relay.gateway.stream;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.redis.RedisNames;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * This replica's subscriptions to workspace event channels (centrifuge's hub): one Redis `SUBSCRIBE` per workspace
 * while at least one local sink watches it, all on one dedicated pub/sub connection; each event is parsed once and
 * fanned out in memory. The last sink to leave a workspace unsubscribes.
 * <p>
 * All bookkeeping happens on one Vert.x context, so join, leave and the connection's messages never race.
 */
@ApplicationScoped
public class WorkspaceFanout {

    /** How long Redis may take to confirm a subscription before the socket waiting for it is refused. */
    private static final long CONFIRM_TIMEOUT_MS = 5_000;

    private final Vertx vertx;
    private final Redis client;
    private final RedisNames names;
    private final Context context;
    /** Topics by channel name; changed on {@link #context} only, read from anywhere. */
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    /** SUBSCRIBE commands sent per channel whose confirmation has not come back yet (on {@link #context}). */
    private final Map<String, Integer> unconfirmed = new HashMap<>();
    private RedisConnection connection;
    private Future<RedisConnection> connecting;
    private volatile boolean closing;

    /** One workspace's channel and the local sinks watching it. */
    private static final class Topic {
        final String workspaceId;
        final String channel;
        final Set<EventSink> sinks = new CopyOnWriteArraySet<>();
        final Promise<Void> subscribed = Promise.promise();

        Topic(String workspaceId, String channel) {
            this.workspaceId = workspaceId;
            this.channel = channel;
        }
    }

    @Inject
    WorkspaceFanout(Vertx vertx, RedisNames names, @ConfigProperty(name = "quarkus.redis.hosts") String hosts) {
        this(vertx, names, Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(hosts.split(",")[0].trim())
                .setMaxPoolSize(1)));
    }

    /**
     * @param client its own client: a subscribed connection is never handed back, so it must not come out of the
     *               pool the rest of the gateway shares
     */
    private WorkspaceFanout(Vertx vertx, RedisNames names, Redis client) {
        this.vertx = vertx;
        this.client = client;
        this.names = names;
        this.context = vertx.getOrCreateContext();
    }

    /** A fan-out of its own on {@code redisUrl}: what another replica holds (tests build one to act as it). */
    static WorkspaceFanout replica(Vertx vertx, RedisNames names, String redisUrl) {
        return new WorkspaceFanout(vertx, names, redisUrl);
    }

    /** Adds the sink to the workspace's watchers; completes once this replica's subscription is confirmed. */
    public Future<Void> join(String workspaceId, EventSink sink) {
        Promise<Void> joined = Promise.promise();
        context.runOnContext(ignored -> {
            String channel = names.workspaceEventChannel(workspaceId);
            Topic topic = topics.get(channel);
            if (topic == null) {
                topic = new Topic(workspaceId, channel);
                topics.put(channel, topic);
                subscribe(topic);
            }
            topic.sinks.add(sink);
            topic.subscribed.future().onComplete(joined);
        });
        return joined.future();
    }

    /** Removes the sink; the workspace's last local sink leaving ends this replica's subscription. */
    public void leave(String workspaceId, EventSink sink) {
        context.runOnContext(ignored -> {
            String channel = names.workspaceEventChannel(workspaceId);
            Topic topic = topics.get(channel);
            if (topic == null || !topic.sinks.remove(sink) || !topic.sinks.isEmpty()) {
                return;
            }
            topics.remove(channel);
            topic.subscribed.tryFail("no sink is left"); // nobody waits for it any more
            if (connection != null) {
                connection.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel))
                        .onFailure(failure -> Log.debugf("observer stream: unsubscribing %s failed: %s", channel,
                                failure.getMessage()));
            }
        });
    }

    /** Workspaces this replica is subscribed to (or subscribing to). */
    public int subscriptions() {
        return topics.size();
    }

    private void subscribe(Topic topic) {
        long timer = vertx.setTimer(CONFIRM_TIMEOUT_MS, ignored -> context.runOnContext(
                x -> abandon(topic, "Redis did not confirm the subscription within " + CONFIRM_TIMEOUT_MS + " ms")));
        topic.subscribed.future().onComplete(ignored -> vertx.cancelTimer(timer));
        connection().compose(open -> {
            unconfirmed.merge(topic.channel, 1, Integer::sum);
            return open.send(Request.cmd(Command.SUBSCRIBE).arg(topic.channel));
        }).onFailure(failure -> context.runOnContext(ignored -> abandon(topic, failure.getMessage())));
    }

    /** Gives up on a subscription that could not be made: its waiting sinks are refused. */
    private void abandon(Topic topic, String why) {
        if (topic.subscribed.tryFail("cannot subscribe to " + topic.channel + ": " + why)) {
            Log.warnf("observer stream: cannot subscribe to %s: %s", topic.channel, why);
            topics.remove(topic.channel, topic);
        }
    }

    private Future<RedisConnection> connection() {
        if (connection != null) {
            return Future.succeededFuture(connection);
        }
        if (connecting == null) {
            connecting = client.connect().map(open -> {
                open.handler(this::onResponse);
                open.exceptionHandler(failure -> lost(open, failure.getMessage()));
                open.endHandler(ignored -> lost(open, "connection closed"));
                connection = open;
                connecting = null;
                return open;
            }).onFailure(failure -> connecting = null);
        }
        return connecting;
    }

    private void onResponse(Response response) {
        if (Vertx.currentContext() != context) {
            context.runOnContext(ignored -> onResponse(response));
            return;
        }
        if (response == null || response.size() < 3) {
            return;
        }
        String kind = response.get(0).toString();
        String channel = response.get(1).toString();
        switch (kind) {
            case "message" -> deliver(channel, response.get(2).toString());
            case "subscribe" -> confirmed(channel);
            default -> {
                // unsubscribe confirmations need nothing
            }
        }
    }

    private void confirmed(String channel) {
        int left = unconfirmed.merge(channel, -1, Integer::sum);
        if (left <= 0) {
            unconfirmed.remove(channel);
            // A SUBSCRIBE sent before a leave-then-join is not the one the current topic waits for.
            Optional.ofNullable(topics.get(channel)).ifPresent(topic -> topic.subscribed.tryComplete());
        }
    }

    private void deliver(String channel, String message) {
        Topic topic = topics.get(channel);
        if (topic == null) {
            return;
        }
        Optional<StreamEvent> event = StreamEvent.parse(message);
        if (event.isEmpty()) {
            Log.warnf("observer stream: ignoring a message on %s that is not a workspace event", channel);
            return;
        }
        for (EventSink sink : topic.sinks) {
            sink.offer(event.get());
        }
    }

    /** The pub/sub connection broke: every watcher may have missed events, so each is told and forgotten. */
    private void lost(RedisConnection broken, String why) {
        context.runOnContext(ignored -> {
            if (connection != broken || closing) {
                return;
            }
            connection = null;
            unconfirmed.clear();
            Log.warnf("observer stream: Redis pub/sub connection lost (%s); closing %d workspace subscription(s)", why,
                    topics.size());
            for (Topic topic : topics.values()) {
                topic.subscribed.tryFail("Redis pub/sub connection lost: " + why);
                topic.sinks.forEach(EventSink::lost);
            }
            topics.clear();
        });
    }

    @PreDestroy
    void close() {
        closing = true;
        client.close();
    }
}
