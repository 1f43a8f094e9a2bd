package dev.relay.delivery.service;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.common.auth.Capability;
import dev.relay.common.auth.Principal;
import dev.relay.common.internal.AuthClient;
import io.smallrye.mutiny.Uni;

/**
 * Which nodes a restricted workspace key (a joined machine's) may manage: those whose node token it had minted,
 * as auth-service traces the token back to its key. The admin key manages every node.
 */
@ApplicationScoped
public class KeyOwnership {

    private final AuthClient auth;

    KeyOwnership(AuthClient auth) {
        this.auth = auth;
    }

    /** The node, once the caller may manage it; otherwise 403 {@code missing_capability} naming the key. */
    public Uni<Node> requireOwn(Principal caller, Node node, String attempted) {
        if (!Capability.restricted(caller)) {
            return Uni.createFrom().item(node);
        }
        Uni<String> root = node.credentialId() == null
                ? Uni.createFrom().nullItem()
                : auth.issuerKeyOf(node.credentialId());
        return root.map(key -> {
            if (!caller.credentialId().equals(key)) {
                throw Capability.refusal(attempted + " node '" + node.name() + "', which another key enrolled,",
                        Capability.ADMIN, caller);
            }
            return node;
        });
    }
}
