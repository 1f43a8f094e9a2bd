package dev.relay.common.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Checks, before Quarkus boots, that a service's PostgreSQL and Redis answer, so that a service that cannot reach
 * them stops at once with one clear line naming the URL it tried instead of a long stack trace.
 */
public final class Preflight {

    private static final int TIMEOUT_MILLIS = 5_000;

    private final String service;
    private final PreflightConfig config;

    Preflight(String service, PreflightConfig config) {
        this.service = service;
        this.config = config;
    }

    /** Runs every check the service's configuration calls for; exits the JVM with status 1 on the first failure. */
    public static void verifyOrExit(String service) {
        Optional<String> failure = new Preflight(service, PreflightConfig.load()).firstFailure();
        if (failure.isPresent()) {
            System.err.println(failure.get());
            System.exit(1);
        }
    }

    /** The fatal line to print, or empty when everything the service needs answers. */
    Optional<String> firstFailure() {
        Optional<String> database = config.jdbcUrl().flatMap(this::checkDatabase);
        if (database.isPresent()) {
            return database;
        }
        return config.redisUrl().flatMap(this::checkRedis);
    }

    private Optional<String> checkDatabase(String jdbcUrl) {
        DriverManager.setLoginTimeout(TIMEOUT_MILLIS / 1000);
        try (Connection ignored = DriverManager.getConnection(jdbcUrl, config.databaseUser(),
                config.databasePassword())) {
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(fatal("PostgreSQL", jdbcUrl, oneLine(e.getMessage())));
        }
    }

    private Optional<String> checkRedis(String redisUrl) {
        URI uri;
        try {
            uri = URI.create(redisUrl);
        } catch (IllegalArgumentException e) {
            return Optional.of(fatal("Redis", redisUrl, "not a valid URL"));
        }
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            if ("rediss".equals(uri.getScheme())) {
                return Optional.empty(); // TLS: reachability is all we can check without a handshake
            }
            String reply = pingReply(socket);
            // +PONG, or an error such as -NOAUTH: either way a Redis server answered; Quarkus handles credentials.
            return reply.startsWith("+") || reply.startsWith("-")
                    ? Optional.empty()
                    : Optional.of(fatal("Redis", redactPassword(uri), "the server there does not speak Redis"));
        } catch (IOException e) {
            return Optional.of(fatal("Redis", redactPassword(uri), oneLine(String.valueOf(e.getMessage()))));
        }
    }

    private static String pingReply(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        if (line.isEmpty()) {
            throw new IOException("connection closed without answering PING");
        }
        return line.toString().trim();
    }

    private String fatal(String what, String url, String why) {
        return String.format("%s: FATAL cannot reach %s at %s: %s", service, what, url, why);
    }

    private static String redactPassword(URI uri) {
        if (uri.getUserInfo() == null) {
            return uri.toString();
        }
        return uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
    }

    private static String oneLine(String message) {
        return message == null ? "no detail" : message.replaceAll("\\s+", " ").trim();
    }
}
