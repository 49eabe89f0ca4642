package dev.secretstore.protocol.session.delegation;

import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * One delegated request (SEC-40), as two small sessions: {@link Forward} on the entry node sends the request to
 * one holder and waits for its answer or its loss; {@link Serve} on the holder runs the request through the
 * holder's own, non-delegating {@link KeyServer}, exactly as a client's request to it, and answers once.
 */
public final class DelegatedRequest {
    private static final Logger LOG = Logger.getLogger(DelegatedRequest.class.getName());

    private DelegatedRequest() {}

    /** How one forwarding ended: the holder's answer, or the holder was lost (disconnected, send failed, stalled). */
    public sealed interface Ending {}

    /** The holder answered ({@link DelegationMessage.Succeeded} or {@link DelegationMessage.Failed}). */
    public record Answered(DelegationMessage answer) implements Ending {}

    /** No answer will come from the holder. */
    public record Lost() implements Ending {}

    /** Entry node: forwards {@code request} to {@code holder}; never fails, it ends {@link Answered} or {@link Lost}. */
    public static final class Forward extends AbstractSession<Ending> {
        private final NodeId holder;
        private final DelegationMessage.Request request;
        /** The requester as the entry node derived it before forwarding (SEC-29); null if not given. */
        private Requester requester;

        private Forward(SessionKey key, NodeId self, NodeId holder, Outbox outbox, DelegationMessage.Request request) {
            super(key, self, Set.of(self, holder), outbox);
            this.holder = holder;
            this.request = request;
        }

        public static Forward start(SessionKey key, ClusterView cluster, Outbox outbox, NodeId holder, DelegationMessage.Request request) {
            return start(key, cluster, outbox, holder, request, null);
        }

        /** As above, naming the requester the entry node derived from the request's credential (for its audit line). */
        public static Forward start(SessionKey key, ClusterView cluster, Outbox outbox, NodeId holder, DelegationMessage.Request request,
                                    Requester requester) {
            Forward session = new Forward(key, cluster.self(), holder, outbox, request);
            session.requester = requester;
            if (!cluster.isConnected(holder)) {
                session.succeed(new Lost());
            } else {
                outbox.send(holder, request);
            }
            return session;
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {
            if (isFinished() || !from.equals(holder)) return;
            if (message instanceof DelegationMessage.Succeeded || message instanceof DelegationMessage.Failed) {
                succeed(new Answered((DelegationMessage) message));
            }
        }

        @Override
        public void onNodeDisconnected(NodeId node) {
            if (node.equals(holder)) succeed(new Lost());
        }

        @Override
        public void onTimeout() {
            succeed(new Lost());
        }

        /**
         * SEC-29: the entry node's part of a client request it forwarded: the request, and as outcome the holder's answer
         * ({@code ok} or its error kind) or {@code NODE_DISCONNECTED} when the holder was lost.
         */
        @Override
        public Optional<dev.secretstore.protocol.session.AuditFacts> auditFacts() {
            Ending ending = result().getNow(null);
            String outcome = ending instanceof Answered a && a.answer() instanceof DelegationMessage.Failed f ? f.kind().name()
                    : ending instanceof Answered ? "ok" : SecretStoreException.Kind.NODE_DISCONNECTED.name();
            return Optional.of(new dev.secretstore.protocol.session.AuditFacts(
                    request.endpoint().operation().name().toLowerCase(java.util.Locale.ROOT), request.keyId(),
                    Optional.ofNullable(requester).map(Requester::address),
                    dev.secretstore.protocol.session.AuditFacts.credentialKind(request.credential()), Optional.empty(),
                    java.util.OptionalLong.empty(), Optional.of(outcome)));
        }
    }

    /**
     * Holder: serves one request from {@code key.master()} through {@code server} (never a delegating one, so a
     * delegated request never travels further) and sends the answer back. The holder trusts the entry node no
     * more than a client: the request runs its own checks and ACL consensus.
     */
    static final class Serve extends AbstractSession<Void> {
        private final KeyServer server;
        private final RequesterCheck requesters;
        private final Executor reentry;
        private boolean started;
        /** The entry node, if it forwarded a request the requester's credential does not authorize here (SEC-31). */
        private Culprit culprit;

        Serve(SessionKey key, NodeId self, Outbox outbox, KeyServer server, RequesterCheck requesters, Executor reentry) {
            super(key, self, Set.of(self, key.master()), outbox);
            this.server = server;
            this.requesters = requesters;
            this.reentry = reentry;
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {
            if (isFinished() || started || !(message instanceof DelegationMessage.Request r) || !from.equals(key.master())) return;
            started = true;
            Requester requester;
            try {
                requester = Answers.requester(requesters, r);
            } catch (SecretStoreException e) {
                refuse(from, r, e);
                return;
            }
            LOG.info(() -> "serving " + r.endpoint() + " of key " + r.keyId().toHex() + " for " + requester.address()
                    + " delegated by " + from.shortId() + " in " + key);
            Answers.serve(server, r, requester).whenCompleteAsync((answer, error) -> {
                if (isFinished()) return;
                outbox.send(key.master(), answer != null ? answer : Answers.failed(error));
                succeed(null);
            }, reentry);
        }

        /**
         * The forwarded credential does not authorize the request here: answers the check's error (the client's
         * answer, as if it had asked this node) and ends blaming the entry node (SEC-31); a full nonce memory
         * (retryable) blames nobody.
         */
        private void refuse(NodeId entry, DelegationMessage.Request r, SecretStoreException e) {
            outbox.send(entry, Answers.failed(e));
            if (e.kind() == SecretStoreException.Kind.TOO_EARLY_FOR_REQUEST) {
                fail(e);
                return;
            }
            culprit = new Culprit(entry, Culprit.Reason.UNAUTHORIZED_REQUEST, "forwarded a credential refused here: " + e.displayText());
            LOG.warning(() -> "refused " + r.endpoint() + " of key " + r.keyId().toHex() + " delegated in " + key + "; blaming " + culprit);
            fail(e.withCulprits(java.util.List.of(culprit)));
        }

        @Override
        public Set<NodeId> blamed() {
            return culprit == null ? Set.of() : Set.of(culprit.node());
        }

        @Override
        public void onNodeDisconnected(NodeId node) {
            succeed(null); // the request's own session still ends on its own; its answer has nobody to go to
        }

        @Override
        public void onTimeout() {
            succeed(null);
        }
    }

    /** Whether an initialization message opens a {@link Serve}; the factory's filter. */
    static Optional<DelegationMessage.Request> asRequest(SessionMessage m) {
        return m instanceof DelegationMessage.Request r ? Optional.of(r) : Optional.empty();
    }
}
