package dev.secretstore.protocol.session;

import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Bookkeeping shared by sessions: identity, participants, the outbox, and a result that is completed
 * exactly once. Subclasses implement the protocol and call {@link #succeed} or {@link #fail}.
 *
 * @param <T> the result type (what the master returns to the requester; slaves use {@code Void})
 */
public abstract class AbstractSession<T> implements Session {
    protected final SessionKey key;
    protected final NodeId self;
    protected final SortedSet<NodeId> participants;
    protected final Outbox outbox;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private SecretStoreException failure;

    protected AbstractSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox) {
        this.key = key;
        this.self = self;
        this.participants = new TreeSet<>(participants);
        this.outbox = outbox;
    }

    @Override
    public SessionKey key() {
        return key;
    }

    @Override
    public Set<NodeId> participants() {
        return participants;
    }

    public boolean isMaster() {
        return key.master().equals(self);
    }

    /** Completes when the session ends: the value on success, exceptionally with a {@link SecretStoreException}. */
    public CompletableFuture<T> result() {
        return result;
    }

    @Override
    public boolean isFinished() {
        return result.isDone();
    }

    @Override
    public Optional<SecretStoreException> failure() {
        return Optional.ofNullable(failure);
    }

    protected void succeed(T value) {
        if (!isFinished()) {
            onFinish();
            result.complete(value);
        }
    }

    @Override
    public void fail(SecretStoreException error) {
        if (!isFinished()) {
            failure = error;
            onFinish();
            onFailure(error);
            result.completeExceptionally(error);
        }
    }

    /** Hook: undo prepared state, tell participants. Called once, before the result completes. */
    protected void onFailure(SecretStoreException error) {}

    /** Hook: release secrets. Called once when the session ends either way. */
    protected void onFinish() {}

    /** Sends to every participant except self. */
    protected void broadcast(SessionMessage message) {
        for (NodeId node : participants) {
            if (!node.equals(self)) outbox.send(node, message);
        }
    }
}
