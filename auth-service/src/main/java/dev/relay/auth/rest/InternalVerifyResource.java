package dev.relay.auth.rest;

import dev.relay.common.internal.CallableBy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.Verification;
import dev.relay.auth.service.Verification.Refused;
import dev.relay.auth.service.Verification.Verified;
import dev.relay.auth.service.VerificationService;
import dev.relay.auth.service.VerificationService.Requirement;
import dev.relay.common.auth.Principal;
import dev.relay.common.token.TokenKind;
import dev.relay.common.wire.ErrorBody;
import dev.relay.common.wire.Success;
import io.smallrye.mutiny.Uni;

/**
 * `POST /internal/credentials/verify`: the gateway (and any service holding a raw token) asks whether a token may
 * call a route. A refusal is a normal answer (200) with its reason, the caller's error code and message.
 */
@Path("/internal/credentials/verify")
@CallableBy({"observer-gateway", "delivery-service", "workspace-service"})
public class InternalVerifyResource {

    private final VerificationService verifier;
    private final CallingService caller;

    InternalVerifyResource(VerificationService verifier, CallingService caller) {
        this.verifier = verifier;
        this.caller = caller;
    }

    /**
     * @param kinds      the token kinds the route takes (wire names); empty or absent = any kind
     * @param anyScope   for observer tokens: the route needs at least one of these scopes
     * @param remoteHost the original client's address, for the audit trail
     */
    public record VerifyBody(String token, List<String> kinds, List<String> anyScope, String remoteHost) {
    }

    /** `outcome` is `verified` (principal, jwt) or `refused` (reason, status, error, kind, hash_prefix). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outcome(String outcome, PrincipalView principal, String jwt, Instant jwtExpiresAt, String reason,
            Integer status, ErrorBody error, String kind, String hashPrefix) {
    }

    /** The verified principal on the wire: as {@link Principal}, with the kind by its wire name. */
    public record PrincipalView(String kind, String workspaceId, String subjectId, String subjectName,
            List<String> scopes, Map<String, Object> filters, List<String> capabilities, String credentialId,
            String hashPrefix, String displayPrefix) {

        static PrincipalView of(Principal p) {
            return new PrincipalView(p.kind().wireName(), p.workspaceId(), p.subjectId(), p.subjectName(),
                    p.scopes(), p.filters(), p.capabilities(), p.credentialId(), p.hashPrefix(), p.displayPrefix());
        }
    }

    @POST
    public Uni<Success<Outcome>> verify(@Valid @NotNull VerifyBody body) {
        Requirement requirement = new Requirement(InternalCredentialResource.kinds(body.kinds()), body.anyScope());
        return verifier.verify(body.token(), requirement, new Caller(caller.name(), body.remoteHost()))
                .map(result -> Success.of(outcome(result)));
    }

    private static Outcome outcome(Verification result) {
        return switch (result) {
            case Verified verified -> new Outcome("verified", PrincipalView.of(verified.principal()), verified.jwt(),
                    verified.jwtExpiresAt(), null, null, null, verified.principal().kind().wireName(),
                    verified.principal().hashPrefix());
            case Refused refused -> new Outcome("refused", null, null, null, refused.reason().wireName(),
                    refused.errorCode().status(), new ErrorBody(refused.errorCode().code(), refused.message()),
                    refused.presentedKind().map(TokenKind::wireName).orElse(null), refused.hashPrefix().orElse(null));
        };
    }
}
