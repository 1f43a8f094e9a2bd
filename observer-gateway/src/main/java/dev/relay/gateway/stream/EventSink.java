package dev.relay.gateway.stream;

/**
 * Whatever takes a workspace's events from this replica's subscription: an observer socket, or a test's recorder.
 * Called on the subscription's thread, in the order the events were published; a sink hands them to its own thread.
 */
interface EventSink {

    /** The next event of the workspace the sink joined. */
    void offer(StreamEvent event);

    /** The subscription broke (Redis went away): events may have been missed, so the sink must not carry on as if not. */
    void lost();
}
