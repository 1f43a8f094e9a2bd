package dev.relay.common.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.relay.common.wire.Failure;
import dev.relay.common.wire.Success;

class RelayJsonTest {

    private final ObjectMapper json = RelayJson.mapper();

    record NodeView(String nodeId, int maxAgents, Instant lastHeartbeatAt, Optional<String> machineId) {
    }

    record Counter(Integer count, Long total, Boolean enabled, Double load) {
    }

    record Primitive(int count) {
    }

    record Named(String name) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record StrictByAnnotation(String name) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Lenient(String name) {
    }

    record Metadata(Map<String, Object> metadata) {
    }

    enum Mode {
        WAIT,
        STEER
    }

    record WithMode(Mode mode) {
    }

    @Test
    void writesSnakeCaseProperties() throws Exception {
        String out = json.writeValueAsString(new NodeView("node_1", 3, null, Optional.of("m-1")));

        assertEquals("{\"node_id\":\"node_1\",\"max_agents\":3,\"last_heartbeat_at\":null,\"machine_id\":\"m-1\"}",
                out);
    }

    @Test
    void readsSnakeCaseProperties() throws Exception {
        NodeView view = json.readValue("{\"node_id\":\"n\",\"max_agents\":2,\"machine_id\":null}", NodeView.class);

        assertEquals(new NodeView("n", 2, null, Optional.empty()), view);
    }

    @Test
    void leavesMapKeysAsTheClientSentThem() throws Exception {
        Metadata metadata = json.readValue("{\"metadata\":{\"camelKey\":1,\"snake_key\":2}}", Metadata.class);

        assertEquals("{\"metadata\":{\"camelKey\":1,\"snake_key\":2}}", json.writeValueAsString(metadata));
    }

    @Test
    void writesInstantsLikeJavaScriptToIsoString() throws Exception {
        assertEquals("\"2026-11-24T09:14:03.120Z\"", json.writeValueAsString(Instant.parse("2026-11-24T09:14:03.12Z")));
    }

    @Test
    void truncatesInstantNanosToMillis() throws Exception {
        Instant withNanos = Instant.parse("2026-11-24T09:14:03.123456789Z");

        assertEquals("\"2026-11-24T09:14:03.123Z\"", json.writeValueAsString(withNanos));
    }

    @Test
    void writesThreeZeroDigitsForWholeSeconds() throws Exception {
        assertEquals("\"2026-01-01T00:00:00.000Z\"", json.writeValueAsString(Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void keepsTheInstantFormatWhenJavaTimeModuleIsRegisteredAgain() throws Exception {
        ObjectMapper mapper = RelayJson.configure(new ObjectMapper());
        mapper.registerModule(new JavaTimeModule()); // what a later Quarkus customizer may do

        assertEquals("\"2026-01-01T00:00:00.000Z\"", mapper.writeValueAsString(Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void keepsTheInstantFormatWhenJavaTimeModuleWasRegisteredBefore() throws Exception {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
        RelayJson.configure(mapper);

        assertEquals("\"2026-01-01T00:00:00.000Z\"", mapper.writeValueAsString(Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void readsIsoInstantsWithAnyFraction() throws Exception {
        assertEquals(Instant.parse("2026-11-24T09:14:03.120Z"), json.readValue("\"2026-11-24T09:14:03.12Z\"",
                Instant.class));
        assertEquals(Instant.parse("2026-11-24T09:14:03Z"), json.readValue("\"2026-11-24T09:14:03Z\"",
                Instant.class));
    }

    @Test
    void refusesUnknownFieldsByDefault() {
        assertThrows(UnrecognizedPropertyException.class, () -> json.readValue("{\"name\":\"a\",\"x\":1}",
                Named.class));
    }

    @Test
    void lenientRecordsOptOutOfUnknownFieldChecks() throws Exception {
        assertEquals(new Lenient("a"), json.readValue("{\"name\":\"a\",\"x\":1}", Lenient.class));
    }

    /** Why the global feature is on: with it off, ignoreUnknown = false does not make a record strict. */
    @Test
    void ignoreUnknownFalseAloneDoesNotRefuseUnknownFields() throws Exception {
        ObjectMapper globallyLenient = RelayJson.configure(new ObjectMapper())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

        StrictByAnnotation read = globallyLenient.readValue("{\"name\":\"a\",\"x\":1}", StrictByAnnotation.class);

        assertEquals(new StrictByAnnotation("a"), read);
    }

    @Test
    void refusesAStringWhereAnIntegerBelongs() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"count\":\"3\"}", Counter.class));
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"total\":\"3\"}", Counter.class));
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"count\":\"\"}", Counter.class));
    }

    @Test
    void refusesAStringWhereABooleanOrNumberBelongs() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"enabled\":\"true\"}", Counter.class));
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"load\":\"1.5\"}", Counter.class));
    }

    @Test
    void refusesAFloatWhereAnIntegerBelongs() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"count\":1.5}", Counter.class));
    }

    @Test
    void refusesANumberWhereABooleanBelongs() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"enabled\":1}", Counter.class));
    }

    @Test
    void refusesNullForPrimitives() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"count\":null}", Primitive.class));
    }

    /** FAIL_ON_NULL_FOR_PRIMITIVES makes a primitive record component required; optional numbers must be boxed. */
    @Test
    void refusesAMissingPrimitive() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{}", Primitive.class));
    }

    @Test
    void acceptsAMissingBoxedNumber() throws Exception {
        assertEquals(new Counter(null, null, null, null), json.readValue("{}", Counter.class));
    }

    @Test
    void readsMatchingScalars() throws Exception {
        Counter counter = json.readValue("{\"count\":1,\"total\":2,\"enabled\":true,\"load\":0.5}", Counter.class);

        assertEquals(new Counter(1, 2L, true, 0.5), counter);
    }

    @Test
    void refusesANumberOrBooleanWhereAStringBelongs() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"name\":5}", Named.class));
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"name\":1.5}", Named.class));
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"name\":true}", Named.class));
    }

    @Test
    void refusesNumbersForEnums() {
        assertThrows(MismatchedInputException.class, () -> json.readValue("{\"mode\":1}", WithMode.class));
    }

    @Test
    void acceptsAnIntegerWhereANumberBelongs() throws Exception {
        assertEquals(2.0, json.readValue("{\"load\":2}", Counter.class).load());
    }

    @Test
    void refusesNestingDeeperThan64() {
        String deep = "[".repeat(65) + "]".repeat(65);

        Exception e = assertThrows(Exception.class, () -> json.readValue(deep, JsonNode.class));
        assertInstanceOf(StreamConstraintsException.class, e);
    }

    @Test
    void acceptsNestingOf64() throws Exception {
        String deep = "[".repeat(64) + "]".repeat(64);

        assertTrue(json.readValue(deep, JsonNode.class).isArray());
    }

    @Test
    void refusesStringsLongerThanOneMebibyte() {
        String huge = "\"" + "a".repeat(RelayJson.MAX_STRING_LENGTH + 1) + "\"";

        assertThrows(StreamConstraintsException.class, () -> json.readValue(huge, String.class));
    }

    @Test
    void writesSuccessWithoutDataAsOkOnly() throws Exception {
        assertEquals("{\"ok\":true}", json.writeValueAsString(Success.of(null)));
    }

    @Test
    void writesSuccessWithSnakeCaseData() throws Exception {
        String out = json.writeValueAsString(Success.of(new Named("general")));

        assertEquals("{\"ok\":true,\"data\":{\"name\":\"general\"}}", out);
    }

    @Test
    void writesFailureInTheContractShape() throws Exception {
        String out = json.writeValueAsString(Failure.of("channel_not_found", "Channel not found"));

        assertEquals("{\"ok\":false,\"error\":{\"code\":\"channel_not_found\",\"message\":\"Channel not found\"}}",
                out);
    }

    @Test
    void configureReturnsTheSameMapper() {
        ObjectMapper mapper = new ObjectMapper();

        assertEquals(mapper, RelayJson.configure(mapper));
    }

    @Test
    void customizerAppliesTheSameSettings() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        new RelayObjectMapperCustomizer().customize(mapper);

        assertEquals("{\"max_agents\":1}", mapper.writeValueAsString(Map.of("max_agents", 1)));
        assertThrows(UnrecognizedPropertyException.class, () -> mapper.readValue("{\"x\":1}", Named.class));
        assertEquals("\"2026-01-01T00:00:00.000Z\"", mapper.writeValueAsString(Instant.parse("2026-01-01T00:00:00Z")));
    }
}
