package dev.relay.common.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorCodeTest {

    // 410 is the engine's own: a join code that existed but can no longer be redeemed (no SDK route answers it).
    private static final Set<Integer> CONTRACT_STATUSES = Set.of(400, 401, 403, 404, 409, 410, 413, 415, 426, 429,
            500, 501, 503);

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void wireCodeIsTheLowerCaseConstantName(ErrorCode code) {
        assertEquals(code.name().toLowerCase(), code.code());
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeHasAnErrorStatus(ErrorCode code) {
        assertTrue(CONTRACT_STATUSES.contains(code.status()), code + " -> " + code.status());
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void fromCodeFindsEveryConstant(ErrorCode code) {
        assertEquals(Optional.of(code), ErrorCode.fromCode(code.code()));
    }

    @Test
    void wireCodesAreUnique() {
        assertEquals(ErrorCode.values().length, Arrays.stream(ErrorCode.values())
                .map(ErrorCode::code)
                .collect(Collectors.toSet())
                .size());
    }

    @Test
    void fromCodeIsEmptyForUnknownOrNull() {
        assertEquals(Optional.empty(), ErrorCode.fromCode("no_such_code"));
        assertEquals(Optional.empty(), ErrorCode.fromCode(null));
    }

    @ParameterizedTest
    @CsvSource({
            "unauthorized, 401", "agent_token_invalid, 401", "node_token_invalid, 401", "observer_token_invalid, 401",
            "node_token_forbidden, 401", "observer_token_forbidden, 401", "workspace_expired, 401",
            "invalid_token, 401", "workspace_create_idempotency_owner_required, 401",
            "insufficient_scope, 403", "forbidden, 403", "agent_token_required, 403",
            "agent_recovery_not_authorized, 403", "missing_capability, 403", "node_id_mismatch, 403",
            "action_denied, 403", "not_a_member, 403",
            "invalid_request, 400", "invalid_json, 400", "invalid_idempotency_key, 400", "invalid_channel_name, 400",
            "invalid_attachments, 400", "invalid_node_name, 400", "invalid_node_delivery, 400",
            "unsafe_node_delivery_url, 400", "direct_node_capacity_exceeded, 400", "from_required, 400",
            "from_not_allowed, 400", "invalid_event_type, 400", "cannot_archive_general, 400", "channel_archived, 400",
            "invalid_session_ref, 400",
            "not_found, 404", "workspace_not_found, 404", "agent_not_found, 404", "channel_not_found, 404",
            "message_not_found, 404", "delivery_not_found, 404", "node_not_found, 404",
            "node_agent_binding_not_found, 404", "observer_token_not_found, 404", "file_not_found, 404",
            "action_not_found, 404", "invocation_not_found, 404", "dm_conversation_not_found, 404",
            "agent_already_exists, 409", "channel_already_exists, 409", "observer_token_name_conflict, 409",
            "node_name_conflict, 409", "node_capacity_exceeded, 409", "agent_bound_to_node, 409",
            "idempotency_key_reused, 409", "idempotency_in_progress, 409", "provider_instance_conflict, 409",
            "dm_conversation_id_collision, 409", "action_name_conflict, 409", "agent_provider_conflict, 409",
            "agent_location_conflict, 409", "agent_identity_mismatch, 409",
            "rate_limit_exceeded, 429", "plan_limit_exceeded, 429",
            "handler_unavailable, 503", "revocation_unsupported, 501",
            "internal_error, 500", "node_control_failed, 500", "invalid_message, 400", "upgrade_required, 426",
            "payload_too_large, 413", "unsupported_media_type, 415",
            "invite_not_found, 404", "workspace_key_not_found, 404", "invite_used, 410", "invite_expired, 410",
            "invite_revoked, 410"
    })
    void contractCodesHaveContractStatuses(String wire, int status) {
        ErrorCode code = ErrorCode.fromCode(wire).orElseThrow(() -> new AssertionError("missing " + wire));

        assertEquals(status, code.status());
    }
}
