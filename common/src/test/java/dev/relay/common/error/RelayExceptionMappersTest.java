package dev.relay.common.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.jboss.resteasy.reactive.RestResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import dev.relay.common.json.RelayJson;
import dev.relay.common.wire.Failure;

class RelayExceptionMappersTest {

    private static final Pattern REFERENCE = Pattern.compile("Internal server error \\(ref ([0-9a-f]{8})\\)");
    private static final ValidatorFactory VALIDATION = Validation.byDefaultProvider()
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory();

    private final RelayExceptionMappers mappers = new RelayExceptionMappers();

    enum Mode {
        WAIT,
        STEER
    }

    record Nested(int value) {
        Nested {
            if (value < 0) {
                throw new IllegalArgumentException("value must not be negative");
            }
        }
    }

    record Guarded(String name) {
        Guarded {
            if ("general".equals(name)) {
                throw new RelayException(ErrorCode.CHANNEL_ALREADY_EXISTS, "Channel already exists");
            }
        }
    }

    record Limits(int maxAgents) {
    }

    record NodeRequest(String name, Integer maxAgents, List<String> tags, Nested nested, Instant availableAt, Mode mode,
            List<Guarded> items, Guarded guarded) {
    }

    record CreateNode(@NotBlank String name, @Min(0) int maxAgents, @NotNull String machineId) {
    }

    static class NodeService {
        @NotNull
        public String describe() {
            return null;
        }
    }

    @AfterAll
    static void closeValidation() {
        VALIDATION.close();
    }

    @Test
    void relayExceptionKeepsItsStatusCodeAndMessage() {
        RestResponse<Failure> response = mappers.mapRelay(RelayException.conflict(ErrorCode.AGENT_ALREADY_EXISTS,
                "Agent \"a\" already exists"));

        assertFailure(response, 409, "agent_already_exists", "Agent \"a\" already exists");
    }

    @Test
    void relayExceptionWithAServerStatusKeepsItsCode() {
        RestResponse<Failure> response = mappers.mapRelay(new RelayException(ErrorCode.HANDLER_UNAVAILABLE,
                "No live handler"));

        assertFailure(response, 503, "handler_unavailable", "No live handler");
    }

    @Test
    void relayInternalErrorIsAnsweredWithAReference() {
        RestResponse<Failure> response = mappers.mapRelay(new RelayException(ErrorCode.INTERNAL_ERROR, "db down"));

        assertInternal(response, 500);
    }

    @Test
    void malformedJsonIsInvalidJson() {
        JsonParseException e = readFailure("{\"name\": nope}", JsonParseException.class);

        assertFailure(mappers.mapMalformedJson(e), 400, "invalid_json", "Malformed JSON in request body");
    }

    @Test
    void truncatedJsonIsInvalidJson() {
        JsonEOFException e = readFailure("{\"name\": \"a\"", JsonEOFException.class);

        assertFailure(mappers.mapMalformedJson(e), 400, "invalid_json", "Malformed JSON in request body");
    }

    @Test
    void unknownFieldIsNamed() {
        UnrecognizedPropertyException e = readFailure("{\"name\":\"a\",\"nmae\":\"b\"}",
                UnrecognizedPropertyException.class);

        assertFailure(mappers.mapUnknownField(e), 400, "invalid_request", "Unknown field 'nmae'");
    }

    @Test
    void unknownNestedFieldIsNamedByItsPath() {
        UnrecognizedPropertyException e = readFailure("{\"items\":[{\"name\":\"a\"},{\"nme\":\"b\"}]}",
                UnrecognizedPropertyException.class);

        assertFailure(mappers.mapUnknownField(e), 400, "invalid_request", "Unknown field 'items[1].nme'");
    }

    @Test
    void stringForIntegerNamesFieldAndType() {
        MismatchedInputException e = readFailure("{\"max_agents\":\"3\"}", MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'max_agents' must be an integer");
    }

    @Test
    void floatForIntegerNamesFieldAndType() {
        MismatchedInputException e = readFailure("{\"max_agents\":1.5}", MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'max_agents' must be an integer");
    }

    @Test
    void nullForPrimitiveNamesFieldAndType() {
        MismatchedInputException e = readFailure("{\"max_agents\":null}", Limits.class, MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'max_agents' must be an integer");
    }

    @Test
    void missingPrimitiveNamesFieldAndType() {
        MismatchedInputException e = readFailure("{}", Limits.class, MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'max_agents' must be an integer");
    }

    @Test
    void numberForStringNamesFieldAndType() {
        MismatchedInputException e = readFailure("{\"name\":5}", MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'name' must be a string");
    }

    @Test
    void scalarForArrayNamesFieldAndType() {
        MismatchedInputException e = readFailure("{\"tags\":\"a\"}", MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'tags' must be an array");
    }

    @Test
    void wrongArrayElementIsNamedByIndex() {
        MismatchedInputException e = readFailure("{\"tags\":[\"a\",7]}", MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'tags[1]' must be a string");
    }

    @Test
    void scalarForObjectNamesFieldAndType() {
        MismatchedInputException e = readFailure("{\"nested\":3}", MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Field 'nested' must be an object");
    }

    @Test
    void badTimestampAsksForIso8601() {
        InvalidFormatException e = readFailure("{\"available_at\":\"tomorrow\"}", InvalidFormatException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request",
                "Field 'available_at' must be an ISO-8601 timestamp");
    }

    @Test
    void unknownEnumValueAsksForAnAllowedValue() {
        InvalidFormatException e = readFailure("{\"mode\":\"FAST\"}", InvalidFormatException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request",
                "Field 'mode' must be one of the allowed values");
    }

    @Test
    void wrongRootShapeNamesTheBody() {
        MismatchedInputException e = readFailure("[1,2]", MismatchedInputException.class);

        assertFailure(mappers.mapMismatchedInput(e), 400, "invalid_request", "Request body must be an object");
    }

    @Test
    void numberOutOfRangeNamesField() {
        WebApplicationException wrapped = new WebApplicationException(readFailure("{\"max_agents\":99999999999}",
                Exception.class), 400);

        assertFailure(mappers.mapWebApplication(wrapped), 400, "invalid_request",
                "Field 'max_agents' must be an integer within range");
    }

    @Test
    void failedInstantiationNamesTheField() {
        ValueInstantiationException e = readFailure("{\"nested\":{\"value\":-1}}", ValueInstantiationException.class);

        assertFailure(mappers.mapValueInstantiation(e), 400, "invalid_request", "Field 'nested' is invalid");
    }

    @Test
    void relayExceptionFromARecordConstructorKeepsItsCode() {
        ValueInstantiationException e = readFailure("{\"guarded\":{\"name\":\"general\"}}",
                ValueInstantiationException.class);

        assertFailure(mappers.mapValueInstantiation(e), 409, "channel_already_exists", "Channel already exists");
    }

    @Test
    void messagesNeverNameJavaClasses() {
        for (String body : List.of("{\"max_agents\":\"3\"}", "{\"nested\":3}", "{\"nested\":{\"value\":-1}}", "[1]",
                "{\"mode\":7}")) {
            Failure failure = mappers.mapWebApplication(new BadRequestException(readFailure(body, Exception.class)))
                    .getEntity();
            String message = failure.error().message();

            assertFalse(message.contains("Exception") || message.contains("dev.relay") || message.contains("java.")
                    || message.contains("Nested") || message.contains("NodeRequest"), message);
        }
    }

    @Test
    void constraintViolationNamesTheFirstFieldInSnakeCase() {
        Validator validator = VALIDATION.getValidator();
        Set<ConstraintViolation<CreateNode>> violations = validator.validate(new CreateNode("", -1, "m"));

        RestResponse<Failure> response = mappers.mapConstraintViolation(new ConstraintViolationException(violations));

        assertFailure(response, 400, "invalid_request", "max_agents: must be greater than or equal to 0");
    }

    @Test
    void constraintViolationOnAReturnValueIsOurFault() throws Exception {
        Validator validator = VALIDATION.getValidator();
        NodeService service = new NodeService();
        Set<ConstraintViolation<NodeService>> violations = validator.forExecutables()
                .validateReturnValue(service,
                        NodeService.class.getMethod("describe"), service.describe());

        assertInternal(mappers.mapConstraintViolation(new ConstraintViolationException(violations)), 500);
    }

    @Test
    void constraintViolationWithoutViolationsIsStillInvalidRequest() {
        RestResponse<Failure> response = mappers.mapConstraintViolation(new ConstraintViolationException("x", null));

        assertFailure(response, 400, "invalid_request", "Request is invalid");
    }

    @Test
    void unknownRouteIsNotFound() {
        assertFailure(mappers.mapRouteNotFound(new NotFoundException()), 404, "not_found", "Route not found");
    }

    @Test
    void unknownMethodIsNotFoundLikeTheEngine() {
        assertFailure(mappers.mapMethodNotAllowed(new NotAllowedException("GET")), 404, "not_found",
                "Route not found");
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() {
        assertFailure(mappers.mapUnsupportedMediaType(new NotSupportedException()), 415, "unsupported_media_type",
                "Content-Type must be application/json");
    }

    @Test
    void unacceptableAcceptIs406() {
        RestResponse<Failure> response = mappers.mapNotAcceptable(new NotAcceptableException());

        assertEquals(406, response.getStatus());
        assertEquals("invalid_request", response.getEntity().error().code());
    }

    @Test
    void wrappedMalformedJsonIsInvalidJson() {
        WebApplicationException wrapped = new WebApplicationException(readFailure("{", JsonEOFException.class), 400);

        assertFailure(mappers.mapWebApplication(wrapped), 400, "invalid_json", "Malformed JSON in request body");
    }

    @Test
    void badRequestWrappingJacksonIsUnwrapped() {
        BadRequestException wrapped = new BadRequestException(readFailure("{\"max_agents\":true}",
                MismatchedInputException.class));

        assertFailure(mappers.mapWebApplication(wrapped), 400, "invalid_request",
                "Field 'max_agents' must be an integer");
    }

    @Test
    void wrappedUnknownFieldIsNamed() {
        WebApplicationException wrapped = new WebApplicationException(readFailure("{\"x\":1}",
                UnrecognizedPropertyException.class), 400);

        assertFailure(mappers.mapWebApplication(wrapped), 400, "invalid_request", "Unknown field 'x'");
    }

    @Test
    void tooDeepJsonIsInvalidRequest() {
        Exception deep = readFailure("[".repeat(65) + "]".repeat(65), JsonNode.class, Exception.class);

        RestResponse<Failure> response = mappers.mapWebApplication(new WebApplicationException(deep, 400));

        assertFailure(response, 400, "invalid_request", "Request body exceeds the JSON nesting or string limits");
    }

    @Test
    void payloadTooLarge() {
        assertFailure(mappers.mapWebApplication(new WebApplicationException(413)), 413, "payload_too_large",
                "Request body too large");
    }

    @Test
    void otherClientErrorsKeepTheirStatus() {
        assertFailure(mappers.mapWebApplication(new BadRequestException()), 400, "invalid_request",
                "Request could not be processed");
        assertFailure(mappers.mapWebApplication(new WebApplicationException(409)), 409, "invalid_request",
                "Request could not be processed");
        assertFailure(mappers.mapWebApplication(new WebApplicationException(401)), 401, "unauthorized",
                "Unauthorized");
        assertFailure(mappers.mapWebApplication(new WebApplicationException(429)), 429, "rate_limit_exceeded",
                "Rate limit exceeded");
    }

    @Test
    void serverErrorsKeepTheirStatusAndHideDetails() {
        RestResponse<Failure> response = mappers.mapWebApplication(new WebApplicationException("pool exhausted",
                503));

        assertInternal(response, 503);
        assertFalse(response.getEntity().error().message().contains("pool"));
    }

    @Test
    void anythingElseIsAnInternalErrorWithAReferenceThatIsLogged() {
        try (CapturedLog log = CapturedLog.of(RelayExceptionMappers.class)) {
            IllegalStateException failure = new IllegalStateException("secret detail");

            RestResponse<Failure> response = mappers.mapUnexpected(failure);

            String reference = assertInternal(response, 500);
            assertFalse(response.getEntity().error().message().contains("IllegalStateException"));
            assertFalse(response.getEntity().error().message().contains("secret"));
            assertEquals(1, log.records().size());
            assertTrue(log.text(0).contains(reference), log.text(0));
            assertEquals(failure, log.records().get(0).getThrown());
        }
    }

    @Test
    void referencesDiffer() {
        String first = assertInternal(mappers.mapUnexpected(new RuntimeException()), 500);
        String second = assertInternal(mappers.mapUnexpected(new RuntimeException()), 500);

        assertFalse(first.equals(second));
    }

    private static <E extends Exception> E readFailure(String body, Class<E> expected) {
        return readFailure(body, NodeRequest.class, expected);
    }

    private static <E extends Exception> E readFailure(String body, Class<?> target, Class<E> expected) {
        try {
            RelayJson.mapper().readValue(body, target);
        } catch (Exception e) {
            return assertInstanceOf(expected, e);
        }
        return fail("expected " + body + " to be refused");
    }

    private static void assertFailure(RestResponse<Failure> response, int status, String code, String message) {
        assertEquals(status, response.getStatus());
        assertEquals(MediaType.APPLICATION_JSON_TYPE, response.getMediaType());
        Failure failure = response.getEntity();
        assertFalse(failure.ok());
        assertEquals(code, failure.error().code());
        assertEquals(message, failure.error().message());
    }

    /** Asserts an internal error and returns its reference. */
    private static String assertInternal(RestResponse<Failure> response, int status) {
        assertEquals(status, response.getStatus());
        assertEquals(MediaType.APPLICATION_JSON_TYPE, response.getMediaType());
        assertEquals("internal_error", response.getEntity().error().code());
        Matcher matcher = REFERENCE.matcher(response.getEntity().error().message());
        assertTrue(matcher.matches(), response.getEntity().error().message());
        return matcher.group(1);
    }
}
