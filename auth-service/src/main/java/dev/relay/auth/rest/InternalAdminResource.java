package dev.relay.auth.rest;

import dev.relay.common.internal.CallableBy;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import dev.relay.auth.service.AuditLog.Caller;
import dev.relay.auth.service.KindBackfill;
import dev.relay.common.wire.Success;
import io.smallrye.mutiny.Uni;

/** Operator repairs, called by `./relay admin ...` with the admin service identity. */
@Path("/internal/admin")
@CallableBy("relay-admin")
public class InternalAdminResource {

    private final KindBackfill backfill;
    private final CallingService caller;

    InternalAdminResource(KindBackfill backfill, CallingService caller) {
        this.backfill = backfill;
        this.caller = caller;
    }

    public record BackfillBody(Boolean dryRun) {
    }

    /** Infers the kind and workspace of legacy credentials; `{"dry_run": true}` reports without changing. */
    @POST
    @Path("/backfill-kinds")
    public Uni<Success<KindBackfill.Report>> backfillKinds(BackfillBody body) {
        boolean dryRun = body != null && Boolean.TRUE.equals(body.dryRun());
        return backfill.run(dryRun, new Caller(caller.name(), null)).map(Success::of);
    }
}
