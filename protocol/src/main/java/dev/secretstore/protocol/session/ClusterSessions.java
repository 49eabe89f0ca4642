package dev.secretstore.protocol.session;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The session manager of one node: routes envelopes to sessions, creates sessions on other nodes'
 * initialization messages, enforces who may talk to a session, ends stalled sessions, and refuses
 * replays of finished sessions (SEC-18, SEC-19). Single-threaded by contract: the node calls it from
 * one executor; it starts no threads and reads time only from the injected {@link Clock}. Sessions' pure
 * computations may run on injected {@link #workers}; their results come back to the loop ({@link #offload}).
 */
public final class ClusterSessions {
    private static final Logger LOG = Logger.getLogger(ClusterSessions.class.getName());

    /** Creates a non-master session from its initialization envelope, or refuses (empty). */
    @FunctionalInterface
    public interface SlaveFactory {
        Optional<Session> create(Envelope init, Outbox outbox);
    }

    /**
     * Where envelopes go (the transport adapter, or an in-memory network in tests). {@code send} never
     * blocks and never throws for an undeliverable envelope: it reports one, now or later, through
     * {@link #onSendFailed}. One self-delivery rule: an envelope to this node itself is accepted too,
     * encoded (or deep-copied) before {@code send} returns, since the sender may wipe the secrets in it
     * right after, and delivered later through {@link #onEnvelope} on the loop, behind what is already
     * queued, exactly like a peer's; never re-entrantly from inside {@code send}.
     */
    @FunctionalInterface
    public interface Network {
        void send(NodeId to, Envelope envelope);
    }

    /** Told about every session that ends on this node (for metrics); called on the cluster loop, must not block. */
    @FunctionalInterface
    public interface Observer {
        void finished(Session session, long durationNanos);
    }

    /**
     * Records a session that served a client request ({@link Session#auditFacts()} present) in this node's audit trail
     * (SEC-29), on the cluster loop: on the master when it finished, before the request's answer may leave this node;
     * on a member before its first {@linkplain SessionMessage#isContribution() contribution} leaves (or when it
     * finished, if it never contributed). The node layer does the writing; this manager only calls it.
     */
    public interface Recorder {
        /** Writes {@code session}'s record; throws a {@link SecretStoreException} ({@code DATABASE}) when it cannot. */
        void record(Session session, AuditFacts facts);

        /**
         * False while records cannot be written: this node then joins no session another node starts for a client
         * request (it contributes nothing it could not record). Called on the loop; must not block for long.
         */
        default boolean ready() {
            return true;
        }

        Recorder NONE = (session, facts) -> { };
    }

    private static final class Entry {
        final Session session;
        final long started;
        long lastProgress;

        Entry(Session session, long now) {
            this.session = session;
            this.started = now;
            this.lastProgress = now;
        }
    }

    private final NodeId self;
    private final Network network;
    private final java.util.concurrent.Executor loop;
    private final Clock clock;
    private final long stallNanos;
    private final long replayMemoryNanos;
    private final int maxSessions;
    private final Map<SessionType, SlaveFactory> factories = new HashMap<>();
    /** Where offloaded computations run ({@link #workers}); null: in the caller's stack ({@link Offload#INLINE}). */
    private java.util.concurrent.Executor workers;
    private Observer observer = (session, nanos) -> { };
    private Recorder recorder = Recorder.NONE;
    /** Sessions mastered here whose record could not be written, until {@link #recorded} hands the error on. */
    private final Map<SessionKey, SecretStoreException> unrecorded = new HashMap<>();
    /**
     * Member sessions of client requests whose line was written before their first contribution (true), or that
     * refused because it could not be (false): nothing more is recorded or, for a refused one, sent (SEC-29).
     */
    private final Map<SessionKey, Boolean> contributed = new HashMap<>();
    /** Answers waiting for their session's record ({@link #recorded}). */
    private final Map<SessionKey, java.util.function.Consumer<SecretStoreException>> awaiting = new HashMap<>();
    private final Map<SessionKey, Entry> active = new HashMap<>();
    /** Finished session keys with the time they finished, oldest first (SEC-18). */
    private final LinkedHashMap<SessionKey, Long> finished = new LinkedHashMap<>();

    /**
     * @param loop the executor that runs every call into this manager (the node's cluster loop); used to
     *             bring asynchronous results, such as ACL answers, back into their session
     */
    public ClusterSessions(NodeId self, Network network, java.util.concurrent.Executor loop, Clock clock, Duration stallTimeout,
                           int maxSessions) {
        this.self = self;
        this.network = network;
        this.loop = loop;
        this.clock = clock;
        this.stallNanos = stallTimeout.toNanos();
        this.replayMemoryNanos = Math.max(stallTimeout.toNanos() * 10, Duration.ofMinutes(10).toNanos());
        this.maxSessions = maxSessions;
    }

    public NodeId self() {
        return self;
    }

    public void observe(Observer observer) {
        this.observer = observer;
    }

    /**
     * Where sessions' offloaded computations run ({@link #offload}): the node's worker pool, so a node spreads the curve
     * arithmetic of its sessions over every core while each session's state stays on the loop. Unset (the default),
     * they run at once in the session's own step, as if never offloaded.
     */
    public void workers(java.util.concurrent.Executor workers) {
        this.workers = java.util.Objects.requireNonNull(workers, "workers");
    }

    /**
     * Session {@code key}'s way to run pure computations on the {@link #workers} and continue with the outcome as a
     * step of the session on the loop: the continuation runs only while the session is still active, counts as
     * progress and is followed by a settle, exactly like a completion through {@link #reentry}. Without workers it
     * is {@link Offload#INLINE}.
     */
    public Offload offload(SessionKey key) {
        java.util.concurrent.Executor pool = workers;
        if (pool == null) return Offload.INLINE;
        java.util.concurrent.Executor back = reentry(key);
        return new Offload() {
            @Override
            public <T> void run(java.util.function.Supplier<T> work, java.util.function.Consumer<T> then,
                                java.util.function.Consumer<RuntimeException> failed) {
                try {
                    pool.execute(() -> {
                        T value;
                        try {
                            value = work.get();
                        } catch (RuntimeException e) {
                            post(back, key, () -> failed.accept(e));
                            return;
                        }
                        post(back, key, () -> then.accept(value));
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) { // the node is shutting down
                    failed.accept(SecretStoreException.of(SecretStoreException.Kind.INTERNAL, "node is shutting down"));
                }
            }
        };
    }

    private static void post(java.util.concurrent.Executor back, SessionKey key, Runnable step) {
        try {
            back.execute(step);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.fine(() -> "node shutting down; a computation of " + key + " was dropped");
        }
    }

    /** Where finished client-request sessions are recorded (SEC-29); {@link Recorder#NONE} by default. */
    public void record(Recorder recorder) {
        this.recorder = java.util.Objects.requireNonNull(recorder, "recorder");
    }

    /**
     * The answer of the session {@code key} mastered here, released only once its record was written (SEC-29, fail
     * closed): completes when the session is settled, right after its record, with {@code result}'s outcome, or with
     * the recorder's error when its record could not be written (the result, if any, is then dropped). Called on
     * the cluster loop, right after {@link #startMaster}. A {@link SecretStoreException} it fails with is marked
     * {@link SecretStoreException#audited()}: this node's line of the request was handled here.
     */
    public <T> java.util.concurrent.CompletionStage<T> recorded(SessionKey key, java.util.concurrent.CompletionStage<T> result) {
        java.util.concurrent.CompletableFuture<T> out = new java.util.concurrent.CompletableFuture<>();
        java.util.function.Consumer<SecretStoreException> release = unwritten -> result.whenComplete((value, error) -> {
            if (unwritten != null) out.completeExceptionally(unwritten.audited());
            else if (error != null) out.completeExceptionally(audited(error));
            else out.complete(value);
        });
        if (active.containsKey(key)) awaiting.put(key, release);
        else release.accept(unrecorded.remove(key)); // settled already, inside startMaster
        return out;
    }

    /** A session's failure, marked as recorded ({@link SecretStoreException#audited()}) when it is one of ours. */
    private static Throwable audited(Throwable error) {
        Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        return t instanceof SecretStoreException s ? s.audited() : error;
    }

    public void registerFactory(SessionType type, SlaveFactory factory) {
        factories.put(type, factory);
    }

    /** An outbox that stamps messages with this session's key and this node as sender; messages to this node follow the self-delivery rule ({@link Network}). */
    public Outbox outboxFor(SessionKey key) {
        return (to, message) -> network.send(to, new Envelope(key.type(), key.sessionId(), key.master(), self, message));
    }

    /**
     * Registers a session this node masters; {@code create} receives its outbox. Refused when the key is
     * in use or was used recently, or when the node is at its session limit (SEC-28).
     */
    public <S extends Session> S startMaster(SessionKey key, Function<Outbox, S> create) {
        if (!key.master().equals(self)) throw new IllegalArgumentException("not the master of " + key);
        if (active.containsKey(key) || finished.containsKey(key)) {
            throw SecretStoreException.of(SecretStoreException.Kind.DUPLICATE_SESSION_ID);
        }
        if (exclusiveActive() && !runsBesideExclusive(key.type())) {
            throw SecretStoreException.of(SecretStoreException.Kind.EXCLUSIVE_SESSION_ACTIVE);
        }
        if (isExclusive(key.type()) && !active.isEmpty()) {
            LOG.info(() -> "refused " + key + ": " + describeActive());
            throw SecretStoreException.of(SecretStoreException.Kind.HAS_ACTIVE_SESSIONS);
        }
        if (active.size() >= maxSessions) {
            throw SecretStoreException.of(SecretStoreException.Kind.TOO_EARLY_FOR_REQUEST);
        }
        S session = create.apply(outboxFor(key));
        active.put(key, new Entry(session, clock.nanoTime()));
        settle(key);
        return session;
    }

    /**
     * An executor for completions of asynchronous work a session started (an ACL check, say): the task
     * runs on the cluster loop, only while the session is still active, counts as progress, and the
     * session is settled afterwards exactly as after a message.
     */
    public java.util.concurrent.Executor reentry(SessionKey key) {
        return task -> loop.execute(() -> {
            Entry entry = active.get(key);
            if (entry == null) return;
            try {
                task.run();
            } catch (SecretStoreException e) {
                entry.session.fail(e);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "session " + key + " failed in a completion", e);
                entry.session.fail(SecretStoreException.of(SecretStoreException.Kind.INTERNAL, e.getClass().getSimpleName()));
            }
            entry.lastProgress = clock.nanoTime();
            settle(key);
        });
    }

    /** An envelope from an authenticated peer. Anything that does not fit is dropped and logged. */
    public void onEnvelope(NodeId authenticatedSender, Envelope envelope) {
        if (!envelope.sender().equals(authenticatedSender)) {
            LOG.warning(() -> "dropped envelope claiming sender " + envelope.sender().shortId() + " from " + authenticatedSender.shortId());
            return;
        }
        SessionKey key = envelope.key();
        Entry entry = active.get(key);
        if (entry == null) {
            if (finished.containsKey(key)) {
                LOG.fine(() -> "dropped message for finished session " + key);
                return;
            }
            if (!envelope.body().isInitialization() || !envelope.master().equals(authenticatedSender)) {
                LOG.fine(() -> "dropped message for unknown session " + key + " from " + authenticatedSender.shortId());
                return;
            }
            // Every refusal to join is said at once, so the master re-plans or fails now instead of at its stall timeout,
            // holding a session (and so refusing exclusive sessions) all that while.
            if (active.size() >= maxSessions) {
                LOG.warning(() -> "session limit reached; refused " + key);
                refuseToJoin(key, authenticatedSender, SecretStoreException.Kind.TOO_EARLY_FOR_REQUEST);
                return;
            }
            if (exclusiveActive() && !isExclusive(key.type()) && !runsBesideExclusive(key.type())) { // an exclusive one is created to refuse (HasActiveSessions)
                LOG.warning(() -> "exclusive session active; refused " + key + " from " + authenticatedSender.shortId());
                refuseToJoin(key, authenticatedSender, SecretStoreException.Kind.EXCLUSIVE_SESSION_ACTIVE);
                return;
            }
            if (!recorder.ready() && recordsRequests(key.type())) {
                LOG.warning(() -> "audit trail cannot be written; refused " + key + " from " + authenticatedSender.shortId() + " (SEC-29)");
                refuseToJoin(key, authenticatedSender, SecretStoreException.Kind.DATABASE); // SEC-38
                return;
            }
            SlaveFactory factory = factories.get(key.type());
            Optional<Session> created = Optional.empty();
            try {
                created = factory == null ? Optional.empty()
                        : factory.create(envelope, recordsRequests(key.type()) ? memberOutbox(key) : outboxFor(key));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot create session " + key + ": " + e.getMessage());
            }
            if (created.isEmpty()) {
                contributed.remove(key);
                return;
            }
            entry = new Entry(created.get(), clock.nanoTime());
            active.put(key, entry);
            LOG.fine(() -> "session " + key + " joined on " + envelope.body().getClass().getSimpleName() + " from "
                    + authenticatedSender.shortId());
        }
        Session session = entry.session;
        if (!session.participants().contains(authenticatedSender)) {
            LOG.warning(() -> "dropped message from non-participant " + authenticatedSender.shortId() + " for " + key);
            return;
        }
        try {
            if (envelope.body() instanceof SessionRefusal refusal) {
                LOG.info(() -> "session " + key + ": member " + authenticatedSender.shortId() + " refused to join (" + refusal.reason() + ")");
                if (key.master().equals(self)) session.onMemberRefused(authenticatedSender, refusal.reason());
            } else {
                session.onMessage(authenticatedSender, envelope.body());
            }
        } catch (SecretStoreException e) {
            session.fail(e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session " + key + " failed while handling a message", e);
            session.fail(SecretStoreException.of(SecretStoreException.Kind.INTERNAL, e.getClass().getSimpleName()));
        }
        entry.lastProgress = clock.nanoTime();
        settle(key);
    }

    /** Tells the master of {@code key} that this node does not join its session ({@link SessionRefusal}). */
    private void refuseToJoin(SessionKey key, NodeId master, SecretStoreException.Kind reason) {
        if (SessionRefusal.USED_BY.contains(key.type())) outboxFor(key).send(master, new SessionRefusal(reason));
    }

    /** A peer's connection dropped: every session it takes part in is told. */
    public void onNodeDisconnected(NodeId node) {
        for (Entry entry : List.copyOf(active.values())) {
            if (entry.session.participants().contains(node)) {
                try {
                    entry.session.onNodeDisconnected(node);
                } catch (RuntimeException e) {
                    entry.session.fail(SecretStoreException.of(SecretStoreException.Kind.INTERNAL, e.getClass().getSimpleName()));
                }
                settle(entry.session.key());
            }
        }
    }

    /**
     * An envelope of session {@code key} for {@code to} will not arrive (issue #12 defect 6): the {@link Network}
     * refused it or lost it. Callable from any thread, also from inside {@link Network#send}: the session is
     * told on the cluster loop as a step of its own ({@link Session#onSendFailed}), never re-entrantly inside
     * the handler that sent the envelope. Ignored when the session has ended or {@code to} is not one of its
     * participants.
     */
    public void onSendFailed(NodeId to, SessionKey key, SendFailure reason) {
        try {
            loop.execute(() -> sendFailed(to, key, reason));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.fine(() -> "node shutting down; send failure of " + key + " to " + to.shortId() + " not reported");
        }
    }

    private void sendFailed(NodeId to, SessionKey key, SendFailure reason) {
        Entry entry = active.get(key);
        if (entry == null || to.equals(self) || !entry.session.participants().contains(to)) {
            LOG.fine(() -> "send failure of " + key + " to " + to.shortId() + " (" + reason + ") concerns no running session");
            return;
        }
        LOG.info(() -> "session " + key + ": message to " + to.shortId() + " not delivered (" + reason + ")");
        try {
            entry.session.onSendFailed(to);
        } catch (SecretStoreException e) {
            entry.session.fail(e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session " + key + " failed while handling a send failure", e);
            entry.session.fail(SecretStoreException.of(SecretStoreException.Kind.INTERNAL, e.getClass().getSimpleName()));
        }
        settle(key);
    }

    /**
     * Maintenance, called periodically: times out stalled sessions and forgets old finished ids.
     * Never throws (SEC-19): a failing session is ended, not the maintenance task.
     */
    public void tick() {
        for (Entry entry : List.copyOf(active.values())) {
            long last = entry.lastProgress; // read before now (SEC-19)
            long now = clock.nanoTime();
            long idle = Math.max(0, now - last);
            // The master decides a session's outcome, so the others wait twice as long before giving up:
            // a stalled master times out first and its abort still reaches live sessions.
            long limit = entry.session.key().master().equals(self) ? stallNanos : 2 * stallNanos;
            if (idle >= limit) {
                try {
                    entry.session.onTimeout();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "timeout handler failed for " + entry.session.key(), e);
                }
                if (!entry.session.isFinished()) {
                    if (entry.session.continuesAfterTimeout()) {
                        entry.lastProgress = clock.nanoTime();
                    } else {
                        entry.session.fail(SecretStoreException.of(SecretStoreException.Kind.NODE_DISCONNECTED));
                    }
                }
                settle(entry.session.key());
            }
        }
        long now = clock.nanoTime();
        Iterator<Map.Entry<SessionKey, Long>> it = finished.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<SessionKey, Long> e = it.next();
            if (Math.max(0, now - e.getValue()) < replayMemoryNanos) break;
            it.remove();
        }
    }

    /** Sessions still running (for tests and metrics). */
    public List<Session> activeSessions() {
        return new ArrayList<>(active.values().stream().map(e -> e.session).toList());
    }

    /** True while a running session may still prepare, commit or discard state of this key. */
    public boolean isWriting(H256 keyId) {
        for (Entry e : active.values()) {
            if (e.session.writesKeys().contains(keyId)) return true;
        }
        return false;
    }

    /** Every key a running session may still prepare, commit or discard ({@link #isWriting} for many keys at once). */
    public Set<H256> writingKeys() {
        Set<H256> out = new HashSet<>();
        for (Entry e : active.values()) out.addAll(e.session.writesKeys());
        return out;
    }

    /**
     * Session types that run alone (a servers set change): none starts while another session runs
     * ({@code HasActiveSessions}), and no other starts while one runs ({@code ExclusiveSessionActive}).
     */
    public static boolean isExclusive(SessionType type) {
        return type == SessionType.SERVERS_SET_CHANGE;
    }

    /**
     * Session types that may start while an exclusive session runs: pending-write resolution, the two-phase
     * commit's recovery path. It only reads the others' committed state and decides this node's own
     * undecided rows, which no running session writes (a set change skips keys with such rows), and a
     * servers set change repeated after a crash can complete only once those rows are decided; refusing
     * it would let client retries of the change starve the recovery they wait for. It still counts as an
     * active session, so an exclusive session does not start beside it ({@code HasActiveSessions}).
     */
    public static boolean runsBesideExclusive(SessionType type) {
        return type == SessionType.PENDING_RESOLUTION;
    }

    private boolean exclusiveActive() {
        return active.keySet().stream().anyMatch(k -> isExclusive(k.type()));
    }

    /**
     * True while any session runs (an exclusive session's other members refuse to start then); when true, says which
     * in the log, since the caller is about to refuse an exclusive session because of them.
     */
    public boolean hasActiveSessions() {
        if (active.isEmpty()) return false;
        LOG.info(() -> "an exclusive session cannot start here: " + describeActive());
        return true;
    }

    /** The running sessions for a log line: how many, and the first few with their age and idle time. */
    String describeActive() {
        long now = clock.nanoTime();
        StringBuilder out = new StringBuilder().append(active.size()).append(" session(s) active");
        int shown = 0;
        for (Map.Entry<SessionKey, Entry> e : active.entrySet()) {
            if (shown++ == 5) {
                out.append(", ...");
                break;
            }
            out.append(shown == 1 ? ": " : ", ").append(e.getKey())
                    .append(" (started ").append(Duration.ofNanos(Math.max(0, now - e.getValue().started)).toMillis())
                    .append(" ms ago, idle ").append(Duration.ofNanos(Math.max(0, now - e.getValue().lastProgress)).toMillis())
                    .append(" ms)");
        }
        return out.toString();
    }

    public boolean isActive(SessionKey key) {
        return active.containsKey(key);
    }

    /**
     * The outbox of a member's session of a client request (SEC-29): before the session's first
     * {@linkplain SessionMessage#isContribution() contribution} leaves, its line is written; when that fails, a
     * {@link SessionRefusal} ({@code DATABASE}) goes to the master instead, the send throws the recorder's error (the
     * session fails with it) and nothing more of the session leaves this node. A session without audit facts at that
     * point (a generation of endpoint 3, recorded by the store that follows it) is recorded when it finishes.
     */
    private Outbox memberOutbox(SessionKey key) {
        Outbox plain = outboxFor(key);
        return (to, message) -> {
            Boolean state = contributed.get(key);
            if (Boolean.FALSE.equals(state)) {
                LOG.fine(() -> "session " + key + " refused for its audit line; dropped " + message.getClass().getSimpleName());
                return;
            }
            if (state == null && message.isContribution()) {
                SecretStoreException unwritten = recordContribution(key);
                if (unwritten != null) {
                    contributed.put(key, false);
                    LOG.warning(() -> "session " + key + ": audit line not written; refused to contribute (SEC-29)");
                    plain.send(key.master(), new SessionRefusal(SecretStoreException.Kind.DATABASE));
                    throw unwritten;
                }
            }
            plain.send(to, message);
        };
    }

    /**
     * Writes the line of member session {@code key} about to contribute, marking it recorded; null when written or when
     * the session has no facts yet (then it is recorded when it finishes), else the error (fail closed).
     */
    private SecretStoreException recordContribution(SessionKey key) {
        Entry entry = active.get(key);
        if (entry == null) return SecretStoreException.of(SecretStoreException.Kind.DATABASE, "no session to record");
        Optional<AuditFacts> facts;
        try {
            facts = entry.session.auditFacts();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "audit facts of " + key + " unavailable", e);
            return SecretStoreException.of(SecretStoreException.Kind.INTERNAL, "audit facts unavailable");
        }
        if (facts.isEmpty()) return null;
        SecretStoreException unwritten = writeRecord(entry.session, facts.get());
        if (unwritten == null) contributed.put(key, true);
        return unwritten;
    }

    /** Session types that serve a client request on their members and are recorded there (SEC-29). */
    static boolean recordsRequests(SessionType type) {
        return switch (type) {
            case KEY_GENERATION, DOCUMENT_KEY_STORE, DECRYPTION, SCHNORR_SIGNING, ECDSA_SIGNING -> true;
            default -> false;
        };
    }

    /** Records a finished session that has audit facts; the recorder's error, or null when recorded or nothing to record. */
    private SecretStoreException recordFinished(Session session) {
        if (contributed.remove(session.key()) != null) return null; // recorded before it contributed, or refused
        Optional<AuditFacts> facts;
        try {
            facts = session.auditFacts();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "audit facts of " + session.key() + " unavailable", e);
            return SecretStoreException.of(SecretStoreException.Kind.INTERNAL, "audit facts unavailable");
        }
        if (facts.isEmpty()) return null;
        return writeRecord(session, facts.get());
    }

    /** Writes {@code session}'s line; the recorder's error, or null when written. */
    private SecretStoreException writeRecord(Session session, AuditFacts facts) {
        try {
            recorder.record(session, facts);
            return null;
        } catch (RuntimeException e) {
            SecretStoreException failure = e instanceof SecretStoreException s ? s
                    : SecretStoreException.of(SecretStoreException.Kind.DATABASE, "audit trail: " + e.getClass().getSimpleName());
            LOG.warning(() -> "session " + session.key() + " could not be recorded in the audit trail: " + failure.displayText());
            return failure;
        }
    }

    private void settle(SessionKey key) {
        Entry entry = active.get(key);
        if (entry != null && !entry.session.isFinished() && Boolean.FALSE.equals(contributed.get(key))) {
            // refused for its audit line, also where a handler swallowed the send's error (an ACL completion)
            entry.session.fail(SecretStoreException.of(SecretStoreException.Kind.DATABASE, "audit trail cannot be written"));
        }
        if (entry != null && entry.session.isFinished()) {
            active.remove(key);
            long now = clock.nanoTime();
            finished.put(key, now);
            SecretStoreException unwritten = recordFinished(entry.session);
            java.util.function.Consumer<SecretStoreException> waiting = awaiting.remove(key);
            if (waiting != null) {
                waiting.accept(unwritten);
            } else if (unwritten != null && key.master().equals(self)) {
                if (unrecorded.size() >= maxSessions) unrecorded.clear(); // only answers nobody waits for any more
                unrecorded.put(key, unwritten);
            }
            LOG.fine(() -> "session " + key + " ended " + entry.session.failure().map(f -> f.kind().name()).orElse("ok") + " after "
                    + Duration.ofNanos(Math.max(0, now - entry.started)).toMillis() + " ms");
            try {
                observer.finished(entry.session, Math.max(0, now - entry.started));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "session observer failed", e);
            }
        }
    }
}
