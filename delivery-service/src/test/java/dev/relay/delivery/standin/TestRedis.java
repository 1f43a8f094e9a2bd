package dev.relay.delivery.standin;

import dev.relay.common.redis.RedisNames;

/** The Redis the tests share with the service, and the names under its test namespace (application.properties). */
public final class TestRedis {

    /** `%test.relay.redis.namespace` of delivery-service, with the `RELAY_TEST_DB_SUFFIX` a second checkout sets. */
    public static final String NAMESPACE = "relaytestdelivery" + System.getenv()
            .getOrDefault("RELAY_TEST_DB_SUFFIX",
                    "");

    private TestRedis() {
    }

    public static String url() {
        return System.getenv().getOrDefault("RELAY_REDIS_URL", "redis://127.0.0.1:6379");
    }

    public static RedisNames names() {
        return new RedisNames(NAMESPACE);
    }
}
