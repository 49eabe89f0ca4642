package dev.secretstore.node.runtime;

import dev.secretstore.node.transport.TransportException;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.SendFailure;
import dev.secretstore.protocol.session.SessionKey;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The sessions' {@link ClusterSessions.Network} over the node transport: encodes each envelope and hands it to
 * the transport, and reports every send the transport refuses (not connected, queue full, too large, closed)
 * or loses with a failing connection to the session that sent it, so a dropped message is an immediate event
 * for that session (issue #12 defect 6).
 */
final class TransportNetwork implements ClusterSessions.Network {
    /** The transport's send: never blocks; the stage fails when the message will not be written. */
    @FunctionalInterface
    interface Transport {
        CompletionStage<Void> send(NodeId to, byte[] message);
    }

    /** Where failures go: {@link ClusterSessions#onSendFailed}, which may be called from any thread. */
    @FunctionalInterface
    interface FailureSink {
        void sendFailed(NodeId to, SessionKey key, SendFailure reason);
    }

    private final Transport transport;
    private final Function<Envelope, byte[]> encoder;
    private final FailureSink failures;

    /** @param encoder the wire encoding of an envelope (the node's message codec) */
    TransportNetwork(Transport transport, Function<Envelope, byte[]> encoder, FailureSink failures) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.failures = Objects.requireNonNull(failures, "failures");
    }

    @Override
    public void send(NodeId to, Envelope envelope) {
        SessionKey key = envelope.key();
        transport.send(to, encoder.apply(envelope)).whenComplete((written, error) -> {
            if (error != null) failures.sendFailed(to, key, reason(error));
        });
    }

    /** The session layer's name for a failed send stage. */
    static SendFailure reason(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof TransportException te)) return SendFailure.IO_ERROR;
        switch (te.reason()) {
            case NOT_CONNECTED:
                return SendFailure.NOT_CONNECTED;
            case QUEUE_FULL:
                return SendFailure.QUEUE_FULL;
            case MESSAGE_TOO_LARGE:
                return SendFailure.MESSAGE_TOO_LARGE;
            case CLOSED:
                return SendFailure.CLOSED;
            default:
                return SendFailure.IO_ERROR;
        }
    }
}
