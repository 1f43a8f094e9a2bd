package dev.relay.common.error;

import java.util.Objects;

/**
 * A domain failure with a catalogued {@link ErrorCode}; services throw it and {@link RelayExceptionMappers} turns it
 * into the wire envelope with the code's status.
 */
public class RelayException extends RuntimeException {

    private final ErrorCode code;

    public RelayException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public RelayException(ErrorCode code, String message, Throwable cause) {
        // Client errors are expected traffic: skip the stack trace, which nobody reads and which costs a walk.
        super(message, cause, true, Objects.requireNonNull(code, "code").status() >= 500);
        this.code = code;
    }

    public static RelayException badRequest(String message) {
        return new RelayException(ErrorCode.INVALID_REQUEST, message);
    }

    public static RelayException notFound(ErrorCode code, String message) {
        return new RelayException(requireStatus(code, 404), message);
    }

    public static RelayException conflict(ErrorCode code, String message) {
        return new RelayException(requireStatus(code, 409), message);
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return code.status();
    }

    private static ErrorCode requireStatus(ErrorCode code, int status) {
        if (code.status() != status) {
            throw new IllegalArgumentException(code + " is not a " + status + " code");
        }
        return code;
    }
}
