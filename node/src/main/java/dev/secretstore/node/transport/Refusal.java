package dev.secretstore.node.transport;

/**
 * Why the accepting side refused or closed a connection before it authenticated (SEC-36). The
 * first five are decided at accept, before any byte is read; the others after the handshake began.
 */
enum Refusal {
    /** {@code cluster_accept_from = "members"}: the source is not a member's address. */
    NOT_MEMBER_ADDRESS("not_member_address"),
    /** The source already holds its share of pending handshakes. */
    SOURCE_PENDING("source_pending_limit"),
    /** Non-member sources together hold {@code maxPendingHandshakes}. */
    PENDING("pending_limit"),
    /** The source's handshake rate is spent. */
    SOURCE_RATE("source_rate_limit"),
    /** The handshake rate of all non-member sources together is spent. */
    RATE("rate_limit"),
    /** The handshake authenticated a static key that may not dial this node. */
    UNKNOWN_KEY("unknown_key"),
    /** A malformed handshake, an invalid key, a failed tag or key confirmation. */
    HANDSHAKE_FAILED("handshake_failed"),
    /** Not authenticated within the handshake timeout. */
    HANDSHAKE_TIMEOUT("handshake_timeout"),
    /** An I/O or decoder error before authentication. */
    IO_ERROR("io_error");

    final String label;

    Refusal(String label) {
        this.label = label;
    }

    /** The refusal a handshake failure of this reason counts as. */
    static Refusal of(TransportException.Reason reason) {
        return reason == TransportException.Reason.NOT_A_MEMBER ? UNKNOWN_KEY : HANDSHAKE_FAILED;
    }
}
