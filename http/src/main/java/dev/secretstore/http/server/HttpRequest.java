package dev.secretstore.http.server;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One complete request as the {@link EdgeServer} hands it to a {@link HttpHandler}: method, the raw request-target
 * exactly as sent (not decoded, not normalised: the handler judges it), the protocol version ({@code HTTP/1.1}),
 * the headers, the whole body, and both ends of the connection. {@code secure} is true on a TLS listener.
 */
public record HttpRequest(String method, String target, String protocol, RequestHeaders headers, byte[] body,
                          InetSocketAddress remote, InetSocketAddress local, boolean secure) {
    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }

    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        return headers.first(name);
    }

    /** Every value of header {@code name} in order, or null when it is absent (the JDK server's convention). */
    public List<String> headerValues(String name) {
        List<String> all = headers.all(name);
        return all.isEmpty() ? null : all;
    }

    /** The path part of the target: up to the first {@code ?} or {@code #}, still percent-encoded. */
    public String rawPath() {
        int end = target.length();
        int q = target.indexOf('?');
        if (q >= 0) end = q;
        int h = target.indexOf('#');
        if (h >= 0 && h < end) end = h;
        return target.substring(0, end);
    }
}
