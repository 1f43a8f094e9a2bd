package dev.relay.delivery.push;

/** Why a POST did not count as done, in the words recorded as the row's `last_dispatch_error` ("HTTP 500"). */
final class PushFailure extends RuntimeException {

    PushFailure(String reason) {
        super(reason, null, false, false);
    }
}
