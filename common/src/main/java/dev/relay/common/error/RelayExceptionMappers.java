package dev.relay.common.error;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import dev.relay.common.wire.Failure;

import io.quarkus.logging.Log;

/**
 * The one exception-mapper set every Relay service gets by depending on {@code common}: each failure leaves as the
 * contract's error envelope, and nothing internal (class names, stack traces) ever reaches the client.
 */
public class RelayExceptionMappers {

    /** How many causes deep a wrapped body-reader failure is looked for. */
    private static final int MAX_CAUSE_DEPTH = 4;

    @ServerExceptionMapper
    public RestResponse<Failure> mapRelay(RelayException e) {
        if (e.code() == ErrorCode.INTERNAL_ERROR) {
            return internal(e.status(), e);
        }
        return respond(e.status(), e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapMalformedJson(JsonParseException e) {
        return mapJackson(e);
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapUnknownField(UnrecognizedPropertyException e) {
        return mapJackson(e);
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapMismatchedInput(MismatchedInputException e) {
        return mapJackson(e);
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapValueInstantiation(ValueInstantiationException e) {
        return mapJackson(e);
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapConstraintViolation(ConstraintViolationException e) {
        if (Violations.anyOnReturnValue(e.getConstraintViolations())) {
            return internal(500, e);
        }
        String message = Violations.firstMessage(e.getConstraintViolations()).orElse("Request is invalid");
        return respond(400, ErrorCode.INVALID_REQUEST, message);
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapRouteNotFound(NotFoundException e) {
        return routeNotFound();
    }

    // The engine answers an unknown method on a known path like an unknown path.
    @ServerExceptionMapper
    public RestResponse<Failure> mapMethodNotAllowed(NotAllowedException e) {
        return routeNotFound();
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapUnsupportedMediaType(NotSupportedException e) {
        return respond(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapNotAcceptable(NotAcceptableException e) {
        return respond(406, ErrorCode.INVALID_REQUEST, "Responses are only available as application/json");
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapWebApplication(WebApplicationException e) {
        Optional<RelayException> bodyFailure = wrappedBodyFailure(e);
        if (bodyFailure.isPresent()) {
            return mapRelay(bodyFailure.get());
        }
        Response response = e.getResponse();
        int status = response == null ? 500 : response.getStatus();
        if (status >= 500 || status < 400) {
            return internal(status >= 500 ? status : 500, e);
        }
        return switch (status) {
            case 401 -> respond(status, ErrorCode.UNAUTHORIZED, "Unauthorized");
            case 403 -> respond(status, ErrorCode.FORBIDDEN, "Forbidden");
            case 404 -> respond(status, ErrorCode.NOT_FOUND, "Not found");
            case 413 -> respond(status, ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large");
            case 415 -> respond(status, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
            case 429 -> respond(status, ErrorCode.RATE_LIMIT_EXCEEDED, "Rate limit exceeded");
            default -> respond(status, ErrorCode.INVALID_REQUEST, "Request could not be processed");
        };
    }

    @ServerExceptionMapper
    public RestResponse<Failure> mapUnexpected(Throwable e) {
        return internal(500, e);
    }

    private static RestResponse<Failure> mapJackson(Exception e) {
        return JacksonFailures.describe(e)
                .map(relay -> respond(relay.status(), relay.code(), relay.getMessage()))
                .orElseGet(() -> internal(500, e));
    }

    /** Quarkus REST wraps some body-reader failures in a 400 WebApplicationException; find the Jackson one. */
    private static Optional<RelayException> wrappedBodyFailure(WebApplicationException e) {
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < MAX_CAUSE_DEPTH; depth++, cause = cause.getCause()) {
            Optional<RelayException> described = JacksonFailures.describe(cause);
            if (described.isPresent()) {
                return described;
            }
        }
        return Optional.empty();
    }

    private static RestResponse<Failure> routeNotFound() {
        return respond(404, ErrorCode.NOT_FOUND, "Route not found");
    }

    private static RestResponse<Failure> internal(int status, Throwable e) {
        String reference = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Log.errorf(e, "Unhandled failure answered with HTTP %d internal_error (ref %s)", status, reference);
        return respond(status, ErrorCode.INTERNAL_ERROR, "Internal server error (ref " + reference + ")");
    }

    private static RestResponse<Failure> respond(int status, ErrorCode code, String message) {
        return RestResponse.ResponseBuilder.<Failure>create(status)
                .entity(Failure.of(code.code(), message))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }
}
