package dev.secretstore.protocol.session;

/**
 * Why a message handed to the {@link ClusterSessions.Network} will not reach its recipient
 * ({@link ClusterSessions#onSendFailed}). Every reason means the same to a session: the message is lost.
 */
public enum SendFailure {
    /** There is no connection to the recipient. */
    NOT_CONNECTED,
    /** The outbound queue to the recipient is full (it does not read fast enough). */
    QUEUE_FULL,
    /** The encoded message exceeds the transport's maximum message size. */
    MESSAGE_TOO_LARGE,
    /** This node's transport is closed. */
    CLOSED,
    /** The connection failed while the message was being written. */
    IO_ERROR
}
