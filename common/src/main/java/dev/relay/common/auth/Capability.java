package dev.relay.common.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.token.TokenKind;
import io.quarkus.logging.Log;

/**
 * What a restricted workspace key may do. The full (admin) key may do everything and carries no capabilities; a
 * restricted key carries a subset of the {@link #MACHINE} set, which is exactly what an agent-relay broker does with
 * a workspace key (register agents, enrol its own node, bind its own workers, rotate the tokens of agents it
 * registered, read the roster). Every other use of a workspace key needs {@link #ADMIN}, which only the full key has.
 */
public enum Capability {

    /** {@code POST /v1/agents}. */
    AGENTS_REGISTER("agents:register"),
    /** The roster: {@code GET /v1/agents}, {@code GET /v1/agents/:name}, {@code GET /v1/agents/presence}. */
    AGENTS_READ("agents:read"),
    /** {@code POST /v1/agents/:name/rotate-token} and {@code PATCH /v1/agents/:name}, for agents this key registered. */
    AGENTS_MANAGE_OWN("agents:manage_own"),
    /** {@code POST /v1/nodes}: enrol a new node, or re-enrol one this key enrolled. */
    NODES_ENROLL_OWN("nodes:enroll_own"),
    /** Bind and unbind agents on a node this key enrolled. */
    NODES_BIND_OWN("nodes:bind_own"),
    /** Everything else a workspace key does; only the full key has it, and it cannot be granted. */
    ADMIN("admin");

    /** What a machine joining a workspace gets by default, and the most an invite may grant. */
    public static final Set<Capability> MACHINE = Set.copyOf(EnumSet.range(AGENTS_REGISTER, NODES_BIND_OWN));

    private final String wireName;

    Capability(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Capability> fromWireName(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
    }

    /** The wire names of the machine set, in declaration order (for defaults and messages). */
    public static List<String> machineWireNames() {
        return EnumSet.copyOf(MACHINE).stream().map(Capability::wireName).toList();
    }

    /**
     * Whether a workspace-key principal may use {@code needed}: the full key (no capabilities) may use anything, a
     * restricted key only what it lists.
     */
    public static boolean granted(Principal principal, Capability needed) {
        return principal.kind() != TokenKind.WORKSPACE_KEY || principal.capabilities().isEmpty()
                || principal.capabilities().contains(needed.wireName());
    }

    /** A restricted workspace key: a workspace key carrying capabilities. */
    public static boolean restricted(Principal principal) {
        return principal.kind() == TokenKind.WORKSPACE_KEY
                && !principal.capabilities().isEmpty();
    }

    /**
     * The 403 a restricted key gets: names what was attempted, the capability it needs, the key by its display prefix
     * and what the key does have, so the operator knows whether to use the admin key or mint another invite.
     */
    public static RelayException refusal(String attempted, Capability needed, Principal principal) {
        Log.infof("refused.missing_capability attempted=\"%s\" needs=%s key=%s hash=%s workspace=%s", attempted,
                needed.wireName(), principal.credentialId(), principal.hashPrefix(), principal.workspaceId());
        return new RelayException(ErrorCode.MISSING_CAPABILITY,
                refusalMessage(attempted, needed, principal.displayPrefix(), principal.capabilities()));
    }

    /** The message of {@link #refusal}, for a key known by its display prefix and capabilities. */
    public static String refusalMessage(String attempted, Capability needed, String displayPrefix, List<String> has) {
        return attempted + " needs capability '" + needed.wireName() + "', which workspace key " + displayPrefix
                + "… does not have (it has: " + String.join(", ", has) + ")"
                + (needed == ADMIN ? "; only the workspace's admin key may do this" : "");
    }
}
