package dev.secretstore.http.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A response as a handler builds it: status, headers in order (set, not appended: one value per name) and the whole
 * body. The {@link EdgeServer} adds {@code Content-Length}, {@code Date} and, when the connection closes after it,
 * {@code Connection: close}. An empty body is sent as {@code Content-Length: 0}. Immutable.
 */
public final class HttpResponse {
    private static final byte[] EMPTY = new byte[0];
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;

    private HttpResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        if (status < 100 || status > 999) throw new IllegalArgumentException("status " + status);
        this.status = status;
        this.headers = List.copyOf(headers);
        this.body = body == null ? EMPTY : body;
    }

    /** An empty response with {@code status}. */
    public static HttpResponse of(int status) {
        return new HttpResponse(status, List.of(), EMPTY);
    }

    /** {@code status} with a body of {@code contentType} (null: no Content-Type header). */
    public static HttpResponse of(int status, String contentType, byte[] body) {
        HttpResponse r = new HttpResponse(status, List.of(), body);
        return contentType == null ? r : r.with("Content-Type", contentType);
    }

    /** This response with header {@code name} set to {@code value} (replacing an earlier value of the same name). */
    public HttpResponse with(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        List<Map.Entry<String, String>> next = new ArrayList<>(headers.size() + 1);
        for (Map.Entry<String, String> e : headers) {
            if (!e.getKey().equalsIgnoreCase(name)) next.add(e);
        }
        next.add(Map.entry(name, value));
        return new HttpResponse(status, next, body);
    }

    public int status() {
        return status;
    }

    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The value of header {@code name}, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers) {
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return null;
    }

    public byte[] body() {
        return body;
    }
}
