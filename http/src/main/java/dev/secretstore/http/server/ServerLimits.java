package dev.secretstore.http.server;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits every HTTP listener enforces (SEC-34; docs/configuration.md, "HTTP listeners"). Defaults hold
 * against slowloris out of the box: a connection that has not sent complete headers within
 * {@code headerTimeout} of connecting (or of its first byte after a keep-alive pause) is closed, as is one whose
 * body is not complete within {@code bodyTimeout}, one idle between requests for {@code idleTimeout}, and one that
 * does not take a response within {@code bodyTimeout}. Connections are capped in total and per source
 * ({@link dev.secretstore.http.SourceKey}: an IPv4 address or an IPv6 /64); a connection over a cap is closed at
 * once, before anything is read.
 *
 * @param headerTimeout      time to send the request line and headers
 * @param bodyTimeout        time to send the body once the headers are in; also the time a response may take to leave
 * @param idleTimeout        time a keep-alive connection may wait between requests
 * @param maxHeaderBytes     request line plus headers; over it: 431 (a request line over {@link #MAX_REQUEST_LINE}: 414)
 * @param maxBodyBytes       request body; over it: 413
 * @param maxConnections     open connections in total
 * @param maxConnectionsPerSource open connections from one source
 * @param handlerThreads     threads that run the listener's handler
 * @param handlerQueue       requests waiting for a handler thread; over it: 503 with {@code Retry-After: 1}
 */
public record ServerLimits(Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout, int maxHeaderBytes,
                           int maxBodyBytes, int maxConnections, int maxConnectionsPerSource, int handlerThreads,
                           int handlerQueue) {
    /** The longest request line (method, target, version). */
    public static final int MAX_REQUEST_LINE = 8192;

    /** The defaults of a listener whose bodies are at most {@code maxBodyBytes}. */
    public static ServerLimits defaults(int maxBodyBytes) {
        return new ServerLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), 16 * 1024, maxBodyBytes,
                1024, 64, 4, 256);
    }

    public ServerLimits {
        positive(headerTimeout, "header timeout");
        positive(bodyTimeout, "body timeout");
        positive(idleTimeout, "idle timeout");
        if (maxHeaderBytes < 1024) throw new IllegalArgumentException("max header bytes must be at least 1024, not " + maxHeaderBytes);
        if (maxBodyBytes < 0) throw new IllegalArgumentException("max body bytes must not be negative");
        if (maxConnections < 1) throw new IllegalArgumentException("max connections must be at least 1");
        if (maxConnectionsPerSource < 1) throw new IllegalArgumentException("max connections per address must be at least 1");
        if (handlerThreads < 1) throw new IllegalArgumentException("handler threads must be at least 1");
        if (handlerQueue < 0) throw new IllegalArgumentException("handler queue must not be negative");
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive");
    }

    public ServerLimits withTimeouts(Duration header, Duration body, Duration idle) {
        return new ServerLimits(header, body, idle, maxHeaderBytes, maxBodyBytes, maxConnections, maxConnectionsPerSource,
                handlerThreads, handlerQueue);
    }

    public ServerLimits withConnections(int total, int perSource) {
        return new ServerLimits(headerTimeout, bodyTimeout, idleTimeout, maxHeaderBytes, maxBodyBytes, total, perSource,
                handlerThreads, handlerQueue);
    }

    public ServerLimits withSizes(int headerBytes, int bodyBytes) {
        return new ServerLimits(headerTimeout, bodyTimeout, idleTimeout, headerBytes, bodyBytes, maxConnections,
                maxConnectionsPerSource, handlerThreads, handlerQueue);
    }

    public ServerLimits withHandlers(int threads, int queue) {
        return new ServerLimits(headerTimeout, bodyTimeout, idleTimeout, maxHeaderBytes, maxBodyBytes, maxConnections,
                maxConnectionsPerSource, threads, queue);
    }
}
