package dev.relay.common.error;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalogue of error codes the engine puts on the wire (contract §1.4 plus the engine's own transport codes),
 * kept in one place because the SDK branches on both the code string and the HTTP status.
 */
public enum ErrorCode {

    // Auth
    UNAUTHORIZED("unauthorized"),
    AGENT_TOKEN_INVALID("agent_token_invalid"),
    NODE_TOKEN_INVALID("node_token_invalid"),
    OBSERVER_TOKEN_INVALID("observer_token_invalid"),
    NODE_TOKEN_FORBIDDEN("node_token_forbidden"),
    OBSERVER_TOKEN_FORBIDDEN("observer_token_forbidden"),
    WORKSPACE_EXPIRED("workspace_expired"),
    INVALID_TOKEN("invalid_token"),
    WORKSPACE_CREATE_IDEMPOTENCY_OWNER_REQUIRED("workspace_create_idempotency_owner_required"),
    INSUFFICIENT_SCOPE("insufficient_scope"),
    FORBIDDEN("forbidden"),
    AGENT_TOKEN_REQUIRED("agent_token_required"),
    AGENT_RECOVERY_NOT_AUTHORIZED("agent_recovery_not_authorized"),
    MISSING_CAPABILITY("missing_capability"),
    NODE_ID_MISMATCH("node_id_mismatch"),
    ACTION_DENIED("action_denied"),

    // Join codes: a code that existed but can no longer be redeemed (410 Gone), each with its own reason
    INVITE_USED("invite_used"),
    INVITE_EXPIRED("invite_expired"),
    INVITE_REVOKED("invite_revoked"),

    // Validation
    INVALID_REQUEST("invalid_request"),
    INVALID_JSON("invalid_json"),
    INVALID_IDEMPOTENCY_KEY("invalid_idempotency_key"),
    INVALID_CHANNEL_NAME("invalid_channel_name"),
    INVALID_ATTACHMENTS("invalid_attachments"),
    INVALID_NODE_NAME("invalid_node_name"),
    INVALID_NODE_DELIVERY("invalid_node_delivery"),
    UNSAFE_NODE_DELIVERY_URL("unsafe_node_delivery_url"),
    DIRECT_NODE_CAPACITY_EXCEEDED("direct_node_capacity_exceeded"),
    FROM_REQUIRED("from_required"),
    FROM_NOT_ALLOWED("from_not_allowed"),
    INVALID_EVENT_TYPE("invalid_event_type"),
    CANNOT_ARCHIVE_GENERAL("cannot_archive_general"),
    CHANNEL_ARCHIVED("channel_archived"),
    INVALID_SESSION_REF("invalid_session_ref"),
    INVALID_MESSAGE("invalid_message"),

    // Not found
    NOT_FOUND("not_found"),
    WORKSPACE_NOT_FOUND("workspace_not_found"),
    AGENT_NOT_FOUND("agent_not_found"),
    CHANNEL_NOT_FOUND("channel_not_found"),
    MESSAGE_NOT_FOUND("message_not_found"),
    DELIVERY_NOT_FOUND("delivery_not_found"),
    NODE_NOT_FOUND("node_not_found"),
    NODE_AGENT_BINDING_NOT_FOUND("node_agent_binding_not_found"),
    OBSERVER_TOKEN_NOT_FOUND("observer_token_not_found"),
    INVITE_NOT_FOUND("invite_not_found"),
    WORKSPACE_KEY_NOT_FOUND("workspace_key_not_found"),
    FILE_NOT_FOUND("file_not_found"),
    ACTION_NOT_FOUND("action_not_found"),
    INVOCATION_NOT_FOUND("invocation_not_found"),
    DM_CONVERSATION_NOT_FOUND("dm_conversation_not_found"),

    // Conflict
    AGENT_ALREADY_EXISTS("agent_already_exists"),
    CHANNEL_ALREADY_EXISTS("channel_already_exists"),
    OBSERVER_TOKEN_NAME_CONFLICT("observer_token_name_conflict"),
    NODE_NAME_CONFLICT("node_name_conflict"),
    NODE_CAPACITY_EXCEEDED("node_capacity_exceeded"),
    AGENT_BOUND_TO_NODE("agent_bound_to_node"),
    IDEMPOTENCY_KEY_REUSED("idempotency_key_reused"),
    IDEMPOTENCY_IN_PROGRESS("idempotency_in_progress"),
    PROVIDER_INSTANCE_CONFLICT("provider_instance_conflict"),
    DM_CONVERSATION_ID_COLLISION("dm_conversation_id_collision"),
    ACTION_NAME_CONFLICT("action_name_conflict"),
    AGENT_PROVIDER_CONFLICT("agent_provider_conflict"),
    AGENT_LOCATION_CONFLICT("agent_location_conflict"),
    AGENT_IDENTITY_MISMATCH("agent_identity_mismatch"),

    // Membership
    NOT_A_MEMBER("not_a_member"),

    // Limits
    RATE_LIMIT_EXCEEDED("rate_limit_exceeded"),
    PLAN_LIMIT_EXCEEDED("plan_limit_exceeded"),

    // Transport
    PAYLOAD_TOO_LARGE("payload_too_large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
    UPGRADE_REQUIRED("upgrade_required"),

    // Availability and server faults
    INTERNAL_ERROR("internal_error"),
    NODE_CONTROL_FAILED("node_control_failed"),
    REVOCATION_UNSUPPORTED("revocation_unsupported"),
    HANDLER_UNAVAILABLE("handler_unavailable");

    private static final Map<String, ErrorCode> BY_CODE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ErrorCode::code, Function.identity()));

    private final String code;

    ErrorCode(String code) {
        this.code = code;
    }

    /** The snake_case string the wire carries in {@code error.code}. */
    public String code() {
        return code;
    }

    /** The HTTP status this code is answered with; the one place codes meet statuses. */
    public int status() {
        return switch (this) {
            case INVALID_REQUEST, INVALID_JSON, INVALID_IDEMPOTENCY_KEY, INVALID_CHANNEL_NAME -> 400;
            case INVALID_ATTACHMENTS, INVALID_NODE_NAME, INVALID_NODE_DELIVERY, UNSAFE_NODE_DELIVERY_URL -> 400;
            case DIRECT_NODE_CAPACITY_EXCEEDED, FROM_REQUIRED, FROM_NOT_ALLOWED, INVALID_EVENT_TYPE -> 400;
            case CANNOT_ARCHIVE_GENERAL, CHANNEL_ARCHIVED, INVALID_SESSION_REF, INVALID_MESSAGE -> 400;
            case UNAUTHORIZED, AGENT_TOKEN_INVALID, NODE_TOKEN_INVALID, OBSERVER_TOKEN_INVALID -> 401;
            case NODE_TOKEN_FORBIDDEN, OBSERVER_TOKEN_FORBIDDEN, WORKSPACE_EXPIRED, INVALID_TOKEN -> 401;
            case WORKSPACE_CREATE_IDEMPOTENCY_OWNER_REQUIRED -> 401;
            case INSUFFICIENT_SCOPE, FORBIDDEN, AGENT_TOKEN_REQUIRED, AGENT_RECOVERY_NOT_AUTHORIZED -> 403;
            case MISSING_CAPABILITY, NODE_ID_MISMATCH, ACTION_DENIED, NOT_A_MEMBER -> 403;
            case NOT_FOUND, WORKSPACE_NOT_FOUND, AGENT_NOT_FOUND, CHANNEL_NOT_FOUND, MESSAGE_NOT_FOUND -> 404;
            case DELIVERY_NOT_FOUND, NODE_NOT_FOUND, NODE_AGENT_BINDING_NOT_FOUND, OBSERVER_TOKEN_NOT_FOUND -> 404;
            case FILE_NOT_FOUND, ACTION_NOT_FOUND, INVOCATION_NOT_FOUND, DM_CONVERSATION_NOT_FOUND -> 404;
            case INVITE_NOT_FOUND, WORKSPACE_KEY_NOT_FOUND -> 404;
            case INVITE_USED, INVITE_EXPIRED, INVITE_REVOKED -> 410;
            case AGENT_ALREADY_EXISTS, CHANNEL_ALREADY_EXISTS, OBSERVER_TOKEN_NAME_CONFLICT, NODE_NAME_CONFLICT -> 409;
            case NODE_CAPACITY_EXCEEDED, AGENT_BOUND_TO_NODE, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_IN_PROGRESS -> 409;
            case PROVIDER_INSTANCE_CONFLICT, DM_CONVERSATION_ID_COLLISION, ACTION_NAME_CONFLICT -> 409;
            case AGENT_PROVIDER_CONFLICT, AGENT_LOCATION_CONFLICT, AGENT_IDENTITY_MISMATCH -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case UPGRADE_REQUIRED -> 426;
            case RATE_LIMIT_EXCEEDED, PLAN_LIMIT_EXCEEDED -> 429;
            case INTERNAL_ERROR, NODE_CONTROL_FAILED -> 500;
            case REVOCATION_UNSUPPORTED -> 501;
            case HANDLER_UNAVAILABLE -> 503;
        };
    }

    /** The constant whose wire string is {@code code}, if the catalogue has one. */
    public static Optional<ErrorCode> fromCode(String code) {
        return Optional.ofNullable(code).map(BY_CODE::get);
    }
}
