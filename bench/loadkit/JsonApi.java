import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine's public API through the gateway, for a bench's setup (not its measured load): JSON requests with an
 * optional bearer, an expected status, and the string fields of the answer read with a regular expression (the JDK
 * has no JSON parser, and setup answers are flat enough).
 */
public final class JsonApi {

    private static final Pattern STRING_FIELD = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*\"([^\"]*)\"");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public JsonApi(URI base) {
        this.base = base;
    }

    /** The answer's body; any status other than {@code expected} is an {@link IOException} with the body. */
    public String call(String method, String path, String bearer, String body, int expected)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(method, path, bearer, body),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    public CompletableFuture<HttpResponse<String>> async(String method, String path, String bearer, String body) {
        return http.sendAsync(request(method, path, bearer, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String bearer, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b.build();
    }

    /** The first value of each string field in a JSON body, at any depth. */
    public static Map<String, String> fields(String body) {
        Map<String, String> fields = new HashMap<>();
        Matcher m = STRING_FIELD.matcher(body);
        while (m.find()) {
            fields.putIfAbsent(m.group(1), m.group(2));
        }
        return fields;
    }
}
