package dev.relay.workspace.standin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import dev.relay.common.token.TokenKind;
import dev.relay.common.token.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the stand-in auth-service remembers, for tests to assert on: the credentials it minted (so a rotation
 * answers a new token and a revocation marks them), every internal call it answered, and the failures a test
 * asked it to inject.
 */
public final class StandInLedger {

    /** One call to an internal route: its path and JSON body. */
    public record Call(String path, JsonObject body) {
    }

    /** A minted credential and its current raw token. */
    public record Credential(String id, TokenKind kind, String workspaceId, String subjectId, String subjectName,
            String token, String status, Instant createdAt) {

        Credential withToken(String newToken) {
            return new Credential(id, kind, workspaceId, subjectId, subjectName, newToken, status, createdAt);
        }

        Credential revoked() {
            return new Credential(id, kind, workspaceId, subjectId, subjectName, token, "revoked", createdAt);
        }

        /** The credential as auth-service's internal API shows it: everything but the secret. */
        JsonObject view() {
            return new JsonObject().put("id", id)
                    .put("kind", kind.wireName())
                    .put("workspace_id", workspaceId)
                    .put("subject_id", subjectId)
                    .put("subject_name", subjectName)
                    .put("display_prefix", Tokens.displayPrefix(token))
                    .put("status", status)
                    .put("scopes", new JsonArray())
                    .put("filters", new JsonObject())
                    .put("capabilities", new JsonArray())
                    .put("created_at", createdAt.toString());
        }
    }

    private final Map<String, Credential> credentials = new ConcurrentHashMap<>();
    private final Map<String, List<Call>> calls = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicBoolean failNextMint = new AtomicBoolean();
    private final AtomicReference<Duration> mintDelay = new AtomicReference<>(Duration.ZERO);

    /** Every call answered on {@code route} (e.g. `mint`, `rotate`, `revoke-subject`), oldest first. */
    public List<Call> calls(String route) {
        return List.copyOf(calls.getOrDefault(route, List.of()));
    }

    /** How many calls {@code route} has answered. */
    public int count(String route) {
        return calls(route).size();
    }

    /** The body of the latest call on {@code route}. */
    public JsonObject lastBody(String route) {
        return calls(route).getLast().body();
    }

    /** The calls on {@code route} whose body has {@code field} equal to {@code value}. */
    public List<Call> callsWith(String route, String field, String value) {
        return calls(route).stream().filter(call -> value.equals(call.body().getValue(field))).toList();
    }

    public Optional<Credential> credential(String id) {
        return Optional.ofNullable(credentials.get(id));
    }

    /** The credentials minted for a subject, oldest first. */
    public List<Credential> credentialsOf(String workspaceId, String subjectId) {
        return credentials.values()
                .stream()
                .filter(c -> c.workspaceId().equals(workspaceId) && c.subjectId().equals(subjectId))
                .sorted((a, b) -> Integer.compare(number(a.id()), number(b.id())))
                .toList();
    }

    /** The next mint answers HTTP 500 `internal_error`, as auth-service does when its database fails. */
    public void failNextMint() {
        failNextMint.set(true);
    }

    /** Every mint waits this long before answering (zero to stop), to let concurrent requests overlap. */
    public void delayMints(Duration delay) {
        mintDelay.set(delay);
    }

    void record(String route, String path, JsonObject body) {
        calls.computeIfAbsent(route, r -> new CopyOnWriteArrayList<>()).add(new Call(path, body.copy()));
    }

    boolean takeMintFailure() {
        return failNextMint.getAndSet(false);
    }

    Duration mintDelay() {
        return mintDelay.get();
    }

    Credential mint(TokenKind kind, String workspaceId, String subjectId, String subjectName) {
        Credential credential = new Credential("cred_" + sequence.incrementAndGet(), kind, workspaceId, subjectId,
                subjectName, Tokens.generate(kind), "active", Instant.now());
        credentials.put(credential.id(), credential);
        return credential;
    }

    /** A new token for an active credential; the previous one is forgotten (no grace period was asked for). */
    Optional<Credential> rotate(String id) {
        Credential current = credentials.get(id);
        if (current == null || !current.status().equals("active")) {
            return Optional.empty();
        }
        Credential rotated = current.withToken(Tokens.generate(current.kind()));
        credentials.put(id, rotated);
        return Optional.of(rotated);
    }

    /** Marks every active credential that matches as revoked and answers them. */
    List<Credential> revoke(Predicate<Credential> which) {
        return credentials.values()
                .stream()
                .filter(c -> c.status().equals("active") && which.test(c))
                .map(c -> {
                    credentials.put(c.id(), c.revoked());
                    return c.revoked();
                })
                .toList();
    }

    private static int number(String credentialId) {
        return Integer.parseInt(credentialId.substring("cred_".length()));
    }
}
