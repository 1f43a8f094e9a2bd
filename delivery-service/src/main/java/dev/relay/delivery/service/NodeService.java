package dev.relay.delivery.service;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.auth.Principal;
import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.id.Ids;
import dev.relay.common.id.Snowflake;
import dev.relay.common.internal.AuthClient;
import dev.relay.common.internal.AuthClient.Minted;
import dev.relay.common.token.TokenKind;
import dev.relay.delivery.client.WorkspaceClient;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * Nodes and their agent bindings (contract §3.10, §6.1, §6.2): enrol-or-rotate, the roster, bindings, and the implicit
 * direct node every SDK agent connects through. Node tokens are minted and rotated at auth-service; only the
 * credential id is kept here.
 */
@ApplicationScoped
public class NodeService {

    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    private static final Pattern NODE_ID = Pattern.compile("node_[A-Za-z0-9_-]{1,120}");
    private static final List<String> KINDS = List.of("ws", "http_push", "poll");

    private final Pool pool;
    private final AuthClient auth;
    private final KeyOwnership ownership;
    private final WorkspaceClient workspaces;
    private final Snowflake ids;
    private final Clock clock;

    NodeService(Pool pool, AuthClient auth, WorkspaceClient workspaces, Snowflake ids, Clock clock,
            KeyOwnership ownership) {
        this.pool = pool;
        this.auth = auth;
        this.ownership = ownership;
        this.workspaces = workspaces;
        this.ids = ids;
        this.clock = clock;
    }

    /** A validated `POST /v1/nodes` body. */
    public record Enrolment(String nodeId, String name, String machineId, String kind, String role,
            String deliveryAdapter, Map<String, Object> delivery, List<Map<String, Object>> capabilities, int maxAgents,
            List<String> tags, String version) {
    }

    /** A node and its raw token (shown once). */
    public record Enrolled(Node node, String token) {
    }

    /** A binding row as the contract shows it (`NodeAgentBinding`). */
    public record Binding(String id, String agentId, String agentName, String nodeId, String nodeName, String nodeKind,
            String nodeRole, String status, String sessionRef, int priority, Instant createdAt, Instant updatedAt,
            String provider) {

        static final String SELECT = "select b.id, b.agent_id, b.agent_name, b.node_id, n.name as node_name, "
                + "n.kind as node_kind, n.role as node_role, b.status, b.session_ref, b.priority, b.created_at, "
                + "b.updated_at, b.provider from node_bindings b join nodes n on n.id = b.node_id ";

        static Binding of(Row row) {
            return new Binding(row.getString("id"), row.getString("agent_id"), row.getString("agent_name"),
                    row.getString("node_id"), row.getString("node_name"), row.getString("node_kind"),
                    row.getString("node_role"), row.getString("status"), row.getString("session_ref"),
                    row.getInteger("priority"), Node.instant(row.getOffsetDateTime("created_at")),
                    Node.instant(row.getOffsetDateTime("updated_at")), row.getString("provider"));
        }
    }

    // --- validation -------------------------------------------------------------------------------------------------

    /** Validates a `POST /v1/nodes` body (§3.10) into an enrolment. */
    @SuppressWarnings("unchecked")
    public static Enrolment enrolment(Map<String, Object> body) {
        String name = string(body, "name");
        if (name != null && name.startsWith("#")) {
            name = name.substring(1);
        }
        if (name == null || name.isBlank()) {
            throw new RelayException(ErrorCode.INVALID_NODE_NAME, "name is required");
        }
        validName(name);
        String nodeId = string(body, "node_id");
        if (nodeId != null && !NODE_ID.matcher(nodeId).matches()) {
            throw RelayException.badRequest("node_id must look like node_<letters, digits, '_' or '-'>");
        }
        String kind = Optional.ofNullable(string(body, "kind")).orElse("ws");
        String impliedRole = null;
        if (kind.equals("fleet_ws")) {
            kind = "ws";
            impliedRole = "broker";
        } else if (kind.equals("direct_ws")) {
            kind = "ws";
            impliedRole = "direct";
        }
        if (!KINDS.contains(kind)) {
            throw RelayException.badRequest("kind must be one of ws, http_push, poll");
        }
        Integer maxAgents = integer(body, "max_agents");
        if (maxAgents != null && maxAgents < 0) {
            throw RelayException.badRequest("max_agents must be an integer >= 0 (0 = unlimited)");
        }
        String role = Optional.ofNullable(string(body, "role")).orElse(impliedRole);
        if (role == null) {
            role = kind.equals("ws") || (maxAgents != null && maxAgents > 1) ? "broker" : "direct";
        }
        if (!role.equals("direct") && !role.equals("broker")) {
            throw RelayException.badRequest("role must be direct or broker");
        }
        if (role.equals("direct")) {
            if (maxAgents != null && maxAgents != 1) {
                throw new RelayException(ErrorCode.DIRECT_NODE_CAPACITY_EXCEEDED,
                        "A direct node hosts exactly one agent: max_agents must be 1");
            }
            maxAgents = 1;
        }
        Object delivery = body.get("delivery");
        if (delivery != null && !(delivery instanceof Map)) {
            throw new RelayException(ErrorCode.INVALID_NODE_DELIVERY, "delivery must be an object or null");
        }
        Map<String, Object> deliveryConfig = (Map<String, Object>) delivery;
        if (kind.equals("http_push")) {
            Object url = deliveryConfig == null ? null : deliveryConfig.get("url");
            if (!(url instanceof String u) || !(u.startsWith("http://") || u.startsWith("https://"))) {
                throw new RelayException(ErrorCode.INVALID_NODE_DELIVERY,
                        "An http_push node needs delivery.url, an http(s) URL");
            }
        }
        String adapter = Optional.ofNullable(string(body, "delivery_adapter"))
                .orElse(defaultAdapter(kind,
                        deliveryConfig));
        List<Map<String, Object>> capabilities = new ArrayList<>();
        for (String capability : strings(body, "capabilities")) {
            capabilities.add(Map.of("name", capability));
        }
        return new Enrolment(nodeId, name, string(body, "machine_id"), kind, role, adapter, deliveryConfig,
                capabilities, maxAgents == null ? 0 : maxAgents, strings(body, "tags"), string(body, "version"));
    }

    static void validName(String name) {
        if (!NODE_NAME.matcher(name).matches()) {
            throw new RelayException(ErrorCode.INVALID_NODE_NAME, "Invalid node name '" + name + "': use 1-128 "
                    + "letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit");
        }
    }

    private static String defaultAdapter(String kind, Map<String, Object> delivery) {
        if (kind.equals("ws")) {
            return "ws.node.v1";
        }
        if (kind.equals("poll")) {
            return "poll.v1";
        }
        Object auth = delivery == null ? null : delivery.get("auth");
        Object type = auth instanceof Map<?, ?> map ? map.get("type") : null;
        return switch (type instanceof String s ? s : "none") {
            case "bearer" -> "http.bearer.v1";
            case "static_headers" -> "http.static_headers.v1";
            case "basic" -> "http.basic.v1";
            default -> "http.hmac.v1";
        };
    }

    private static String string(Map<String, Object> body, String key) {
        Object value = body.get(key);
        if (value != null && !(value instanceof String)) {
            throw RelayException.badRequest(key + " must be a string");
        }
        return (String) value;
    }

    private static Integer integer(Map<String, Object> body, String key) {
        Object value = body.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer i)) {
            throw RelayException.badRequest(key + " must be an integer");
        }
        return i;
    }

    private static List<String> strings(Map<String, Object> body, String key) {
        Object value = body.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || list.stream().anyMatch(item -> !(item instanceof String))) {
            throw RelayException.badRequest(key + " must be an array of strings");
        }
        return list.stream().map(String.class::cast).toList();
    }

    // --- nodes ------------------------------------------------------------------------------------------------------

    /**
     * Enrols a node, or re-enrols an existing one (found by node id, else name, else a broker's machine id): it gets
     * a new token, the previous one stops working at once, and the node is offline until it registers again.
     */
    /**
     * Enrols a node, or re-enrols (rotating its token) the node of that id or name. A restricted workspace key may
     * re-enrol only a node it enrolled itself; the new node's token is issued by the caller's key.
     */
    public Uni<Enrolled> enrol(String workspaceId, Enrolment e, Principal caller) {
        return existing(workspaceId, e).flatMap(found -> found.isPresent()
                ? ownership.requireOwn(caller, found.get(), "Re-enrolling").flatMap(own -> reenrol(own, e))
                : create(workspaceId, e, caller.credentialId()));
    }

    private Uni<Optional<Node>> existing(String workspaceId, Enrolment e) {
        Uni<Optional<Node>> byName = one("select " + Node.COLUMNS + " from nodes where workspace_id = $1 and name = $2",
                Sql.tuple(workspaceId, e.name()));
        if (e.nodeId() != null) {
            return one("select " + Node.COLUMNS + " from nodes where id = $1", Sql.tuple(e.nodeId()))
                    .flatMap(byId -> byName.map(named -> {
                        if (byId.isPresent() && !byId.get().workspaceId().equals(workspaceId)) {
                            throw RelayException.conflict(ErrorCode.NODE_NAME_CONFLICT, "Node id " + e.nodeId()
                                    + " belongs to another workspace; enrol this machine with a node id of its own");
                        }
                        if (named.isPresent() && !named.get().id().equals(e.nodeId())) {
                            throw nameConflict(e.name(), named.get().id());
                        }
                        return byId;
                    }));
        }
        return byName.flatMap(named -> {
            if (named.isPresent() || e.machineId() == null || !e.role().equals("broker")) {
                return Uni.createFrom().item(named);
            }
            return one("select " + Node.COLUMNS + " from nodes where workspace_id = $1 and machine_id = $2 and "
                    + "role = 'broker'", Sql.tuple(workspaceId, e.machineId()));
        });
    }

    private static RelayException nameConflict(String name, String ownerId) {
        return RelayException.conflict(ErrorCode.NODE_NAME_CONFLICT, "Node name '" + name + "' already belongs to node "
                + ownerId + " in this workspace; choose another name (for a broker, another --instance-name) or "
                + "enrol with that node's node_id");
    }

    private Uni<Enrolled> create(String workspaceId, Enrolment e, String issuedBy) {
        String id = e.nodeId() != null ? e.nodeId() : Ids.nodeId(ids.nextId());
        return auth.mint(TokenKind.NODE_TOKEN, workspaceId, id, e.name(), issuedBy)
                .flatMap(minted -> pool.preparedQuery("insert into nodes (id, workspace_id, name, kind, role, "
                        + "machine_id, delivery_adapter, delivery, capabilities, tags, version, max_agents, status, "
                        + "credential_id, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                        + "'offline', $13, $14) returning " + Node.COLUMNS)
                        .execute(Sql.tuple(id, workspaceId, e.name(), e.kind(), e.role(), e.machineId(),
                                e.deliveryAdapter(), e.delivery() == null ? null : Json.write(e.delivery()),
                                Json.write(e.capabilities()), Json.write(e.tags()), e.version(), e.maxAgents(),
                                minted.credentialId(), now()))
                        .map(rows -> new Enrolled(Node.of(rows.iterator().next()), minted.token()))
                        .onFailure()
                        .call(failure -> auth.revokeSubject(workspaceId, id, "node enrolment failed")
                                .onFailure()
                                .recoverWithNull())
                        .onFailure(NodeService::nameTaken)
                        .transform(failure -> nameConflict(e.name(), "(another)")));
    }

    private Uni<Enrolled> reenrol(Node node, Enrolment e) {
        Uni<Minted> token = node.credentialId() == null
                ? auth.mint(TokenKind.NODE_TOKEN, node.workspaceId(), node.id(), e.name())
                : auth.rotate(node.credentialId());
        return token.flatMap(minted -> pool.preparedQuery("update nodes set name = $2, kind = $3, role = $4, "
                + "machine_id = coalesce($5, machine_id), delivery_adapter = $6, delivery = $7, capabilities = $8, "
                + "tags = $9, version = coalesce($10, version), max_agents = $11, status = 'offline', "
                + "credential_id = $12, updated_at = $13 where id = $1 returning " + Node.COLUMNS)
                .execute(Sql.tuple(node.id(), e.name(), e.kind(), e.role(), e.machineId(),
                        e.deliveryAdapter(), e.delivery() == null ? null : Json.write(e.delivery()),
                        Json.write(e.capabilities()), Json.write(e.tags()), e.version(), e.maxAgents(),
                        minted.credentialId(), now()))
                .map(rows -> new Enrolled(Node.of(rows.iterator().next()), minted.token())));
    }

    private static boolean nameTaken(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PgException pg && "23505".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    public Uni<List<Node>> list(String workspaceId, String capability, String name) {
        return pool
                .preparedQuery("select " + Node.COLUMNS + " from nodes where workspace_id = $1 and ($2::text is null "
                        + "or name = $2) order by created_at, id")
                .execute(Sql.tuple(workspaceId, name))
                .map(rows -> {
                    List<Node> nodes = new ArrayList<>();
                    rows.forEach(row -> nodes.add(Node.of(row)));
                    if (capability == null) {
                        return nodes;
                    }
                    return nodes.stream()
                            .filter(node -> Json.array(node.capabilities())
                                    .stream()
                                    .anyMatch(c -> c instanceof Map<?, ?> m && capability.equals(m.get("name"))))
                            .toList();
                });
    }

    public Uni<Node> get(String workspaceId, String name) {
        return one("select " + Node.COLUMNS + " from nodes where workspace_id = $1 and name = $2",
                Sql.tuple(workspaceId, name))
                .map(found -> found.orElseThrow(() -> RelayException.notFound(ErrorCode.NODE_NOT_FOUND,
                        "Node '" + name + "' not found")));
    }

    public Uni<Node> byId(String nodeId) {
        return one("select " + Node.COLUMNS + " from nodes where id = $1", Sql.tuple(nodeId))
                .map(found -> found.orElseThrow(() -> RelayException.notFound(ErrorCode.NODE_NOT_FOUND,
                        "Node " + nodeId + " not found")));
    }

    /** Deletes the node and its bindings; its token is revoked first, which closes its sockets everywhere. */
    public Uni<Void> delete(String workspaceId, String name) {
        return get(workspaceId, name)
                .call(node -> auth.revokeSubject(workspaceId, node.id(), "node deleted"))
                .call(node -> pool.preparedQuery("delete from nodes where id = $1").execute(Sql.tuple(node.id())))
                .replaceWithVoid();
    }

    // --- bindings ---------------------------------------------------------------------------------------------------

    public Uni<List<Binding>> bindings(String workspaceId, String nodeName) {
        return get(workspaceId, nodeName).flatMap(node -> pool
                .preparedQuery(Binding.SELECT + "where b.node_id = $1 and b.status = 'active' order by b.created_at")
                .execute(Sql.tuple(node.id()))
                .map(NodeService::bindingList));
    }

    /** Binds an agent to a node: reserves a slot, deactivates the agent's other bindings. */
    public Uni<Binding> bind(String workspaceId, String nodeName, String agentName, String sessionRef, int priority) {
        return get(workspaceId, nodeName).flatMap(node -> workspaces.agent(workspaceId, agentName)
                .flatMap(agent -> pool.withTransaction(conn -> lockNode(conn, node)
                        .flatMap(locked -> activeCount(conn, node.id(), agent.agentId()))
                        .flatMap(count -> {
                            if (node.maxAgents() > 0 && count >= node.maxAgents()) {
                                throw RelayException.conflict(ErrorCode.NODE_CAPACITY_EXCEEDED, "Node '" + node.name()
                                        + "' already hosts " + count + " of its " + node.maxAgents() + " agents");
                            }
                            return activate(conn, workspaceId, agent.agentId(), agent.name(), node.id(), null,
                                    sessionRef, priority);
                        }))));
    }

    /** Unbinds; an agent that was on that node goes back to its implicit direct node when it has one. */
    public Uni<Void> unbind(String workspaceId, String nodeName, String agentName) {
        return get(workspaceId, nodeName).flatMap(node -> pool.withTransaction(conn -> conn
                .preparedQuery("update node_bindings set status = 'inactive', updated_at = $3 where node_id = $1 and "
                        + "agent_name = $2 and status = 'active' returning agent_id, agent_name")
                .execute(Sql.tuple(node.id(), agentName, now()))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        throw RelayException.notFound(ErrorCode.NODE_AGENT_BINDING_NOT_FOUND, "Agent '" + agentName
                                + "' is not bound to node '" + nodeName + "'");
                    }
                    return rehome(conn, workspaceId, rows.iterator().next().getString("agent_id"), agentName,
                            node.id());
                })));
    }

    /**
     * After the agent left {@code fromNodeId}: its implicit direct node, when it has one (and that is not the node it
     * left), becomes its active binding again (§6.2 "unbinding re-homes the agent to its direct node"). Without one the
     * agent has no binding and its deliveries wait queued until it connects again.
     */
    private Uni<Void> rehome(SqlConnection conn, String workspaceId, String agentId, String agentName,
            String fromNodeId) {
        String direct = Ids.directNodeId(agentId);
        if (direct.equals(fromNodeId)) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("select id from nodes where id = $1")
                .execute(Sql.tuple(direct))
                .flatMap(found -> found.rowCount() == 0
                        ? Uni.createFrom().voidItem()
                        : activate(conn, workspaceId, agentId, agentName, direct, null, null, 0).replaceWithVoid());
    }

    /** Makes this the agent's one active binding (on this node, for this provider). */
    public Uni<Binding> activate(SqlConnection conn, String workspaceId, String agentId, String agentName,
            String nodeId, String provider, String sessionRef, int priority) {
        OffsetDateTime now = now();
        return conn.preparedQuery("update node_bindings set status = 'inactive', updated_at = $2 where agent_id = $1 "
                + "and status = 'active'")
                .execute(Sql.tuple(agentId, now))
                .flatMap(ignored -> conn.preparedQuery("insert into node_bindings (id, workspace_id, agent_id, "
                        + "agent_name, node_id, provider, status, session_ref, priority, created_at) values ($1, $2, $3, "
                        + "$4, $5, $6, 'active', $7, $8, $9)")
                        .execute(Sql.tuple(Ids.bindingId(ids.nextId()), workspaceId, agentId, agentName,
                                nodeId, provider, sessionRef, priority, now)))
                .flatMap(ignored -> conn.preparedQuery(Binding.SELECT + "where b.agent_id = $1 and b.status = 'active'")
                        .execute(Sql.tuple(agentId)))
                .map(rows -> Binding.of(rows.iterator().next()));
    }

    private Uni<Void> lockNode(SqlConnection conn, Node node) {
        return conn.preparedQuery("select id from nodes where id = $1 for update")
                .execute(Sql.tuple(node.id()))
                .replaceWithVoid();
    }

    private static Uni<Long> activeCount(SqlConnection conn, String nodeId, String exceptAgentId) {
        return conn.preparedQuery("select count(*) from node_bindings where node_id = $1 and status = 'active' and "
                + "agent_id <> $2")
                .execute(Sql.tuple(nodeId, exceptAgentId))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    // --- the implicit direct node -----------------------------------------------------------------------------------

    /** Node id, name and a freshly rotated token of the agent's implicit direct node (§3.3 `node-token`). */
    public record DirectNodeToken(String nodeId, String nodeName, String token) {
    }

    public Uni<DirectNodeToken> directNodeToken(String workspaceId, String agentId, String agentName,
            String issuedBy) {
        String nodeId = Ids.directNodeId(agentId);
        String nodeName = Ids.directNodeName(agentId);
        return pool.preparedQuery(Binding.SELECT + "where b.agent_id = $1 and b.status = 'active'")
                .execute(Sql.tuple(agentId))
                .flatMap(rows -> {
                    List<Binding> active = bindingList(rows);
                    if (!active.isEmpty() && !active.get(0).nodeId().equals(nodeId)) {
                        Binding other = active.get(0);
                        throw RelayException.conflict(ErrorCode.AGENT_BOUND_TO_NODE, "Agent '" + agentName + "' is "
                                + "bound to node '" + other.nodeName() + "'; unbind it (DELETE /v1/nodes/"
                                + other.nodeName() + "/agents/" + agentName + ") to connect it directly");
                    }
                    return one("select " + Node.COLUMNS + " from nodes where id = $1", Sql.tuple(nodeId));
                })
                .flatMap(found -> {
                    Uni<Minted> token = found.isPresent() && found.get().credentialId() != null
                            ? auth.rotate(found.get().credentialId())
                            : auth.mint(TokenKind.NODE_TOKEN, workspaceId, nodeId, nodeName, issuedBy);
                    return token.flatMap(minted -> pool.withTransaction(conn -> conn
                            .preparedQuery("insert into nodes (id, workspace_id, name, kind, role, delivery_adapter, "
                                    + "delivery, capabilities, tags, version, max_agents, status, credential_id, "
                                    + "created_at) values ($1, $2, $3, 'ws', 'direct', 'ws.node.v1', $4, '[]', $5, "
                                    + "'implicit', 1, 'offline', $6, $7) on conflict (id) do update set credential_id = "
                                    + "excluded.credential_id, updated_at = excluded.created_at")
                            .execute(Sql.tuple(nodeId, workspaceId, nodeName,
                                    Json.write(Map.of("implicit", true, "agent_id", agentId, "agent_name", agentName)),
                                    Json.write(List.of("implicit", "direct")), minted.credentialId(), now()))
                            .flatMap(ignored -> conn.preparedQuery("select id from node_bindings where agent_id = $1 "
                                    + "and node_id = $2 and status = 'active'").execute(Sql.tuple(agentId, nodeId)))
                            .flatMap(bound -> bound.rowCount() > 0
                                    ? Uni.createFrom().voidItem()
                                    : activate(conn, workspaceId, agentId, agentName, nodeId, null, null, 0)
                                            .replaceWithVoid()))
                            .invoke(() -> Log.debugf("direct node %s token rotated for agent %s", nodeId, agentId))
                            .replaceWith(new DirectNodeToken(nodeId, nodeName, minted.token())));
                });
    }

    // --- liveness (driven by the node socket) ------------------------------------------------------------------

    /** What a `node.register` frame declares about the node. */
    public record Registration(List<Map<String, Object>> capabilities, Integer maxAgents, List<String> tags,
            String version, String machineId) {
    }

    /** Marks the node online as of now with what it declared; answers the node and whether it was offline. */
    public Uni<Map.Entry<Node, Boolean>> online(String nodeId, Registration r) {
        return pool.preparedQuery("update nodes n set status = 'online', last_heartbeat_at = $2, "
                + "capabilities = case when n.role = 'direct' then '[]' else coalesce($3, n.capabilities) end, "
                + "max_agents = case when n.role = 'direct' then 1 else coalesce($4, n.max_agents) end, "
                + "tags = coalesce($5, n.tags), version = coalesce($6, n.version), "
                + "machine_id = coalesce($7, n.machine_id), updated_at = $2 from (select status as previous from nodes "
                + "where id = $1 for update) p where n.id = $1 returning p.previous, " + prefixed("n"))
                .execute(Sql.tuple(nodeId, now(), r.capabilities() == null ? null : Json.write(r.capabilities()),
                        r.maxAgents(), r.tags() == null ? null : Json.write(r.tags()), r.version(), r.machineId()))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw RelayException.notFound(ErrorCode.NODE_NOT_FOUND, "Node " + nodeId + " was deleted");
                    }
                    Row row = rows.iterator().next();
                    return Map.entry(Node.of(row), !"online".equals(row.getString("previous")));
                });
    }

    /** Stamps a heartbeat (server time) with the node's reported load. */
    public Uni<Void> heartbeat(String nodeId, Double load, Integer activeAgents, Boolean handlersLive) {
        return pool.preparedQuery("update nodes set status = 'online', last_heartbeat_at = $2, load = coalesce($3, "
                + "load), active_agents = coalesce($4, active_agents), handlers_live = coalesce($5, handlers_live) "
                + "where id = $1")
                .execute(Sql.tuple(nodeId, now(), load, activeAgents, handlersLive))
                .replaceWithVoid();
    }

    /** Marks the node offline; answers whether it was online (so the caller emits `node.status.offline` once). */
    public Uni<Boolean> offline(String nodeId) {
        return pool.preparedQuery("update nodes set status = 'offline', handlers_live = false, updated_at = $2 where "
                + "id = $1 and status = 'online' returning id")
                .execute(Sql.tuple(nodeId, now()))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Online nodes not heard from within {@link Node#LIVENESS}: marked offline here, answered for their events. */
    public Uni<List<Node>> expireSilent() {
        return pool.preparedQuery("update nodes set status = 'offline', handlers_live = false, updated_at = $1 where "
                + "status = 'online' and (last_heartbeat_at is null or last_heartbeat_at < $2) returning "
                + Node.COLUMNS)
                .execute(Sql.tuple(now(), Sql.at(clock.instant().minus(Node.LIVENESS))))
                .map(rows -> {
                    List<Node> expired = new ArrayList<>();
                    rows.forEach(row -> expired.add(Node.of(row)));
                    return expired;
                });
    }

    /** The agents actively bound to the node (for one provider, or all when {@code provider} is null). */
    public Uni<List<Binding>> hosted(String nodeId, String provider) {
        return pool.preparedQuery(Binding.SELECT + "where b.node_id = $1 and b.status = 'active' and ($2::text is null "
                + "or b.provider is null or b.provider = $2) order by b.created_at")
                .execute(Sql.tuple(nodeId, provider))
                .map(NodeService::bindingList);
    }

    /** Active bindings of these agents: where each one's deliveries go. */
    public Uni<List<Binding>> locate(List<String> agentIds) {
        return pool.preparedQuery(Binding.SELECT + "where b.agent_id = any($1) and b.status = 'active'")
                .execute(Sql.tuple((Object) agentIds.toArray(String[]::new)))
                .map(NodeService::bindingList);
    }

    /** Active bindings on the workspace's online ws nodes: whom its presence events reach (§6.8). */
    public Uni<List<Binding>> hostedOnline(String workspaceId) {
        return pool
                .preparedQuery(Binding.SELECT + "where n.workspace_id = $1 and n.status = 'online' and n.kind = 'ws' "
                        + "and b.status = 'active' order by b.node_id, b.created_at")
                .execute(Sql.tuple(workspaceId))
                .map(NodeService::bindingList);
    }

    /** Binds an agent to this node for a provider (agents a broker registers or syncs over its socket). */
    public Uni<Binding> hostOnNode(String workspaceId, String agentId, String agentName, String nodeId,
            String provider, String sessionRef) {
        return pool.withTransaction(conn -> activate(conn, workspaceId, agentId, agentName, nodeId, provider,
                sessionRef, 0));
    }

    /**
     * Deactivates the agent's binding to this node and re-homes it (see {@link #rehome}); answers whether there was a
     * binding here.
     */
    public Uni<Boolean> release(String workspaceId, String nodeId, String agentId) {
        return pool.withTransaction(conn -> conn
                .preparedQuery("update node_bindings set status = 'inactive', updated_at = $3 where node_id = $1 "
                        + "and agent_id = $2 and status = 'active' returning agent_name")
                .execute(Sql.tuple(nodeId, agentId, now()))
                .flatMap(rows -> rows.rowCount() == 0
                        ? Uni.createFrom().item(false)
                        : rehome(conn, workspaceId, agentId, rows.iterator().next().getString("agent_name"), nodeId)
                                .replaceWith(true)));
    }

    private static String prefixed(String alias) {
        return java.util.Arrays.stream(Node.COLUMNS.split(", "))
                .map(column -> alias + "." + column)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private Uni<Optional<Node>> one(String sql, Tuple params) {
        return pool.preparedQuery(sql)
                .execute(params)
                .map(rows -> rows.rowCount() == 0
                        ? Optional.empty()
                        : Optional.of(Node.of(rows.iterator().next())));
    }

    private static List<Binding> bindingList(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<Binding> list = new ArrayList<>();
        rows.forEach(row -> list.add(Binding.of(row)));
        return list;
    }

    /** A binding as the wire shows it. */
    public static Map<String, Object> view(Binding b) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", b.id());
        view.put("agent_id", b.agentId());
        view.put("agent_name", b.agentName());
        view.put("node_id", b.nodeId());
        view.put("node_name", b.nodeName());
        view.put("node_kind", b.nodeKind());
        view.put("node_role", b.nodeRole());
        view.put("status", b.status());
        view.put("session_ref", b.sessionRef());
        view.put("priority", b.priority());
        view.put("created_at", Node.time(b.createdAt()));
        view.put("updated_at", Node.time(b.updatedAt()));
        return view;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
