package dev.relay.workspace.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;
import dev.relay.common.json.RelayJson;
import dev.relay.common.token.Tokens;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * `Idempotency-Key` on creating writes (contract §1.6). The record is claimed and completed inside the write's own
 * transaction: the first request's answer is committed with its effects, a replay answers it again without side
 * effects, and a duplicate arriving while the first is still running waits on the record's row lock, then replays.
 */
@ApplicationScoped
public class Idempotency {

    /** The header SDK 6.0.2 sends (it also sends `X-Idempotency-Key`, which the engine ignores, as the public one). */
    public static final String HEADER = "Idempotency-Key";
    /** Set on a replayed answer. */
    public static final String REPLAYED_HEADER = "Idempotency-Replayed";
    private static final int MAX_KEY_LENGTH = 255;
    private static final ObjectWriter CANONICAL = RelayJson.mapper()
            .writer()
            .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final Clock clock;
    private final Duration keep;

    Idempotency(Clock clock,
            @ConfigProperty(name = "relay.workspace.idempotency-ttl", defaultValue = "24h") Duration keep) {
        this.clock = clock;
        this.keep = keep;
    }

    /** A validated key and the fingerprint of the request it came with. */
    public record Claim(String keyHash, String fingerprint) {
    }

    /**
     * What a guarded write answers, and its last step, run after the record is completed: a write that appends an
     * event appends it there, once everything the write records is in the session. (The append no longer takes the
     * workspace's counter lock, see {@link EventLog#append}, so running it last is no longer about lock time.)
     */
    public record Written(Map<String, Object> data, Supplier<Uni<?>> last) {

        /** A write with nothing to do last. */
        public static Written of(Map<String, Object> data) {
            return new Written(data, () -> Uni.createFrom().voidItem());
        }
    }

    /** What the write answers, and whether it is a replay of an earlier answer. */
    public record Answer(int status, Map<String, Object> data, boolean replayed) {
    }

    /**
     * The claim of a request: none without a key; a key must be 1 to 255 visible ASCII characters (400
     * `invalid_idempotency_key`). The fingerprint covers the request's fields whatever their order.
     */
    public static Optional<Claim> claim(String key, Map<String, Object> request) {
        if (key == null) {
            return Optional.empty();
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new RelayException(ErrorCode.INVALID_IDEMPOTENCY_KEY, "Idempotency-Key must be 1 to "
                    + MAX_KEY_LENGTH + " visible ASCII characters");
        }
        try {
            return Optional.of(new Claim(Tokens.sha256Hex(key), Tokens.sha256Hex(CANONICAL.writeValueAsString(
                    request == null ? Map.of() : request))));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request cannot be fingerprinted", e);
        }
    }

    /**
     * Runs {@code write} (which answers 201 with its data) at most once per claim, then its last step; must run inside
     * the write's transaction. The same key with another request is 409 `idempotency_key_reused`.
     */
    public Uni<Answer> once(Optional<Claim> claim, String workspaceId, String actorId, String scope,
            Supplier<Uni<Written>> write) {
        if (claim.isEmpty()) {
            return write.get()
                    .call(written -> written.last().get())
                    .map(written -> new Answer(201, written.data(), false));
        }
        Claim c = claim.get();
        Instant now = clock.instant();
        return insert(workspaceId, actorId, scope, c, now).flatMap(inserted -> {
            if (inserted) {
                return run(c, workspaceId, actorId, scope, write);
            }
            return earlier(workspaceId, actorId, scope, c, now.minus(keep)).flatMap(row -> {
                if (Boolean.TRUE.equals(row[3])) {
                    // Expired but not yet purged: it no longer counts.
                    return forget(workspaceId, actorId, scope, c)
                            .chain(() -> insert(workspaceId, actorId, scope, c, now))
                            .chain(() -> run(c, workspaceId, actorId, scope, write));
                }
                if (!c.fingerprint().equals(row[0])) {
                    throw new RelayException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was already "
                            + "used with a different request; use a new key for a new request");
                }
                if (row[1] == null) {
                    throw new RelayException(ErrorCode.IDEMPOTENCY_IN_PROGRESS, "A request with this "
                            + "Idempotency-Key is still in progress; retry shortly");
                }
                return Uni.createFrom()
                        .item(new Answer(((Number) row[1]).intValue(), JsonText.read((String) row[2]),
                                true));
            });
        });
    }

    /** Deletes records past their time, in batches; every replica may run it, and each row goes once. */
    @Scheduled(every = "${relay.workspace.idempotency-purge-every:10m}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        Instant cutoff = clock.instant().minus(keep);
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(session -> session.createNativeQuery("delete from idempotency_records where ctid in "
                        + "(select ctid from idempotency_records where created_at < ?1 limit 10000)")
                        .setParameter(1, cutoff)
                        .executeUpdate()))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        Log.infof("idempotency: purged %d records older than %s", deleted, keep);
                    }
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("idempotency: purge failed (%s); will retry", failure.getMessage());
                    return null;
                });
    }

    private Uni<Answer> run(Claim claim, String workspaceId, String actorId, String scope,
            Supplier<Uni<Written>> write) {
        return write.get()
                .call(written -> Panache.getSession()
                        .flatMap(session -> session.createNativeQuery("update idempotency_records set status = 201, "
                                + "response = ?5 where workspace_id = ?1 and actor_id = ?2 and scope = ?3 and "
                                + "key_hash = ?4")
                                .setParameter(1, workspaceId)
                                .setParameter(2, actorId)
                                .setParameter(3, scope)
                                .setParameter(4, claim.keyHash())
                                .setParameter(5, JsonText.write(written.data()))
                                .executeUpdate()))
                .call(written -> written.last().get())
                .map(written -> new Answer(201, written.data(), false));
    }

    private static Uni<Boolean> insert(String workspaceId, String actorId, String scope, Claim claim, Instant now) {
        return Panache.getSession()
                .flatMap(session -> session
                        .createNativeQuery("insert into idempotency_records (workspace_id, actor_id, "
                                + "scope, key_hash, fingerprint, created_at) values (?1, ?2, ?3, ?4, ?5, ?6) "
                                + "on conflict do nothing")
                        .setParameter(1, workspaceId)
                        .setParameter(2, actorId)
                        .setParameter(3, scope)
                        .setParameter(4, claim.keyHash())
                        .setParameter(5, claim.fingerprint())
                        .setParameter(6, now)
                        .executeUpdate())
                .map(count -> count == 1);
    }

    /** fingerprint, status, response, and whether it was created before {@code cutoff}. */
    private static Uni<Object[]> earlier(String workspaceId, String actorId, String scope, Claim claim,
            Instant cutoff) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("select fingerprint, status, response, created_at < ?5 "
                        + "from idempotency_records where workspace_id = ?1 and actor_id = ?2 and scope = ?3 and "
                        + "key_hash = ?4", Object[].class)
                        .setParameter(5, cutoff)
                        .setParameter(1, workspaceId)
                        .setParameter(2, actorId)
                        .setParameter(3, scope)
                        .setParameter(4, claim.keyHash())
                        .getResultList())
                .map((List<Object[]> rows) -> {
                    if (rows.isEmpty()) {
                        // Deleted between the insert and this read (a purge or a workspace deletion): retryable.
                        throw new RelayException(ErrorCode.IDEMPOTENCY_IN_PROGRESS, "The Idempotency-Key's record "
                                + "changed while this request ran; retry shortly");
                    }
                    return rows.get(0);
                });
    }

    private static Uni<Integer> forget(String workspaceId, String actorId, String scope, Claim claim) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("delete from idempotency_records where workspace_id = ?1 "
                        + "and actor_id = ?2 and scope = ?3 and key_hash = ?4")
                        .setParameter(1, workspaceId)
                        .setParameter(2, actorId)
                        .setParameter(3, scope)
                        .setParameter(4, claim.keyHash())
                        .executeUpdate());
    }
}
