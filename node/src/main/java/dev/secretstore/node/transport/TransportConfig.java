package dev.secretstore.node.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link ClusterTransport}. All durations are measured on the monotonic clock used by
 * Netty's scheduler ({@code System.nanoTime}), never wall-clock time (SEC-19).
 *
 * @param handshakeTimeout    a connection that has not completed the handshake (including, on the
 *                            accepting side, the initiator's first transport frame) is closed (SEC-17; 5 s)
 * @param keepAliveInterval   the heartbeat: a keep-alive frame is sent after this long without writing (2 s)
 * @param readIdleTimeout     the peer deadline: the connection is closed, and reported as a disconnection, after
 *                            this long without reading a frame (6 s); a silent peer (partition, frozen process,
 *                            no RST) is noticed within it (issue #12 defect 6)
 * @param maxMessageSize      largest application message, sent or received (SEC-20; 16 MiB)
 * @param maxQueuedMessages   per connection, messages accepted by {@code send} but not yet written (SEC-28; 1024)
 * @param maxQueuedBytes      per connection, bytes accepted by {@code send} but not yet written (SEC-28; 64 MiB)
 * @param reconnectBaseDelay  first reconnect delay of the dialing side (100 ms); doubles per failure
 * @param reconnectMaxDelay   cap of the reconnect delay (10 s); each delay is jittered to [d/2, d]
 * @param maxPendingHandshakes accepted connections still in the handshake, beyond which new ones are closed (SEC-28; 64)
 * @param ioThreads           Netty event-loop threads (2)
 */
public record TransportConfig(
        Duration handshakeTimeout,
        Duration keepAliveInterval,
        Duration readIdleTimeout,
        int maxMessageSize,
        int maxQueuedMessages,
        long maxQueuedBytes,
        Duration reconnectBaseDelay,
        Duration reconnectMaxDelay,
        int maxPendingHandshakes,
        int ioThreads) {

    /** Default {@link #keepAliveInterval()}: a heartbeat every 2 s of writing nothing. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    /** Default {@link #readIdleTimeout()}: three heartbeats missed in a row. */
    public static final Duration DEFAULT_PEER_DEADLINE = Duration.ofSeconds(6);

    public TransportConfig {
        positive(handshakeTimeout, "handshakeTimeout");
        positive(keepAliveInterval, "keepAliveInterval");
        positive(readIdleTimeout, "readIdleTimeout");
        positive(reconnectBaseDelay, "reconnectBaseDelay");
        positive(reconnectMaxDelay, "reconnectMaxDelay");
        Framing.checkMaxMessageSize(maxMessageSize);
        if (keepAliveInterval.compareTo(readIdleTimeout) >= 0) {
            throw new IllegalArgumentException("keepAliveInterval must be shorter than readIdleTimeout");
        }
        if (reconnectBaseDelay.compareTo(reconnectMaxDelay) > 0) {
            throw new IllegalArgumentException("reconnectBaseDelay must not exceed reconnectMaxDelay");
        }
        if (maxQueuedMessages < 1 || maxPendingHandshakes < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("queue, handshake and thread limits must be at least 1");
        }
        if (maxQueuedBytes < maxMessageSize) {
            throw new IllegalArgumentException("maxQueuedBytes must be at least maxMessageSize");
        }
    }

    public static TransportConfig defaults() {
        return new TransportConfig(Duration.ofSeconds(5), DEFAULT_HEARTBEAT, DEFAULT_PEER_DEADLINE,
                Framing.DEFAULT_MAX_MESSAGE_SIZE, 1024, 64L * 1024 * 1024,
                Duration.ofMillis(100), Duration.ofSeconds(10), 64, 2);
    }

    public TransportConfig withHandshakeTimeout(Duration d) {
        return new TransportConfig(d, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages, maxQueuedBytes,
                reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads);
    }

    public TransportConfig withIdle(Duration keepAlive, Duration readIdle) {
        return new TransportConfig(handshakeTimeout, keepAlive, readIdle, maxMessageSize, maxQueuedMessages, maxQueuedBytes,
                reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads);
    }

    public TransportConfig withMaxMessageSize(int max) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, max, maxQueuedMessages,
                Math.max(maxQueuedBytes, max), reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads);
    }

    public TransportConfig withQueueLimits(int messages, long bytes) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, messages, bytes,
                reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads);
    }

    public TransportConfig withReconnect(Duration base, Duration max) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages,
                maxQueuedBytes, base, max, maxPendingHandshakes, ioThreads);
    }

    public TransportConfig withMaxPendingHandshakes(int n) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages,
                maxQueuedBytes, reconnectBaseDelay, reconnectMaxDelay, n, ioThreads);
    }

    public TransportConfig withIoThreads(int n) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages,
                maxQueuedBytes, reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, n);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
