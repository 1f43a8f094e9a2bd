package dev.relay.common.event;

import java.util.Set;

/**
 * Every event type name the contract uses (§8, §6.8), as constants, so producers, filters and transports cannot drift
 * apart on a spelling.
 */
public final class EventTypes {

    public static final String MESSAGE_CREATED = "message.created";
    public static final String MESSAGE_UPDATED = "message.updated";
    public static final String MESSAGE_READ = "message.read";
    public static final String MESSAGE_REACTED = "message.reacted";
    public static final String THREAD_REPLY = "thread.reply";
    public static final String DM_RECEIVED = "dm.received";
    public static final String GROUP_DM_RECEIVED = "group_dm.received";
    public static final String CHANNEL_CREATED = "channel.created";
    public static final String CHANNEL_UPDATED = "channel.updated";
    public static final String CHANNEL_ARCHIVED = "channel.archived";
    public static final String MEMBER_JOINED = "member.joined";
    public static final String MEMBER_LEFT = "member.left";
    public static final String MEMBER_CHANNEL_MUTED = "member.channel_muted";
    public static final String MEMBER_CHANNEL_UNMUTED = "member.channel_unmuted";
    /** Agent status events are {@code agent.status.<status>}, e.g. {@code agent.status.active}. */
    public static final String AGENT_STATUS_PREFIX = "agent.status.";
    public static final String AGENT_STATUS_CHANGED = "agent.status.changed";
    public static final String AGENT_EXITED = "agent.exited";
    /** Legacy: in the 6.0.2 schema but not emitted by the latest engine. */
    public static final String DELIVERY_ACCEPTED = "delivery.accepted";
    public static final String DELIVERY_DELIVERED = "delivery.delivered";
    public static final String DELIVERY_FAILED = "delivery.failed";
    public static final String DELIVERY_DEFERRED = "delivery.deferred";
    public static final String NODE_STATUS_ONLINE = "node.status.online";
    public static final String NODE_STATUS_OFFLINE = "node.status.offline";
    public static final String FILE_UPLOADED = "file.uploaded";
    public static final String WEBHOOK_RECEIVED = "webhook.received";
    public static final String ACTION_DENIED = "action.denied";
    public static final String ACTION_COMPLETED = "action.completed";
    public static final String ACTION_FAILED = "action.failed";
    public static final String ACTION_INVOKED = "action.invoked";
    public static final String ACTION_REGISTERED = "action.registered";
    /** Agent session events other than {@code status.*} fan out as {@code harness.<type>}. */
    public static final String HARNESS_PREFIX = "harness.";

    private static final Set<String> MESSAGE_BEARING = Set.of(MESSAGE_CREATED, THREAD_REPLY, DM_RECEIVED,
            GROUP_DM_RECEIVED);
    private static final Set<String> NODE_DURABLE = Set.of(MESSAGE_CREATED, THREAD_REPLY, MESSAGE_READ,
            MESSAGE_REACTED);

    private EventTypes() {
    }

    /** Whether the event carries a message and therefore a {@link StableEventId} derived from the message id. */
    public static boolean isMessageBearing(String type) {
        return type != null && MESSAGE_BEARING.contains(type);
    }

    /** Whether delivery-service emits the event (node status, agent exits, delivery lifecycle). */
    public static boolean isDeliveryServiceEvent(String type) {
        return type != null && (type.equals(NODE_STATUS_ONLINE) || type.equals(NODE_STATUS_OFFLINE)
                || type.equals(AGENT_EXITED) || type.startsWith("delivery."));
    }

    /** Whether nodes receive the event only as {@code deliver} frames, never as {@code context.update} (§6.8). */
    public static boolean isNodeDurable(String type) {
        return type != null && NODE_DURABLE.contains(type);
    }
}
