package dev.relay.delivery.standin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.vertx.core.json.JsonObject;

/**
 * What the stand-in auth-service remembers, for tests to assert on: the credentials it minted (so a rotation answers
 * a new token and a revocation marks them) and every internal call it answered.
 */
public final class StandInLedger {

    /** One call to an internal route: its path and JSON body. */
    public record Call(String path, JsonObject body) {
    }

    /** A minted credential, its current raw token and the one it replaced (null before any rotation). */
    public record Credential(String id, TokenKind kind, String workspaceId, String subjectId, String subjectName,
            String token, String previousToken, String status) {

        /** The credential as auth-service's internal API shows it: everything but the secret. */
        JsonObject view() {
            return new JsonObject().put("id", id)
                    .put("kind", kind.wireName())
                    .put("workspace_id", workspaceId)
                    .put("subject_id", subjectId)
                    .put("subject_name", subjectName)
                    .put("display_prefix", Tokens.displayPrefix(token))
                    .put("status", status);
        }
    }

    private final Map<String, Credential> credentials = new ConcurrentHashMap<>();
    private final Map<String, List<Call>> calls = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();

    /** Every call answered on {@code route} (`mint`, `rotate`, `revoke-subject`, `service-token`), oldest first. */
    public List<Call> calls(String route) {
        return List.copyOf(calls.getOrDefault(route, List.of()));
    }

    /** The calls on {@code route} whose body has {@code field} equal to {@code value}. */
    public List<Call> callsWith(String route, String field, String value) {
        return calls(route).stream().filter(call -> value.equals(call.body().getValue(field))).toList();
    }

    /** The calls on {@code route} whose path is {@code path}. */
    public List<Call> callsTo(String route, String path) {
        return calls(route).stream().filter(call -> call.path().equals(path)).toList();
    }

    public Optional<Credential> credential(String id) {
        return Optional.ofNullable(credentials.get(id));
    }

    /** The credential whose current token is {@code rawToken}. */
    public Credential credentialOf(String rawToken) {
        return credentials.values()
                .stream()
                .filter(c -> c.token().equals(rawToken))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the stand-in auth-service never issued that token"));
    }

    /** The credentials minted for a subject. */
    public List<Credential> credentialsOf(String workspaceId, String subjectId) {
        return credentials.values()
                .stream()
                .filter(c -> c.workspaceId().equals(workspaceId) && c.subjectId().equals(subjectId))
                .toList();
    }

    void record(String route, String path, JsonObject body) {
        calls.computeIfAbsent(route, r -> new CopyOnWriteArrayList<>()).add(new Call(path, body.copy()));
    }

    Credential mint(TokenKind kind, String workspaceId, String subjectId, String subjectName) {
        Credential credential = new Credential("cred_" + sequence.incrementAndGet(), kind, workspaceId, subjectId,
                subjectName, Tokens.generate(kind), null, "active");
        credentials.put(credential.id(), credential);
        return credential;
    }

    /** A new token for an active credential; the previous one stops verifying at once (no grace period). */
    Optional<Credential> rotate(String id) {
        Credential current = credentials.get(id);
        if (current == null || !current.status().equals("active")) {
            return Optional.empty();
        }
        Credential rotated = new Credential(id, current.kind(), current.workspaceId(), current.subjectId(),
                current.subjectName(), Tokens.generate(current.kind()), current.token(), "active");
        credentials.put(id, rotated);
        return Optional.of(rotated);
    }

    /** Marks every active credential that matches as revoked and answers them. */
    /** Revokes without a broadcast, as if the broadcast had been lost. */
    public List<Credential> revokeSilently(Predicate<Credential> which) {
        return revoke(which);
    }

    List<Credential> revoke(Predicate<Credential> which) {
        return credentials.values().stream().filter(c -> c.status().equals("active") && which.test(c)).map(c -> {
            Credential revoked = new Credential(c.id(), c.kind(), c.workspaceId(), c.subjectId(), c.subjectName(),
                    c.token(), c.previousToken(), "revoked");
            credentials.put(c.id(), revoked);
            return revoked;
        }).toList();
    }
}
