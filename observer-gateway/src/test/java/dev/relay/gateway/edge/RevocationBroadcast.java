package dev.relay.gateway.edge;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.relay.common.auth.CredentialChange;
import dev.relay.common.json.RelayJson;
import dev.relay.common.redis.RedisNames;
import dev.relay.common.token.Tokens;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/** Test helper: announces a revocation on the real Redis, as auth-service does. */
public final class RevocationBroadcast {

    private RevocationBroadcast() {
    }

    static void publish(String rawToken) throws Exception {
        publish(new CredentialChange(CredentialChange.REVOKED, "cred_1", "agent_token", "w1", "a1",
                List.of(Tokens.sha256Hex(rawToken)), "agent_token_revoked", Instant.now()));
    }

    /** Publishes the change on the revocation channel of the running application's Redis namespace. */
    public static void publish(CredentialChange change) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379");
            redis.send(Request.cmd(Command.PUBLISH)
                    .arg(new RedisNames(ConfigProvider.getConfig().getValue("relay.redis.namespace", String.class))
                            .revocationChannel())
                    .arg(RelayJson.mapper().writeValueAsString(change)))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get();
            redis.close();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
