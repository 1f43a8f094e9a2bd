package dev.relay.delivery.push;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import dev.relay.delivery.service.PushTargets;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * POSTs to http_push receivers (contract §6.7): one JSON body, redirects never followed, the whole exchange bounded by
 * {@link PushSettings#timeout()}, and the receiver's answer read up to {@link #MAX_ANSWER} bytes. The host is resolved
 * here and the resolved address judged by {@link PushTargets} before connecting to exactly that address, so a public
 * name that resolves to this machine or a private network is refused (no DNS rebinding between check and connect).
 */
@ApplicationScoped
class PushClient {

    /** Bytes of a receiver's answer kept; the `response` ack mode needs only a small JSON object. */
    static final int MAX_ANSWER = 64 * 1024;

    private final Vertx vertx;
    private final HttpClient client;
    private final PushTargets targets;
    private final Duration timeout;

    /** A receiver's answer: its status, content type and (at most {@link #MAX_ANSWER} bytes of) body. */
    record Answer(int status, String contentType, String body) {
    }

    PushClient(Vertx vertx, PushTargets targets, PushSettings settings) {
        this.vertx = vertx;
        this.targets = targets;
        this.timeout = settings.timeout();
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout.toMillis())
                .setMaxPoolSize(20)
                .setKeepAlive(true)
                .setForceSni(true));
    }

    /** Answers the receiver's answer, whatever its status; fails with {@link PushFailure} when there is none. */
    Uni<Answer> post(URI url, Map<String, String> headers, String body) {
        String host = url.getHost().startsWith("[")
                ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        int port = url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        return resolve(host)
                .flatMap(address -> Uni.createFrom()
                        .completionStage(() -> send(url, address, port, headers, body, sent).toCompletionStage()))
                .ifNoItem()
                .after(timeout)
                .failWith(() -> new PushFailure("timeout after " + seconds(timeout)))
                .onFailure()
                .invoke(failure -> {
                    HttpClientRequest request = sent.get();
                    if (request != null) {
                        request.reset(); // a timed-out or abandoned exchange must not keep its connection
                    }
                })
                .onFailure(failure -> !(failure instanceof PushFailure))
                .transform(failure -> new PushFailure("request failed: " + failure.getMessage()));
    }

    private Uni<InetAddress> resolve(String host) {
        return Uni.createFrom()
                .completionStage(() -> vertx.executeBlocking(() -> InetAddress.getAllByName(host), false)
                        .toCompletionStage())
                .onFailure(UnknownHostException.class)
                .transform(failure -> new PushFailure("unknown host " + host))
                .map(addresses -> {
                    for (InetAddress address : addresses) {
                        String unsafe = targets.unsafe(address);
                        if (unsafe != null) {
                            throw new PushFailure("refused: " + host + " resolves to " + unsafe);
                        }
                    }
                    return addresses[0];
                });
    }

    private io.vertx.core.Future<Answer> send(URI url, InetAddress address, int port, Map<String, String> headers,
            String body, AtomicReference<HttpClientRequest> sent) {
        MultiMap requestHeaders = MultiMap.caseInsensitiveMultiMap();
        headers.forEach(requestHeaders::set);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(url.toString())
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setFollowRedirects(false)
                .setIdleTimeout(timeout.toMillis())
                .setHeaders(requestHeaders);
        return client.request(options).compose(request -> {
            sent.set(request);
            return request.send(Buffer.buffer(body));
        }).compose(PushClient::read);
    }

    /** Reads the answer's body up to {@link #MAX_ANSWER} bytes; a longer one is cut off (its connection reset). */
    private static io.vertx.core.Future<Answer> read(HttpClientResponse response) {
        io.vertx.core.Promise<Answer> answer = io.vertx.core.Promise.promise();
        Buffer kept = Buffer.buffer();
        String contentType = response.getHeader("Content-Type");
        response.handler(chunk -> {
            if (kept.length() + chunk.length() > MAX_ANSWER) {
                answer.tryComplete(new Answer(response.statusCode(), contentType, null));
                response.request().reset();
            } else {
                kept.appendBuffer(chunk);
            }
        });
        response.endHandler(
                ignored -> answer.tryComplete(new Answer(response.statusCode(), contentType, kept.toString())));
        response.exceptionHandler(failure -> answer.tryFail(failure));
        return answer.future();
    }

    /** "10s", or "1500ms" when not whole seconds. */
    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
