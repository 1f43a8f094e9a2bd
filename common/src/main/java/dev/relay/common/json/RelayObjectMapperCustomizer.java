package dev.relay.common.json;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Hands Quarkus's ObjectMapper to {@link RelayJson#configure}, so REST bodies in every service follow the same JSON
 * rules; it runs after Quarkus's own {@code quarkus.jackson.*} settings and therefore wins over them.
 */
@Singleton
public class RelayObjectMapperCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        RelayJson.configure(mapper);
    }
}
