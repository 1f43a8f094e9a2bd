package dev.relay.common.json;

import java.time.Instant;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The single place the wire's JSON rules live (snake_case, JavaScript-style timestamps, strict types, unknown fields
 * refused), applied to Quarkus's ObjectMapper by {@link RelayObjectMapperCustomizer} and available as
 * {@link #mapper()} where there is no CDI.
 * <p>
 * Unknown fields: Jackson only honours {@code @JsonIgnoreProperties(ignoreUnknown = false)} when the global
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} is on, so the global feature is on and lenient records opt out with
 * {@code @JsonIgnoreProperties(ignoreUnknown = true)}.
 */
public final class RelayJson {

    static final int MAX_NESTING_DEPTH = 64;
    static final int MAX_STRING_LENGTH = 1_048_576;

    private static final ObjectMapper SHARED = configure(new ObjectMapper());

    private RelayJson() {
    }

    /** Applies every Relay JSON setting to {@code mapper} and returns it. */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .build());
        // Order matters: the Instant module comes after JavaTimeModule so its serializer wins.
        mapper.registerModule(new JavaTimeModule());
        mapper.registerModule(new Jdk8Module());
        mapper.registerModule(new SimpleModule("relay-instant").addSerializer(Instant.class,
                new JavaScriptInstantSerializer()));
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        disableScalarCoercion(mapper);
        refuseWrongTypes(mapper);
        return mapper;
    }

    /** A shared mapper with the same settings, for code that runs outside CDI (tests, tools, WebSocket frames). */
    public static ObjectMapper mapper() {
        return SHARED;
    }

    @SuppressWarnings("deprecation") // a built mapper (what Quarkus hands us) can only change MapperFeatures this way
    private static void disableScalarCoercion(ObjectMapper mapper) {
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
    }

    /** "Wrong types must be refused": no string becomes a number or boolean, no number or boolean a string. */
    private static void refuseWrongTypes(ObjectMapper mapper) {
        for (LogicalType scalar : new LogicalType[]{LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(scalar)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
}
