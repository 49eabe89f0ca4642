package dev.secretstore.protocol.session.consensus;

import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.session.Session;
import dev.secretstore.protocol.session.SessionKey;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A session composed around a {@link KeyUse}: everything but its own messages is the composed part's.
 * Stateless; a session implements {@link #use()} and {@link Session#onMessage}.
 *
 * @param <T> the master's result
 */
public interface KeyUseSession<T> extends Session {
    /** The composed consensus, attempts and outcome of this session. */
    KeyUse<T> use();

    @Override
    default SessionKey key() {
        return use().key();
    }

    @Override
    default Set<NodeId> participants() {
        return use().participants();
    }

    @Override
    default void onNodeDisconnected(NodeId node) {
        use().onNodeDisconnected(node);
    }

    @Override
    default void onTimeout() {
        use().onTimeout();
    }

    @Override
    default void fail(SecretStoreException error) {
        use().fail(error);
    }

    @Override
    default boolean isFinished() {
        return use().isFinished();
    }

    @Override
    default Optional<SecretStoreException> failure() {
        return use().failure();
    }

    @Override
    default Set<NodeId> blamed() {
        return use().blamed();
    }

    @Override
    default Optional<dev.secretstore.protocol.session.AuditFacts> auditFacts() {
        return use().auditFacts();
    }

    default boolean isMaster() {
        return use().isMaster();
    }

    /** Completes when the session ends: the value on success, exceptionally with a {@link SecretStoreException}. */
    default CompletableFuture<T> result() {
        return use().result();
    }

    /** Master: nodes excluded from this request (blamed, refused, lost). */
    default Set<NodeId> excludedNodes() {
        return use().excludedNodes();
    }

    /** Master: member round trips this request used ({@link KeyUse#roundTrips()}). */
    @Override
    default int roundTrips() {
        return use().roundTrips();
    }

    /** Master: how many attempts were started. */
    default int attemptCount() {
        return use().attemptCount();
    }
}
