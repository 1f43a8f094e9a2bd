package dev.relay.delivery.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The group-commit mechanics on their own, with writes the test completes by hand: an idle writer writes at once, one
 * write is in flight at a time, what waits goes out in the next write (at most the cap), and a failed write fails its
 * own callers only.
 */
class GroupCommitTest {

    /** One write the commit started: the requests it took, finished when the test says so. */
    private record Write(List<String> requests, UniEmitter<? super Void> done) {
    }

    private final List<Write> writes = new ArrayList<>();
    private final GroupCommit<String> commit = new GroupCommit<>(2, requests -> Uni.createFrom()
            .emitter(done -> writes.add(new Write(requests, done))));

    private CompletableFuture<Void> submit(String request) {
        return commit.submit(request).subscribeAsCompletionStage();
    }

    @Test
    void anIdleWriterWritesAtOnceAndWhatArrivesMeanwhileGoesOutNext() {
        CompletableFuture<Void> a = submit("a");
        assertThat(writes, hasSize(1));
        assertThat(writes.getFirst().requests(), equalTo(List.of("a")));

        CompletableFuture<Void> b = submit("b");
        CompletableFuture<Void> c = submit("c");
        CompletableFuture<Void> d = submit("d");
        assertThat("one write in flight", writes, hasSize(1));

        writes.getFirst().done().complete(null);
        assertThat(a.isDone(), equalTo(true));
        assertThat(b.isDone(), equalTo(false));
        assertThat(writes, hasSize(2));
        assertThat("at most the cap", writes.get(1).requests(), equalTo(List.of("b", "c")));

        writes.get(1).done().complete(null);
        assertThat(b.isDone() && c.isDone(), equalTo(true));
        assertThat(writes.get(2).requests(), equalTo(List.of("d")));
        writes.get(2).done().complete(null);
        assertThat(d.isDone(), equalTo(true));
        assertThat(commit.batches(), equalTo(3L));
    }

    @Test
    void aFailedWriteFailsItsCallersAndTheNextWriteStillRuns() {
        CompletableFuture<Void> a = submit("a");
        CompletableFuture<Void> b = submit("b");
        writes.getFirst().done().fail(new IllegalStateException("database gone"));
        CompletionException failure = assertThrows(CompletionException.class, a::join);
        assertThat(failure.getCause().getMessage(), equalTo("database gone"));
        assertThat(b.isDone(), equalTo(false));

        writes.get(1).done().complete(null);
        assertThat(b.isCompletedExceptionally(), equalTo(false));
        assertThat(b.isDone(), equalTo(true));

        CompletableFuture<Void> c = submit("c");
        assertThat("idle again: written at once", writes, hasSize(3));
        writes.get(2).done().complete(null);
        assertThat(c.isDone(), equalTo(true));
    }

    @Test
    void aWriteThatThrowsInsteadOfFailingDoesNotWedgeTheWriter() {
        GroupCommit<String> throwing = new GroupCommit<>(10, requests -> {
            if (requests.contains("bad")) {
                throw new IllegalArgumentException("cannot build the statement");
            }
            return Uni.createFrom().voidItem();
        });
        CompletableFuture<Void> bad = throwing.submit("bad").subscribeAsCompletionStage();
        assertThrows(CompletionException.class, bad::join);
        throwing.submit("good").subscribeAsCompletionStage().join();
    }
}
