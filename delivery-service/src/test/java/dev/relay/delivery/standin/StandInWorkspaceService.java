package dev.relay.delivery.standin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

/**
 * A stand-in workspace-service on a random port: in-memory agents per workspace behind the internal routes
 * delivery-service calls (register, get, rotate-token, status) and a record of the events it appends (node.status.*,
 * agent.exited, delivery.*), and of the reads and presence reports it takes. Every internal route requires a service JWT issued by {@link StandInAuthService}.
 * <p>
 * It also starts the test run with an empty workspace event stream (workspace-service's outbox is what feeds it), so
 * entries left pending by an earlier run are never replayed into this one.
 */
public class StandInWorkspaceService implements QuarkusTestResourceLifecycleManager {

    /** An agent as workspace-service keeps it. */
    public record Agent(String agentId, String workspaceId, String name, String status, String token,
            JsonObject metadata) {

        JsonObject ref(boolean withToken) {
            return new JsonObject().put("agent_id", agentId)
                    .put("workspace_id", workspaceId)
                    .put("name", name)
                    .put("status", status)
                    .put("token", withToken ? token : null);
        }
    }

    /** One appended event: its type and data. */
    public record Event(String type, JsonObject payload, JsonObject data) {
    }

    /** One internal call: its path, its body and when it arrived. */
    public record Call(String path, JsonObject body, Instant at) {
    }

    private static final AtomicLong IDS = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41));
    private static final Map<String, Map<String, Agent>> AGENTS = new ConcurrentHashMap<>();
    private static final Map<String, List<Event>> EVENTS = new ConcurrentHashMap<>();
    private static final List<Call> CALLS = new CopyOnWriteArrayList<>();
    private static final Map<String, List<Instant>> PRESENCE_ANSWERS = new ConcurrentHashMap<>();
    private static volatile Duration presenceDelay = Duration.ZERO;

    private Vertx vertx;

    /** Adds an agent as if registered through the public API; answers it. */
    public static Agent seed(String workspaceId, String name) {
        Agent agent = new Agent(String.valueOf(IDS.incrementAndGet()), workspaceId, name, "active",
                Tokens.generate(TokenKind.AGENT_TOKEN), new JsonObject());
        AGENTS.computeIfAbsent(workspaceId, ws -> new ConcurrentHashMap<>()).put(name, agent);
        return agent;
    }

    public static Optional<Agent> agent(String workspaceId, String name) {
        return Optional.ofNullable(AGENTS.getOrDefault(workspaceId, Map.of()).get(name));
    }

    /** The events appended to the workspace's log, oldest first. */
    public static List<Event> events(String workspaceId) {
        return List.copyOf(EVENTS.getOrDefault(workspaceId, List.of()));
    }

    /** The events of one type appended to the workspace's log. */
    public static List<Event> events(String workspaceId, String type) {
        return events(workspaceId).stream().filter(e -> e.type().equals(type)).toList();
    }

    /** Every internal call answered whose path starts with {@code prefix}. */
    public static List<Call> calls(String prefix) {
        return CALLS.stream().filter(call -> call.path().startsWith(prefix)).toList();
    }

    /** Every message id reported read for the agent (`POST /internal/workspaces/:id/reads`), in report order. */
    public static List<String> reads(String workspaceId, String agentId) {
        List<String> ids = new ArrayList<>();
        for (Call call : calls("/internal/workspaces/" + workspaceId + "/reads")) {
            for (Object read : call.body().getJsonArray("reads", new JsonArray())) {
                JsonObject entry = (JsonObject) read;
                if (agentId.equals(entry.getString("agent_id"))) {
                    entry.getJsonArray("message_ids").forEach(id -> ids.add((String) id));
                }
            }
        }
        return ids;
    }

    /** The agent ids of each presence report for the workspace (`POST /internal/workspaces/:id/presence`), in order. */
    public static List<List<String>> presenceReports(String workspaceId) {
        return calls("/internal/workspaces/" + workspaceId + "/presence").stream()
                .map(call -> call.body()
                        .getJsonArray("agent_ids", new JsonArray())
                        .stream()
                        .map(String.class::cast)
                        .toList())
                .toList();
    }

    /** Presence reports are answered this much later (ZERO: at once), to hold one in flight. */
    public static void delayPresenceAnswers(Duration delay) {
        presenceDelay = delay;
    }

    /** When the workspace's presence reports were answered, in order. */
    public static List<Instant> presenceAnswers(String workspaceId) {
        return List.copyOf(PRESENCE_ANSWERS.getOrDefault(workspaceId, List.of()));
    }

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        emptyTheEventStream();
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create());
        router.route("/internal/*").handler(this::requireServiceJwt);
        router.post("/internal/workspaces/:ws/agents").handler(this::register);
        router.get("/internal/workspaces/:ws/agents/:name").handler(this::get);
        router.post("/internal/workspaces/:ws/agents/:name/rotate-token").handler(this::rotate);
        router.post("/internal/workspaces/:ws/agents/:name/status").handler(this::status);
        router.post("/internal/workspaces/:ws/events").handler(this::append);
        router.post("/internal/workspaces/:ws/reads").handler(ctx -> ctx.response().setStatusCode(204).end());
        router.post("/internal/workspaces/:ws/presence").handler(this::presence);
        return Map.of("relay.service.workspace-url", "http://127.0.0.1:" + StandInAuthService.listen(vertx, router));
    }

    private void emptyTheEventStream() {
        RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, TestRedis.url()));
        try {
            redis.send(Command.DEL, TestRedis.names().workspaceEventStream())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not reset the test event stream", e);
        } finally {
            redis.close();
        }
    }

    private void requireServiceJwt(RoutingContext ctx) {
        CALLS.add(new Call(ctx.request().path(), body(ctx), Instant.now()));
        if (StandInAuthService.isServiceCall(ctx.request().getHeader("Authorization"))) {
            ctx.next();
        } else {
            StandInAuthService.fail(ctx, 401, "unauthorized", "A service JWT is required");
        }
    }

    private void register(RoutingContext ctx) {
        String workspaceId = ctx.pathParam("ws");
        JsonObject body = body(ctx);
        String name = body.getString("name");
        if (name == null || name.isBlank()) {
            StandInAuthService.fail(ctx, 400, "invalid_request", "name is required");
            return;
        }
        Map<String, Agent> agents = AGENTS.computeIfAbsent(workspaceId, ws -> new ConcurrentHashMap<>());
        Agent agent = new Agent(String.valueOf(IDS.incrementAndGet()), workspaceId, name, "active",
                Tokens.generate(TokenKind.AGENT_TOKEN), body.getJsonObject("metadata", new JsonObject()));
        if (agents.putIfAbsent(name, agent) != null) {
            StandInAuthService.fail(ctx, 409, "agent_already_exists", "Agent '" + name + "' already exists");
            return;
        }
        StandInAuthService.respond(ctx, 201, agent.ref(true));
    }

    private void get(RoutingContext ctx) {
        found(ctx).ifPresent(agent -> StandInAuthService.respond(ctx, 200, agent.ref(false)));
    }

    private void rotate(RoutingContext ctx) {
        found(ctx).ifPresent(agent -> {
            Agent rotated = new Agent(agent.agentId(), agent.workspaceId(), agent.name(), agent.status(),
                    Tokens.generate(TokenKind.AGENT_TOKEN), agent.metadata());
            AGENTS.get(agent.workspaceId()).put(agent.name(), rotated);
            StandInAuthService.respond(ctx, 200, rotated.ref(true));
        });
    }

    private void status(RoutingContext ctx) {
        String status = body(ctx).getString("status");
        found(ctx).ifPresent(agent -> {
            Agent changed = new Agent(agent.agentId(), agent.workspaceId(), agent.name(), status, agent.token(),
                    agent.metadata());
            AGENTS.get(agent.workspaceId()).put(agent.name(), changed);
            StandInAuthService.respond(ctx, 200, changed.ref(false));
        });
    }

    private void append(RoutingContext ctx) {
        JsonObject body = body(ctx);
        String type = body.getString("type");
        if (type == null) {
            StandInAuthService.fail(ctx, 400, "invalid_request", "type is required");
            return;
        }
        EVENTS.computeIfAbsent(ctx.pathParam("ws"), ws -> new CopyOnWriteArrayList<>())
                .add(new Event(type, body.getJsonObject("payload"), body.getJsonObject("data")));
        StandInAuthService.respond(ctx, 201, new JsonObject().put("event_id", "evt-" + IDS.incrementAndGet()));
    }

    /** Answers as workspace-service does when every agent was already online; after the configured delay. */
    private void presence(RoutingContext ctx) {
        Runnable answer = () -> {
            PRESENCE_ANSWERS.computeIfAbsent(ctx.pathParam("ws"), ws -> new CopyOnWriteArrayList<>())
                    .add(Instant.now());
            StandInAuthService.respond(ctx, 200, new JsonObject().put("came_online", new JsonArray())
                    .put("ignored", new JsonArray()));
        };
        long delay = presenceDelay.toMillis();
        if (delay > 0) {
            vertx.setTimer(delay, ignored -> answer.run());
        } else {
            answer.run();
        }
    }

    private static Optional<Agent> found(RoutingContext ctx) {
        Optional<Agent> agent = agent(ctx.pathParam("ws"), ctx.pathParam("name"));
        if (agent.isEmpty()) {
            StandInAuthService.fail(ctx, 404, "agent_not_found", "Agent '" + ctx.pathParam("name") + "' not found");
        }
        return agent;
    }

    private static JsonObject body(RoutingContext ctx) {
        try {
            return Optional.ofNullable(ctx.body().asJsonObject()).orElseGet(JsonObject::new);
        } catch (DecodeException e) {
            return new JsonObject();
        }
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
