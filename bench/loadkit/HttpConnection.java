import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One keep-alive HTTP/1.1 connection driven by one thread: write a whole request, read the whole answer. A load
 * generator needs exactly this and nothing a general client adds (pools, queues, async stages) between the due time
 * and the socket; it (re)connects lazily, so a connection the server closed is reopened by the next request.
 */
public final class HttpConnection {

    /** An answer: status code and body bytes. */
    public record Response(int status, byte[] body) {

        private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"");

        /** "HTTP 429 rate_limit_exceeded": the status and the error envelope's code, if any, to group errors by. */
        public String label() {
            Matcher code = ERROR_CODE.matcher(text());
            return "HTTP " + status + (code.find() ? " " + code.group(1) : "");
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Whether the body contains {@code needle} (ASCII), without decoding it. */
        public boolean contains(byte[] needle) {
            outer: for (int i = 0; i + needle.length <= body.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (body[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /**
     * The head of a JSON {@code POST} with a bearer token, up to and including {@code "Content-Length: "}: prepared
     * once per sender, completed per request by {@link #request(byte[], byte[])}.
     */
    public static byte[] jsonPostHead(String host, int port, String path, String bearer) {
        return ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + bearer
                + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A complete request: a head from {@link #jsonPostHead}, the body's length, the blank line and the body. */
    public static byte[] request(byte[] head, byte[] body) {
        byte[] length = (body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + length.length + body.length);
        System.arraycopy(length, 0, request, head.length, length.length);
        System.arraycopy(body, 0, request, head.length + length.length, body.length);
        return request;
    }

    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    public HttpConnection(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Sends a complete request (head and body) and reads the answer; closes the socket on any I/O error. */
    public Response exchange(byte[] request) throws IOException {
        try {
            connectIfNeeded();
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void connectIfNeeded() throws IOException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout(30_000);
        socket = s;
        out = s.getOutputStream(); // one write per request: no buffering needed
        in = new BufferedInputStream(s.getInputStream(), 16_384);
    }

    private Response readResponse() throws IOException {
        String statusLine = readLine();
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("bad status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        int contentLength = -1;
        boolean chunked = false;
        boolean close = statusLine.startsWith("HTTP/1.0");
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> contentLength = Integer.parseInt(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.equals("close");
                default -> {
                }
            }
        }
        byte[] body;
        if (chunked) {
            body = readChunked();
        } else if (contentLength >= 0) {
            body = readExactly(contentLength);
        } else {
            body = in.readAllBytes();
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(readExactly(size));
            readLine();
        }
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new IOException("connection closed inside the body");
        }
        return bytes;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            line.append((char) b);
        }
        throw new IOException("connection closed by the server");
    }

    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        socket = null;
    }
}
