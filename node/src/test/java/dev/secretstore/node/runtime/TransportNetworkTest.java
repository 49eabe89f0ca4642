package dev.secretstore.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.node.transport.TransportException;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SendFailure;
import dev.secretstore.protocol.session.Session;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue #12 defect 6, the node's half: every send stage the transport fails, at once or later, reaches the
 * session that sent the message as {@link Session#onSendFailed} (by default its participant's disconnection),
 * on the cluster loop and never inside the handler that sent it.
 */
class TransportNetworkTest {
    private final NodeId self = new NodeId(KeyPair.random().publicKey());
    private final NodeId peer = new NodeId(KeyPair.random().publicKey());
    private final Deque<Runnable> loop = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> sends = new ArrayList<>();
    private final List<SendFailure> reported = new ArrayList<>();
    private CompletableFuture<Void> nextSend = new CompletableFuture<>();
    private ClusterSessions sessions;

    /** A message of no real protocol: the encoder here does not look at it. */
    private record Ping() implements SessionMessage {
        @Override
        public SessionType sessionType() {
            return SessionType.DOCUMENT_KEY_STORE;
        }
    }

    /** Sends one message on start and on every message; ends when its peer is lost. */
    private final class Probe implements Session {
        final SessionKey key;
        final Outbox outbox;
        boolean sending;
        final List<NodeId> lost = new ArrayList<>();
        SecretStoreException failure;

        Probe(SessionKey key, Outbox outbox) {
            this.key = key;
            this.outbox = outbox;
        }

        void ping() {
            sending = true;
            outbox.send(peer, new Ping());
            sending = false;
        }

        @Override
        public SessionKey key() {
            return key;
        }

        @Override
        public Set<NodeId> participants() {
            return Set.of(self, peer);
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {
        }

        @Override
        public void onNodeDisconnected(NodeId node) {
            assertThat(sending).as("told while still inside its own send").isFalse();
            lost.add(node);
            fail(SecretStoreException.of(SecretStoreException.Kind.NODE_DISCONNECTED));
        }

        @Override
        public void fail(SecretStoreException error) {
            if (failure == null) failure = error;
        }

        @Override
        public boolean isFinished() {
            return failure != null;
        }

        @Override
        public Optional<SecretStoreException> failure() {
            return Optional.ofNullable(failure);
        }
    }

    private Probe start() {
        TransportNetwork network = new TransportNetwork((to, message) -> {
            sends.add(nextSend);
            return nextSend;
        }, envelope -> new byte[] {1}, (to, key, reason) -> {
            reported.add(reason);
            sessions.onSendFailed(to, key, reason);
        });
        sessions = new ClusterSessions(self, network, loop::add, System::nanoTime, Duration.ofSeconds(60), 10);
        SessionKey key = new SessionKey(SessionType.DOCUMENT_KEY_STORE, H256.fromBytes(new byte[32]), self);
        return sessions.startMaster(key, outbox -> new Probe(key, outbox));
    }

    private void runLoop() {
        while (!loop.isEmpty()) loop.poll().run();
    }

    @Test
    void aSendRefusedAtOnceEndsTheSessionOnTheNextLoopStep() {
        nextSend = CompletableFuture.failedFuture(new TransportException(TransportException.Reason.QUEUE_FULL, "full"));
        Probe probe = start();
        probe.ping();
        assertThat(probe.lost).as("not re-entrantly").isEmpty();
        runLoop();
        assertThat(reported).containsExactly(SendFailure.QUEUE_FULL);
        assertThat(probe.lost).containsExactly(peer);
        assertThat(sessions.activeSessions()).isEmpty();
    }

    @Test
    void aMessageLostWithItsConnectionLaterEndsTheSessionToo() {
        Probe probe = start();
        probe.ping();
        runLoop();
        assertThat(sessions.activeSessions()).containsExactly(probe);
        sends.get(0).completeExceptionally(new ClosedChannelException()); // on an I/O thread, later
        assertThat(probe.lost).isEmpty();
        runLoop();
        assertThat(reported).containsExactly(SendFailure.IO_ERROR);
        assertThat(probe.lost).containsExactly(peer);
        assertThat(sessions.activeSessions()).isEmpty();
    }

    @Test
    void aWrittenMessageReportsNothing() {
        Probe probe = start();
        probe.ping();
        sends.get(0).complete(null);
        runLoop();
        assertThat(reported).isEmpty();
        assertThat(sessions.activeSessions()).containsExactly(probe);
    }

    @ParameterizedTest
    @EnumSource(TransportException.Reason.class)
    void everyTransportReasonHasASessionName(TransportException.Reason reason) {
        SendFailure named = TransportNetwork.reason(new CompletionException(new TransportException(reason, "x")));
        switch (reason) {
            case NOT_CONNECTED -> assertThat(named).isEqualTo(SendFailure.NOT_CONNECTED);
            case QUEUE_FULL -> assertThat(named).isEqualTo(SendFailure.QUEUE_FULL);
            case MESSAGE_TOO_LARGE -> assertThat(named).isEqualTo(SendFailure.MESSAGE_TOO_LARGE);
            case CLOSED -> assertThat(named).isEqualTo(SendFailure.CLOSED);
            default -> assertThat(named).isEqualTo(SendFailure.IO_ERROR);
        }
    }

    @Test
    void anyOtherErrorIsAnIoError() {
        assertThat(TransportNetwork.reason(new ClosedChannelException())).isEqualTo(SendFailure.IO_ERROR);
    }
}
