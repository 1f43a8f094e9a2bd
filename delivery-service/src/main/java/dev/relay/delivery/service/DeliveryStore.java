package dev.relay.delivery.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.id.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The durable per-agent deliveries (contract §3.9, §6.3, §6.5): rows created once per message and recipient with the
 * recipient's next gapless seq, read back in seq order for dispatch and replay, and acknowledged.
 */
@ApplicationScoped
public class DeliveryStore {

    /** Every column of a delivery row, in the order {@link Delivery#of} reads them. */
    public static final String COLUMNS = "id, workspace_id, message_id, channel_id, agent_id, agent_name, seq, status, mode, "
            + "reason, priority, event_id, event_type, data, injection_mode, route_node_id, route_node_kind, "
            + "route_node_role, delivery_adapter, dispatch_attempts, next_attempt_at, last_dispatch_error, retryable, "
            + "error, available_at, deadline, expires_at, delivered_at, acked_at, dead_lettered_at, created_at, "
            + "updated_at, defer_reason";

    private final Pool pool;
    private final Clock clock;
    private final Duration mailboxTtl;
    private final int depthCap;

    DeliveryStore(Pool pool, Clock clock,
            @ConfigProperty(name = "relay.delivery.mailbox-ttl", defaultValue = "1h") Duration mailboxTtl,
            @ConfigProperty(name = "relay.delivery.mailbox-depth-cap", defaultValue = "1000") int depthCap) {
        this.pool = pool;
        this.clock = clock;
        this.mailboxTtl = mailboxTtl;
        this.depthCap = depthCap;
    }

    /** What one event made: the rows created, and the recipients refused because their mailbox was full. */
    public record Created(List<Delivery> rows, List<Recipient> refused) {
    }

    /** A message-bearing event as the workspace event stream carries it. */
    public record MessageEvent(String eventId, String workspaceId, String type, String channelId, String messageId,
            String data, String injectionMode, List<Recipient> recipients) {
    }

    public record Recipient(String agentId, String agentName, String reason) {
    }

    /**
     * The author of a message, read from the event data as workspace-service logs it: channel messages and replies
     * carry `agent_id` and `agent_name` at the top, DMs nest the message under `message` (legacy `from_agent_id`).
     */
    public record Sender(String agentId, String agentName) {

        public static Sender of(String data) {
            Map<String, Object> raw = Json.object(data);
            if (raw == null) {
                return new Sender(null, null);
            }
            Map<?, ?> message = raw.get("message") instanceof Map<?, ?> m ? m : Map.of();
            return new Sender(first(message.get("agent_id"), raw.get("agent_id"), raw.get("from_agent_id")),
                    first(message.get("agent_name"), raw.get("agent_name"), raw.get("from_name")));
        }

        private static String first(Object... values) {
            for (Object value : values) {
                if (value instanceof String text && !text.isBlank()) {
                    return text;
                }
            }
            return null;
        }
    }

    /** A delivery row. */
    public record Delivery(String id, String workspaceId, String messageId, String channelId, String agentId,
            String agentName, long seq, String status, String mode, String reason, String eventType, String data,
            String injectionMode, Row row) {

        public static Delivery of(Row row) {
            return new Delivery(row.getString("id"), row.getString("workspace_id"), row.getString("message_id"),
                    row.getString("channel_id"), row.getString("agent_id"), row.getString("agent_name"),
                    row.getLong("seq"), row.getString("status"), row.getString("mode"), row.getString("reason"),
                    row.getString("event_type"), row.getString("data"), row.getString("injection_mode"), row);
        }

        /** The node the row was routed to when it was created (its agent's active binding then), or null. */
        public String routeNodeId() {
            return row.getString("route_node_id");
        }

        /** That node's kind (ws, http_push, poll), or null. */
        public String routeNodeKind() {
            return row.getString("route_node_kind");
        }

        /** The message's author, who hears about a delivery that expired or was refused. */
        public Sender sender() {
            return Sender.of(data);
        }

        /** When the agent asked to see the row again (defer), or null. */
        public String availableAt() {
            return time(row, "available_at");
        }

        /** The reason the agent gave when it deferred the row, or null. */
        public String deferReason() {
            return row.getString("defer_reason");
        }

        /** The contract's `Delivery` shape (all keys present, nullable where the contract says so). */
        public Map<String, Object> view() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", id);
            view.put("message_id", messageId);
            view.put("channel_id", channelId);
            view.put("agent_id", agentId);
            view.put("status", status);
            view.put("seq", seq);
            view.put("location_type", row.getString("route_node_id") == null ? "self_connected" : "via_node");
            view.put("location_node_id", row.getString("route_node_id"));
            view.put("route_node_id", row.getString("route_node_id"));
            view.put("route_node_kind", row.getString("route_node_kind"));
            view.put("route_node_role", row.getString("route_node_role"));
            view.put("delivery_adapter", row.getString("delivery_adapter"));
            view.put("dispatch_attempts", row.getInteger("dispatch_attempts"));
            view.put("next_attempt_at", time(row, "next_attempt_at"));
            view.put("last_dispatch_error", row.getString("last_dispatch_error"));
            view.put("mode", mode);
            view.put("reason", reason);
            view.put("priority", row.getString("priority"));
            view.put("retryable", row.getBoolean("retryable"));
            view.put("error", row.getString("error"));
            view.put("available_at", time(row, "available_at"));
            view.put("deadline", time(row, "deadline"));
            view.put("expires_at", time(row, "expires_at"));
            view.put("delivered_at", time(row, "delivered_at"));
            view.put("acked_at", time(row, "acked_at"));
            view.put("dead_lettered_at", time(row, "dead_lettered_at"));
            view.put("created_at", time(row, "created_at"));
            view.put("updated_at", time(row, "updated_at"));
            return view;
        }

        /** `DeliveryItem`: the delivery with the message it carries. */
        public Map<String, Object> item() {
            Map<String, Object> item = view();
            Map<String, Object> raw = Json.object(data);
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", messageId);
            message.put("channel_id", channelId);
            message.put("agent_id", raw == null ? null : raw.get("agent_id"));
            message.put("agent_name", raw == null ? null : raw.getOrDefault("agent_name", raw.get("from_name")));
            message.put("text", raw == null ? null : raw.get("text"));
            message.put("thread_id", raw == null ? null : raw.get("thread_id"));
            message.put("created_at", raw == null ? null : raw.get("created_at"));
            item.put("message", message);
            return item;
        }

        private static String time(Row row, String column) {
            return Node.time(Node.instant(row.getOffsetDateTime(column)));
        }
    }

    /**
     * Creates the event's deliveries once: a second call with the same event id changes nothing. Recipients' mailbox
     * rows are locked in agent-id order (no deadlock between concurrent events) and their seq advanced by one each
     * inside this statement's transaction, so per agent the seqs are gapless in commit order. Recipients whose mailbox
     * holds the depth cap's number of active rows get none (§6.3), and no seq either. Answers the rows created and the
     * recipients refused.
     *
     * <p>
     * One round trip: the database function {@code create_deliveries} (the repeatable migration R__create_deliveries_function.sql) runs every step, so
     * the mailbox locks are held for the statement only, not across seven round trips through the event loop.
     */
    public Uni<Created> create(MessageEvent event) {
        Instant now = clock.instant();
        // One delivery per agent even if the event names an agent twice.
        Map<String, Recipient> byAgent = new TreeMap<>();
        event.recipients().forEach(recipient -> byAgent.putIfAbsent(recipient.agentId(), recipient));
        List<Recipient> recipients = new ArrayList<>(byAgent.values());
        int n = recipients.size();
        String[] agentIds = new String[n];
        String[] agentNames = new String[n];
        String[] reasons = new String[n];
        String[] deliveryIds = new String[n];
        for (int i = 0; i < n; i++) {
            Recipient recipient = recipients.get(i);
            agentIds[i] = recipient.agentId();
            agentNames[i] = recipient.agentName();
            reasons[i] = recipient.reason();
            deliveryIds[i] = Ids.deliveryId(event.messageId(), recipient.agentId());
        }
        return pool
                .preparedQuery("select x.refused_agent_id, (x.delivery).* from create_deliveries($1, $2, $3, $4, $5, "
                        + "$6, $7, $8, $9, $10, $11, $12, $13, $14) as x")
                .execute(Sql.tuple(event.eventId(), event.workspaceId(), event.messageId(), event.channelId(),
                        event.type(), event.data(), event.injectionMode(), Sql.at(now.plus(mailboxTtl)), Sql.at(now),
                        depthCap, deliveryIds, agentIds, agentNames, reasons))
                .map(rows -> {
                    List<Delivery> created = new ArrayList<>();
                    List<String> full = new ArrayList<>();
                    for (Row row : rows) {
                        if (row.getString("refused_agent_id") != null) {
                            full.add(row.getString("refused_agent_id"));
                        } else {
                            created.add(Delivery.of(row));
                        }
                    }
                    return new Created(created,
                            recipients.stream().filter(recipient -> full.contains(recipient.agentId())).toList());
                });
    }

    /** The agent's rows still to deliver after {@code afterSeq}, in seq order (queued or delivered, not expired). */
    public Uni<List<Delivery>> pending(String agentId, long afterSeq, int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from deliveries where agent_id = $1 and seq > $2 and status "
                + "in ('queued', 'delivered') and (expires_at is null or expires_at > $3) order by seq limit $4")
                .execute(Sql.tuple(agentId, afterSeq, Sql.at(clock.instant()), limit))
                .map(DeliveryStore::list);
    }

    /** Marks rows written to a socket as delivered (rows already acked stay acked). */
    public Uni<Void> markDelivered(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        // Rows another statement holds (an ack settling them, an expiry, a report) are skipped rather than waited for:
        // whatever that statement does supersedes 'delivered', and a marker that never waits cannot deadlock with an
        // ack locking the same rows in another order.
        return pool.preparedQuery("update deliveries set status = 'delivered', delivered_at = $2, updated_at = $2, "
                + "last_dispatch_error = null where id in (select id from deliveries where id = any($1) and status = "
                + "'queued' for update skip locked)")
                .execute(Sql.tuple(ids.toArray(String[]::new), Sql.at(now)))
                .replaceWithVoid();
    }

    /**
     * Agents with queued rows older than {@code age}: work a lost nudge or hand-over left behind (§6.4 sweep). Rows
     * routed to http_push nodes have a retry sweep of their own.
     */
    public Uni<List<String>> agentsWithStaleQueuedRows(Duration age, int limit) {
        Instant now = clock.instant();
        return pool
                .preparedQuery("select distinct agent_id from deliveries where status = 'queued' and created_at < $1 "
                        + "and (expires_at is null or expires_at > $2) and route_node_kind is distinct from 'http_push' "
                        + "limit $3")
                .execute(Sql.tuple(Sql.at(now.minus(age)), Sql.at(now), limit))
                .map(rows -> {
                    List<String> agents = new ArrayList<>();
                    rows.forEach(row -> agents.add(row.getString(0)));
                    return agents;
                });
    }

    /** The agent's cumulative ack cursor (0 before any ack). */
    public Uni<Long> ackCursor(String agentId) {
        return pool.preparedQuery("select ack_seq from ack_cursors where agent_id = $1")
                .execute(Sql.tuple(agentId))
                .map(rows -> rows.rowCount() == 0 ? 0L : rows.iterator().next().getLong(0));
    }

    /** One row a cumulative ack settled: whose it was and the message it carried (for the read it implies). */
    public record Acked(String agentId, String workspaceId, String messageId) {
    }

    /**
     * Cumulative acks (§6.5) for many agents in one statement: per agent, every row up to its {@code upToSeq} not yet
     * acked or dead-lettered becomes acked, and the cursor moves to {@code upToSeq} (at most the highest seq issued),
     * never backwards; an ack at or below the cursor changes nothing. Answers the rows acked.
     */
    public Uni<List<Acked>> ackUpTo(Map<String, Long> upToSeqByAgent) {
        if (upToSeqByAgent.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        String[] agentIds = upToSeqByAgent.keySet().toArray(String[]::new);
        Long[] upTo = upToSeqByAgent.values().toArray(Long[]::new);
        Instant now = clock.instant();
        // Only rows between the old and the new cursor can need acking: everything at or below the old one was acked
        // when the cursor passed it. The cursors (their own rows, not the mailboxes creation locks) are locked in
        // agent-id order; the highest seq issued is read from the statement's snapshot, together with the rows it
        // covers, so a creation still in flight is neither waited for nor acked.
        return pool.preparedQuery("with cursor as (select c.agent_id, c.ack_seq as from_seq, least(r.up_to, "
                + "m.delivery_seq) as to_seq from ack_cursors c join unnest($1::text[], $2::bigint[]) as r(agent_id, "
                + "up_to) on r.agent_id = c.agent_id join mailboxes m on m.agent_id = c.agent_id where c.ack_seq < "
                + "least(r.up_to, m.delivery_seq) order by c.agent_id for update of c), moved as (update ack_cursors a "
                + "set ack_seq = c.to_seq from cursor c where a.agent_id = c.agent_id returning c.agent_id, c.from_seq, "
                + "c.to_seq) update deliveries d set status = 'acked', acked_at = $3, updated_at = $3 from moved where "
                + "d.agent_id = moved.agent_id and d.seq > moved.from_seq and d.seq <= moved.to_seq and d.status not "
                + "in ('acked', 'dead_lettered') returning d.agent_id, d.workspace_id, d.message_id")
                .execute(Sql.tuple(agentIds, upTo, Sql.at(now)))
                .map(rows -> {
                    List<Acked> acked = new ArrayList<>(rows.rowCount());
                    rows.forEach(row -> acked.add(new Acked(row.getString(0), row.getString(1), row.getString(2))));
                    return acked;
                });
    }

    /** The agent's deliveries for `GET /v1/deliveries`, oldest first. */
    public Uni<List<Delivery>> list(String agentId, String status, int limit) {
        Instant now = clock.instant();
        if (status == null) {
            return pool.preparedQuery("select " + COLUMNS + " from deliveries where agent_id = $1 and status in "
                    + "('queued', 'delivered') and (expires_at is null or expires_at > $2) order by seq limit $3")
                    .execute(Sql.tuple(agentId, Sql.at(now), limit))
                    .map(DeliveryStore::list);
        }
        return pool.preparedQuery("select " + COLUMNS + " from deliveries where agent_id = $1 and status = $2 order by "
                + "seq limit $3")
                .execute(Sql.tuple(agentId, status, limit))
                .map(DeliveryStore::list);
    }

    /**
     * Dead-letters up to {@code limit} queued or delivered rows past `expires_at` (§6.5 expiry), of one agent or (when
     * {@code agentId} is null) any. Rows are claimed with `for update skip locked` and their status checked again by
     * the update, so concurrent sweeps on several replicas never dead-letter, nor report, a row twice. Answers the
     * rows this call dead-lettered.
     */
    public Uni<List<Delivery>> expire(String agentId, int limit) {
        Instant now = clock.instant();
        return pool.preparedQuery("update deliveries set status = 'dead_lettered', error = $3, retryable = false, "
                + "dead_lettered_at = $1, updated_at = $1 where id in (select id from deliveries where status in "
                + "('queued', 'delivered') and expires_at <= $1 and ($2::text is null or agent_id = $2) order by "
                + "expires_at limit $4 for update skip locked) and status in ('queued', 'delivered') returning "
                + COLUMNS)
                .execute(Sql.tuple(Sql.at(now), agentId, DeliveryEvents.TTL_EXPIRED_ERROR, limit))
                .map(DeliveryStore::list);
    }

    /** Acks one row over HTTP (§6.5): only that row, the cursor stays. Answers the row and whether it changed. */
    public Uni<Map.Entry<Delivery, Boolean>> ackOne(String agentId, String deliveryId) {
        return changeOne(agentId, deliveryId, "update deliveries set status = 'acked', acked_at = $3, updated_at = $3 "
                + "where id = $1 and agent_id = $2 and status not in ('acked', 'dead_lettered') returning " + COLUMNS,
                Sql.tuple(deliveryId, agentId, Sql.at(clock.instant())));
    }

    /**
     * Records the agent's failure report (§6.5): the first failure wins, and acked, dead-lettered or already failed
     * rows stay as they are. Answers the row and whether it changed.
     */
    public Uni<Map.Entry<Delivery, Boolean>> fail(String agentId, String deliveryId, String error, boolean retryable) {
        return changeOne(agentId, deliveryId, "update deliveries set status = 'failed', error = $3, retryable = $4, "
                + "updated_at = $5 where id = $1 and agent_id = $2 and status not in ('acked', 'dead_lettered', "
                + "'failed') returning " + COLUMNS,
                Sql.tuple(deliveryId, agentId, error, retryable, Sql.at(clock.instant())));
    }

    /**
     * Defers the row (§6.5): it stays (or is again) queued with {@code availableAt} and the agent's reason recorded, a
     * client-side retry gate only; acked and dead-lettered rows stay as they are. Answers the row and whether it
     * changed.
     */
    public Uni<Map.Entry<Delivery, Boolean>> defer(String agentId, String deliveryId, Instant availableAt,
            String reason) {
        return changeOne(agentId, deliveryId, "update deliveries set status = 'queued', available_at = $3, "
                + "defer_reason = $4, updated_at = $5 where id = $1 and agent_id = $2 and status not in ('acked', "
                + "'dead_lettered') returning " + COLUMNS,
                Sql.tuple(deliveryId, agentId, Sql.at(availableAt), reason, Sql.at(clock.instant())));
    }

    /**
     * Runs {@code update} (which names the row by $1 id and $2 agent and returns it when it changed); when nothing
     * changed, answers the row as it is, or 404 `delivery_not_found` when the agent has no such row.
     */
    private Uni<Map.Entry<Delivery, Boolean>> changeOne(String agentId, String deliveryId, String update,
            Tuple args) {
        return pool.preparedQuery(update).execute(args).flatMap(updated -> {
            if (updated.rowCount() > 0) {
                return Uni.createFrom().item(Map.entry(Delivery.of(updated.iterator().next()), true));
            }
            return pool.preparedQuery("select " + COLUMNS + " from deliveries where id = $1 and agent_id = $2")
                    .execute(Sql.tuple(deliveryId, agentId))
                    .map(rows -> {
                        if (rows.rowCount() == 0) {
                            throw RelayException.notFound(ErrorCode.DELIVERY_NOT_FOUND,
                                    "Delivery " + deliveryId + " not found");
                        }
                        return Map.entry(Delivery.of(rows.iterator().next()), false);
                    });
        });
    }

    private static List<Delivery> list(RowSet<Row> rows) {
        List<Delivery> list = new ArrayList<>();
        rows.forEach(row -> list.add(Delivery.of(row)));
        return list;
    }
}
