import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Queries PostgreSQL through the {@code psql} command line (the JDK has no PostgreSQL driver): unaligned, tuples
 * only, so each row is one line with its columns separated by {@code |}. The password, if any, comes from
 * {@code PGPASSWORD}.
 */
public final class Psql {

    private final String host;
    private final String port;
    private final String user;

    /** @param hostPortUser {@code host:port:user} */
    public Psql(String hostPortUser) {
        String[] hpu = hostPortUser.split(":");
        if (hpu.length != 3) {
            throw new IllegalArgumentException("expected host:port:user, not " + hostPortUser);
        }
        this.host = hpu[0];
        this.port = hpu[1];
        this.user = hpu[2];
    }

    /** The rows of {@code sql} on database {@code db}, one line each; a failed query is an {@link IOException}. */
    public List<String> rows(String db, String sql) throws IOException, InterruptedException {
        String text = value(db, sql);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    /** The whole answer of {@code sql} on database {@code db}, trimmed (a single value for a one-cell query). */
    public String value(String db, String sql) throws IOException, InterruptedException {
        Process psql = new ProcessBuilder(List.of("psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", host,
                "-p", port, "-U", user, "-d", db, "-c", sql)).redirectErrorStream(true).start();
        String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (psql.waitFor() != 0) {
            throw new IOException("psql on " + db + " failed: " + out);
        }
        return out;
    }
}
