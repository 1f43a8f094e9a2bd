package dev.relay.common.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RelayExceptionTest {

    @Test
    void carriesCodeStatusAndMessage() {
        RelayException e = new RelayException(ErrorCode.CHANNEL_ARCHIVED, "Channel is archived");

        assertEquals(ErrorCode.CHANNEL_ARCHIVED, e.code());
        assertEquals(400, e.status());
        assertEquals("Channel is archived", e.getMessage());
    }

    @Test
    void badRequestIsInvalidRequest() {
        RelayException e = RelayException.badRequest("text is required");

        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertEquals("text is required", e.getMessage());
    }

    @Test
    void notFoundAndConflictKeepTheirCode() {
        assertEquals(ErrorCode.AGENT_NOT_FOUND, RelayException.notFound(ErrorCode.AGENT_NOT_FOUND, "x").code());
        assertEquals(ErrorCode.NODE_NAME_CONFLICT, RelayException.conflict(ErrorCode.NODE_NAME_CONFLICT, "x").code());
    }

    @Test
    void notFoundAndConflictRefuseCodesOfAnotherStatus() {
        assertThrows(IllegalArgumentException.class, () -> RelayException.notFound(ErrorCode.FORBIDDEN, "x"));
        assertThrows(IllegalArgumentException.class, () -> RelayException.conflict(ErrorCode.NOT_FOUND, "x"));
    }

    @Test
    void clientErrorsSkipTheStackTrace() {
        assertEquals(0, RelayException.badRequest("x").getStackTrace().length);
    }

    @Test
    void serverErrorsKeepTheStackTrace() {
        RelayException e = new RelayException(ErrorCode.INTERNAL_ERROR, "x");

        assertEquals(RelayExceptionTest.class.getName(), e.getStackTrace()[0].getClassName());
    }

    @Test
    void requiresACode() {
        assertThrows(NullPointerException.class, () -> new RelayException(null, "x"));
    }
}
