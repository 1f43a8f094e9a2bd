package dev.relay.common.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PreflightTest {

    @Test
    void passesWhenTheRealRedisAnswers() {
        Preflight preflight = new Preflight("test-service",
                new PreflightConfig(Optional.empty(), "", "", Optional.of("redis://127.0.0.1:6379")));
        assertEquals(Optional.empty(), preflight.firstFailure());
    }

    @Test
    void namesTheRedisUrlItCouldNotReachWithoutItsPassword() throws IOException {
        int closedPort = closedPort();
        Preflight preflight = new Preflight("test-service", new PreflightConfig(Optional.empty(), "", "",
                Optional.of("redis://:s3cret@127.0.0.1:" + closedPort)));
        String line = preflight.firstFailure().orElseThrow();
        assertTrue(line.startsWith("test-service: FATAL cannot reach Redis at redis://***@127.0.0.1:" + closedPort),
                line);
        assertTrue(!line.contains("s3cret") && !line.contains("\n"), line);
    }

    @Test
    void namesTheDatabaseUrlItCouldNotReach() throws IOException {
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/relay_auth";
        Preflight preflight = new Preflight("test-service",
                new PreflightConfig(Optional.of(url), "postgres", "", Optional.of("redis://127.0.0.1:6379")));
        String line = preflight.firstFailure().orElseThrow();
        assertTrue(line.startsWith("test-service: FATAL cannot reach PostgreSQL at " + url + ": "), line);
    }

    @Test
    void refusesAServerThatIsNotRedis() throws IOException {
        try (ServerSocket notRedis = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try (var socket = notRedis.accept()) {
                    socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n".getBytes());
                } catch (IOException ignored) {
                    // the test only needs one answer
                }
            });
            Preflight preflight = new Preflight("test-service", new PreflightConfig(Optional.empty(), "", "",
                    Optional.of("redis://127.0.0.1:" + notRedis.getLocalPort())));
            assertTrue(preflight.firstFailure().orElseThrow().endsWith("the server there does not speak Redis"));
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
