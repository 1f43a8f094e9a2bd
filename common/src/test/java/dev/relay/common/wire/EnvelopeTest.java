package dev.relay.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EnvelopeTest {

    @Test
    void successIsOk() {
        Success<String> success = Success.of("x");

        assertTrue(success.ok());
        assertEquals("x", success.data());
    }

    @Test
    void successMayHaveNoData() {
        assertNull(Success.of(null).data());
    }

    @Test
    void failureIsNotOk() {
        Failure failure = Failure.of("not_found", "Route not found");

        assertFalse(failure.ok());
        assertEquals(new ErrorBody("not_found", "Route not found"), failure.error());
    }

    @Test
    void refusesContradictoryOkFlags() {
        assertThrows(IllegalArgumentException.class, () -> new Success<>(false, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Failure(true, new ErrorBody("a", "b")));
    }

    @Test
    void envelopesAreOneOfTwoShapes() {
        Envelope envelope = Failure.of("forbidden", "Forbidden");

        String kind = switch (envelope) {
            case Success<?> s -> "success";
            case Failure f -> "failure " + f.error().code();
        };
        assertEquals("failure forbidden", kind);
    }
}
