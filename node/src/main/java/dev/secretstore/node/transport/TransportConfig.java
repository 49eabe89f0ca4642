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
 * @param maxPendingHandshakes accepted connections from non-member sources still in the handshake, beyond which
 *                            new ones are closed (SEC-28; 64); member sources have their own slots (SEC-36)
 * @param ioThreads           Netty event-loop threads (2)
 * @param admission           handshake slots and work per source address, the member-address filter and the
 *                            refusal log (SEC-36; {@link Admission#defaults()})
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
        int ioThreads,
        Admission admission) {

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
        Objects.requireNonNull(admission, "admission");
        if (maxQueuedBytes < maxMessageSize) {
            throw new IllegalArgumentException("maxQueuedBytes must be at least maxMessageSize");
        }
    }

    public static TransportConfig defaults() {
        return new TransportConfig(Duration.ofSeconds(5), DEFAULT_HEARTBEAT, DEFAULT_PEER_DEADLINE,
                Framing.DEFAULT_MAX_MESSAGE_SIZE, 1024, 64L * 1024 * 1024,
                Duration.ofMillis(100), Duration.ofSeconds(10), 64, 2, Admission.defaults());
    }

    public TransportConfig withHandshakeTimeout(Duration d) {
        return new TransportConfig(d, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages, maxQueuedBytes,
                reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads, admission);
    }

    public TransportConfig withIdle(Duration keepAlive, Duration readIdle) {
        return new TransportConfig(handshakeTimeout, keepAlive, readIdle, maxMessageSize, maxQueuedMessages, maxQueuedBytes,
                reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads, admission);
    }

    public TransportConfig withMaxMessageSize(int max) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, max, maxQueuedMessages,
                Math.max(maxQueuedBytes, max), reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads, admission);
    }

    public TransportConfig withQueueLimits(int messages, long bytes) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, messages, bytes,
                reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads, admission);
    }

    public TransportConfig withReconnect(Duration base, Duration max) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages,
                maxQueuedBytes, base, max, maxPendingHandshakes, ioThreads, admission);
    }

    public TransportConfig withMaxPendingHandshakes(int n) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages,
                maxQueuedBytes, reconnectBaseDelay, reconnectMaxDelay, n, ioThreads, admission);
    }

    public TransportConfig withIoThreads(int n) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages,
                maxQueuedBytes, reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, n, admission);
    }

    public TransportConfig withAdmission(Admission a) {
        return new TransportConfig(handshakeTimeout, keepAliveInterval, readIdleTimeout, maxMessageSize, maxQueuedMessages,
                maxQueuedBytes, reconnectBaseDelay, reconnectMaxDelay, maxPendingHandshakes, ioThreads, a);
    }

    /**
     * The cluster port before authentication (SEC-36, docs/transport.md §8.1). A source is an IPv4
     * address or an IPv6 /64 prefix; a member source is one that a member's host in the member list
     * resolves to.
     *
     * @param pendingPerSource  accepted connections still in the handshake per non-member source (4); a
     *                          member source may hold this many plus one per member at that source
     * @param ratePerSource     accepted connections (each at most one handshake's elliptic-curve work) per
     *                          second per source, sustained (2); times the member count at a member source
     * @param burstPerSource    the same, as a burst (8); times the member count at a member source
     * @param nonMemberRate     accepted connections per second from all non-member sources together (64)
     * @param nonMemberBurst    the same, as a burst (64)
     * @param membersOnly       refuse, at accept, every connection from a source that is not a member
     *                          source ({@code [secretstore_ext] cluster_accept_from = "members"}; off)
     * @param resolveInterval   how often member host names are resolved again (60 s); a refusal of a
     *                          non-member source also triggers a resolution, at most once per
     *                          {@code resolveMinSpacing}
     * @param resolveMinSpacing (10 s)
     * @param refusalLogInterval connections refused or closed before authentication are logged as one
     *                          summary line per this interval, not one line each (30 s)
     */
    public record Admission(int pendingPerSource, double ratePerSource, int burstPerSource,
                            double nonMemberRate, int nonMemberBurst, boolean membersOnly,
                            Duration resolveInterval, Duration resolveMinSpacing, Duration refusalLogInterval) {
        public Admission {
            if (pendingPerSource < 1 || burstPerSource < 1 || nonMemberBurst < 1) {
                throw new IllegalArgumentException("per-source pending limit and bursts must be at least 1");
            }
            if (!(ratePerSource > 0) || !(nonMemberRate > 0) || Double.isInfinite(ratePerSource) || Double.isInfinite(nonMemberRate)) {
                throw new IllegalArgumentException("handshake rates must be positive and finite");
            }
            positive(resolveInterval, "resolveInterval");
            positive(resolveMinSpacing, "resolveMinSpacing");
            positive(refusalLogInterval, "refusalLogInterval");
        }

        public static Admission defaults() {
            return new Admission(4, 2, 8, 64, 64, false, Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30));
        }

        public Admission withPerSource(int pending, double rate) {
            return new Admission(pending, rate, (int) Math.max(1, Math.min(1_000_000, Math.ceil(4 * rate))), nonMemberRate,
                    nonMemberBurst, membersOnly, resolveInterval, resolveMinSpacing, refusalLogInterval);
        }

        public Admission withMembersOnly(boolean on) {
            return new Admission(pendingPerSource, ratePerSource, burstPerSource, nonMemberRate, nonMemberBurst, on,
                    resolveInterval, resolveMinSpacing, refusalLogInterval);
        }

        public Admission withRefusalLogInterval(Duration d) {
            return new Admission(pendingPerSource, ratePerSource, burstPerSource, nonMemberRate, nonMemberBurst, membersOnly,
                    resolveInterval, resolveMinSpacing, d);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
