package dev.relay.common.error;

import java.util.Optional;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/**
 * Translates Jackson's request-body failures into catalogued errors with a JSON path and a JSON type word, so the
 * client learns which field was wrong without seeing Jackson's text or our class names.
 */
final class JacksonFailures {

    static final String MALFORMED_JSON = "Malformed JSON in request body";
    private static final int MAX_PATH_LENGTH = 128;

    private JacksonFailures() {
    }

    /** The error for a Jackson read failure, or empty when {@code failure} is not one. */
    static Optional<RelayException> describe(Throwable failure) {
        return Optional.ofNullable(switch (failure) {
            case null -> null;
            case RelayException e -> e;
            case StreamConstraintsException e -> invalid("Request body exceeds the JSON nesting or string limits");
            case InputCoercionException e -> invalid("Request body has a number out of range");
            case StreamReadException e -> new RelayException(ErrorCode.INVALID_JSON, MALFORMED_JSON);
            case UnrecognizedPropertyException e -> invalid("Unknown field '" + path(e) + "'");
            case MismatchedInputException e -> invalid(subject(e) + " must be " + JsonTypeWords.of(e.getTargetType()));
            case ValueInstantiationException e -> e.getCause() instanceof RelayException relay
                    ? relay
                    : invalid(subject(e) + " is invalid");
            case JsonMappingException e when e.getCause() instanceof InputCoercionException coercion ->
                invalid(subject(e) + " must be " + JsonTypeWords.of(coercion.getTargetType()) + " within range");
            case JsonMappingException e -> invalid(subject(e) + " is invalid");
            default -> null;
        });
    }

    private static RelayException invalid(String message) {
        return new RelayException(ErrorCode.INVALID_REQUEST, message);
    }

    private static String subject(JsonMappingException e) {
        String path = path(e);
        return path.isEmpty() ? "Request body" : "Field '" + path + "'";
    }

    /** The JSON path of the failure in the client's own (snake_case) names, e.g. {@code nodes[2].max_agents}. */
    static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        // The path holds client-chosen keys; cap what we echo back.
        return path.length() <= MAX_PATH_LENGTH ? path.toString() : path.substring(0, MAX_PATH_LENGTH) + "…";
    }
}
