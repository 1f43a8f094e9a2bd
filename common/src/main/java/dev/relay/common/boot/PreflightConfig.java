package dev.relay.common.boot;

import java.io.IOException;
import java.net.URL;
import java.util.Optional;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The few settings {@link Preflight} needs, read before Quarkus boots with the same sources and precedence Quarkus
 * uses (system properties, environment, application.properties, shared defaults) and the active profile.
 */
record PreflightConfig(Optional<String> jdbcUrl, String databaseUser, String databasePassword,
        Optional<String> redisUrl) {

    static PreflightConfig load() {
        SmallRyeConfig config = build(activeProfile());
        return new PreflightConfig(
                config.getOptionalValue("quarkus.datasource.jdbc.url", String.class),
                config.getOptionalValue("quarkus.datasource.username", String.class).orElse(""),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""),
                config.getOptionalValue("quarkus.redis.hosts", String.class));
    }

    private static String activeProfile() {
        String profile = System.getProperty("quarkus.profile", System.getenv("QUARKUS_PROFILE"));
        return profile == null || profile.isBlank() ? "prod" : profile;
    }

    private static SmallRyeConfig build(String profile) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDefaultInterceptors()
                .withProfile(profile);
        URL applicationProperties = Thread.currentThread()
                .getContextClassLoader()
                .getResource("application.properties");
        if (applicationProperties != null) {
            try {
                builder.withSources(new PropertiesConfigSource(applicationProperties, 250));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + applicationProperties, e);
            }
        }
        return builder.build();
    }
}
