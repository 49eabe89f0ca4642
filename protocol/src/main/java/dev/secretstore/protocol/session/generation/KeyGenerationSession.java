package dev.secretstore.protocol.session.generation;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.PedersenGenerator;
import dev.secretstore.crypto.threshold.SharePair;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.commit.CommitMaster;
import dev.secretstore.protocol.session.commit.CommitMember;
import dev.secretstore.protocol.session.generation.GenerationMessage.Abort;
import dev.secretstore.protocol.session.generation.GenerationMessage.Commit;
import dev.secretstore.protocol.session.generation.GenerationMessage.Committed;
import dev.secretstore.protocol.session.generation.GenerationMessage.Deal;
import dev.secretstore.protocol.session.generation.GenerationMessage.Feldman;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanComplaint;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanVerdicts;
import dev.secretstore.protocol.session.generation.GenerationMessage.Init;
import dev.secretstore.protocol.session.generation.GenerationMessage.InitAck;
import dev.secretstore.protocol.session.generation.GenerationMessage.Prepared;
import dev.secretstore.protocol.session.generation.GenerationMessage.Refused;
import dev.secretstore.protocol.session.generation.GenerationMessage.Reveal;
import dev.secretstore.protocol.session.generation.GenerationMessage.RevealedPair;
import dev.secretstore.protocol.session.generation.GenerationMessage.Start;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdict;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdicts;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * HTTP endpoint 1: verified distributed key generation among all configured members (crypto.md
 * §10.3.2, design decisions 5 and 6; SEC-02, SEC-03, SEC-10, SEC-11, SEC-18, SEC-25).
 *
 * <p>Rounds (each node waits for the round's message from every other participant; later-round
 * messages are buffered per sender, each processed at most once):
 * <ol>
 *   <li>{@link Init} (master → all) / {@link InitAck} (→ master): a barrier so no node receives a deal before its session exists;
 *   <li>{@link Start} (master → all), then every node deals: {@link Deal} = C_i plus the receiver's pair;
 *   <li>{@link Verdicts}: per dealer, hash of C_i as received, complaint or not;
 *   <li>{@link Reveal}: each dealer answers the complaints against it in clear; everyone checks
 *       hashes (equivocation), lengths (SEC-03), complaint counts and revealed pairs;
 *   <li>{@link Feldman}: A_i; then {@link FeldmanVerdicts}: per dealer hash of A_i and Feldman complaints, judged by everyone;
 *   <li>finish: s_j, A, Y, own-share check, prepare (pending) and {@link Prepared} with the transcript
 *       hash; the master commits when every node prepared the same transcript and sends {@link Commit};
 *       every member commits and answers {@link Committed}, and only then does the master's result complete
 *       (the two-phase commit of {@code session/commit}).
 * </ol>
 * Any fault fails the session everywhere ({@link Abort}); a blamed node is named in the log, in the
 * abort and in {@link #culprit()}, and the error kind is {@code INVALID_MESSAGE}. No retry.
 */
public final class KeyGenerationSession extends AbstractSession<PublicPoint> {
    private static final Logger LOG = Logger.getLogger(KeyGenerationSession.class.getName());
    private static final PublicPoint H = PedersenGenerator.H;

    private enum Phase { AWAIT_INIT, AWAIT_ACKS, AWAIT_START, AWAIT_DEALS, AWAIT_VERDICTS, AWAIT_REVEALS, AWAIT_FELDMAN,
        AWAIT_FELDMAN_VERDICTS, AWAIT_DECISION, DONE }

    private final KeyStorage storage;
    private final SecureRandom rng;
    private final NodeId master;
    private Phase phase;

    private H256 keyId;
    private Address author;
    private int t;
    private IdNumbers ids;

    /** Buffered messages: per message class, per sender, the first one received (SEC-18). */
    private final Map<Class<?>, Map<NodeId, GenerationMessage>> inbox = new HashMap<>();

    private Dkg.Dealer dealer;
    private final Map<NodeId, CommitmentVector> pedersen = new TreeMap<>();
    private final Map<NodeId, CommitmentVector> feldman = new TreeMap<>();
    /** Pairs this node holds from every dealer (own included); replaced by revealed pairs after complaints. */
    private final Map<NodeId, SharePair> pairs = new TreeMap<>();
    /** Round-2 complaints as [dealer, complainer], ascending. */
    private final List<NodeId[]> complaints = new ArrayList<>();
    private boolean refused;
    private boolean abortedByPeer;
    private H256 transcript;
    private PublicPoint publicKey;
    private NodeId culprit;
    /** The master's role in the commit, created when the master sends its init. */
    private CommitMaster commitMaster;
    /** A member's role in the commit. */
    private final CommitMember commitMember;

    private KeyGenerationSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                                 SecureRandom rng) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.rng = rng;
        this.master = key.master();
        this.phase = isMaster() ? Phase.AWAIT_ACKS : Phase.AWAIT_INIT;
        this.commitMember = isMaster() ? null : new CommitMember(storage, master, new CommitMember.Wire() {
            @Override
            public void prepared() {
                outbox.send(master, new Prepared(transcript));
            }

            @Override
            public void refused(Kind reason) {
                refused = true; // the master aborts everywhere
                outbox.send(master, new Abort(reason, List.of()));
            }

            @Override
            public void committed() {
                outbox.send(master, new Committed());
            }
        });
    }

    private CommitMaster commitMaster(KeyStorage storage) {
        return new CommitMaster(storage, self, Set.of(keyId), new TreeSet<>(others()), new TreeSet<>(others()), new CommitMaster.Wire() {
            @Override
            public void commit(NodeId member, Set<H256> keys) {
                outbox.send(member, new Commit());
            }

            @Override
            public void abort(NodeId node, Kind reason) {
                outbox.send(node, new Abort(reason, culprit == null ? List.of() : List.of(culprit)));
            }
        });
    }

    /**
     * Starts the session on the master. Checks, in Parity's order: key committed locally →
     * {@code SERVER_KEY_ALREADY_GENERATED}, only prepared (awaiting the commit's recovery path) → the
     * retryable {@code TOO_EARLY_FOR_REQUEST}; {@code t ≥ N} → {@code NOT_ENOUGH_NODES_FOR_THRESHOLD};
     * a member not connected → {@code NODE_DISCONNECTED}. The returned session may already be finished
     * (a check failed, or a single-node cluster).
     */
    public static KeyGenerationSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                   H256 keyId, Address author, long threshold, SecureRandom rng) {
        SortedSet<NodeId> members = cluster.members();
        KeyGenerationSession s = new KeyGenerationSession(key, cluster.self(), members, outbox, storage, rng);
        s.keyId = keyId;
        s.author = author;
        Kind taken = taken(storage, keyId);
        if (taken != null) {
            s.fail(SecretStoreException.of(taken));
            return s;
        }
        if (threshold < 0 || threshold >= members.size()) {
            s.fail(SecretStoreException.of(Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD));
            return s;
        }
        for (NodeId m : members) {
            if (!cluster.isConnected(m)) {
                s.fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
                return s;
            }
        }
        s.t = (int) threshold;
        s.ids = IdNumbers.random(members.stream().map(NodeId::publicKey).toList(), rng);
        s.commitMaster = s.commitMaster(storage);
        s.broadcast(new Init(keyId, author, s.t, GenerationWire.toWire(s.ids)));
        s.advance();
        return s;
    }

    /**
     * The factory the session manager uses on non-master nodes: creates the session from the master's
     * {@link Init} when the master is a configured member; the init is then delivered as a message and
     * checked (a refusal is answered with {@link Refused}).
     */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, KeyStorage storage, SecureRandom rng) {
        return (init, outbox) -> {
            if (!(init.body() instanceof Init) || !cluster.members().contains(init.master())
                    || !cluster.members().contains(cluster.self())) {
                return Optional.empty();
            }
            return Optional.of(new KeyGenerationSession(init.key(), cluster.self(), cluster.members(), outbox, storage, rng));
        };
    }

    /**
     * Why this node cannot take part in generating {@code keyId}, or null: committed here →
     * {@code SERVER_KEY_ALREADY_GENERATED}; only prepared here → {@code TOO_EARLY_FOR_REQUEST}, retryable,
     * because the row is either committed or discarded by the recovery path within seconds and the client's
     * retry then gets the final answer (issue #12 defect 3: never "already generated" for a key no member
     * kept).
     */
    private static Kind taken(KeyStorage storage, H256 keyId) {
        if (storage.contains(keyId)) return Kind.SERVER_KEY_ALREADY_GENERATED;
        if (storage.pendingKeyIds().contains(keyId)) return Kind.TOO_EARLY_FOR_REQUEST;
        return null;
    }

    @Override
    public Set<NodeId> blamed() {
        return culprit == null ? Set.of() : Set.of(culprit);
    }

    /** The node blamed for the failure, if the session failed with an identified culprit (SEC-10). */
    public Optional<NodeId> culprit() {
        return Optional.ofNullable(culprit);
    }

    // ------------------------------------------------------------------ messages

    @Override
    public Set<H256> writesKeys() {
        return isFinished() || keyId == null ? Set.of() : Set.of(keyId);
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || !(message instanceof GenerationMessage m) || from.equals(self)) return;
        if (m instanceof Abort a) {
            onAbort(from, a);
            return;
        }
        boolean fromMaster = from.equals(master);
        boolean masterOnly = m instanceof Init || m instanceof Start || m instanceof Commit;
        boolean toMasterOnly = m instanceof InitAck || m instanceof Prepared || m instanceof Refused || m instanceof Committed;
        if (masterOnly && !fromMaster) return;
        if (toMasterOnly && !isMaster()) return;
        if (m instanceof Committed) {
            if (commitMaster.onAck(from)) succeed(publicKey);
            return;
        }
        if (m instanceof Refused r) {
            LOG.warning(() -> "generation " + key + ": node " + from + " refused: " + r.reason());
            fail(SecretStoreException.of(r.reason() == null || r.reason().hasDetail() ? Kind.INVALID_MESSAGE : r.reason()));
            return;
        }
        inbox.computeIfAbsent(m.getClass(), c -> new HashMap<>()).putIfAbsent(from, m);
        advance();
    }

    private void onAbort(NodeId from, Abort a) {
        if (isMaster() && commitMaster != null && commitMaster.isDecided()) return; // a decision is final
        if (!isMaster() && !commitMember.onAbort(from)) {
            return; // only the master decides the fate of a prepared result (SEC-25)
        }
        abortedByPeer = true;
        // Every blameable fault is visible to every honest node from the same public data, so the culprit an
        // honest peer reports is the one this node would find; it is still only that peer's claim, logged as such.
        if (!a.culprits().isEmpty()) culprit = a.culprits().get(0);
        LOG.warning(() -> "generation " + key + " of key " + keyId + " aborted by " + from
                + (a.culprits().isEmpty() ? "" : ", which blames node " + a.culprits().get(0).toHex()));
        fail(CommitMember.reported(a.reason()));
    }

    @SuppressWarnings("unchecked")
    private <M extends GenerationMessage> M take(Class<M> type, NodeId from) {
        Map<NodeId, GenerationMessage> m = inbox.get(type);
        return m == null ? null : (M) m.get(from);
    }

    private boolean haveFromAllOthers(Class<? extends GenerationMessage> type) {
        Map<NodeId, GenerationMessage> m = inbox.getOrDefault(type, Map.of());
        for (NodeId p : participants) {
            if (!p.equals(self) && !m.containsKey(p)) return false;
        }
        return true;
    }

    private List<NodeId> others() {
        return participants.stream().filter(p -> !p.equals(self)).toList();
    }

    /** Runs every round whose messages are complete. Faults found by the crypto checks fail the session naming the culprit. */
    private void advance() {
        try {
            boolean progressed = true;
            while (progressed && !isFinished()) {
                progressed = step();
            }
        } catch (CryptoException e) {
            blame(culpritOf(e), e.getMessage());
        }
    }

    private boolean step() {
        switch (phase) {
            case AWAIT_INIT -> {
                Init init = take(Init.class, master);
                if (init == null) return false;
                acceptInit(init);
                return !isFinished();
            }
            case AWAIT_ACKS -> {
                if (!haveFromAllOthers(InitAck.class)) return false;
                broadcast(new Start());
                deal();
                return true;
            }
            case AWAIT_START -> {
                if (take(Start.class, master) == null) return false;
                deal();
                return true;
            }
            case AWAIT_DEALS -> {
                if (!haveFromAllOthers(Deal.class)) return false;
                verifyDeals();
                return true;
            }
            case AWAIT_VERDICTS -> {
                if (!haveFromAllOthers(Verdicts.class)) return false;
                checkVerdicts();
                return true;
            }
            case AWAIT_REVEALS -> {
                if (!haveFromAllOthers(Reveal.class)) return false;
                checkReveals();
                return true;
            }
            case AWAIT_FELDMAN -> {
                if (!haveFromAllOthers(Feldman.class)) return false;
                verifyFeldman();
                return true;
            }
            case AWAIT_FELDMAN_VERDICTS -> {
                if (!haveFromAllOthers(FeldmanVerdicts.class)) return false;
                judgeAndPrepare();
                return true;
            }
            case AWAIT_DECISION -> {
                if (isMaster()) {
                    if (!haveFromAllOthers(Prepared.class)) return false;
                    decide();
                } else {
                    if (take(Commit.class, master) == null || !commitMember.onCommit(master, Set.of(keyId))) return false;
                    phase = Phase.DONE;
                    succeed(publicKey);
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    // ------------------------------------------------------------------ rounds

    private void acceptInit(Init init) {
        keyId = init.keyId();
        author = init.author();
        Kind refusal = taken(storage, keyId);
        if (refusal == null) refusal = initRefusal(init);
        if (refusal != null) {
            refused = true;
            outbox.send(master, new Refused(refusal));
            fail(SecretStoreException.of(refusal));
            return;
        }
        t = init.threshold();
        outbox.send(master, new InitAck());
        phase = Phase.AWAIT_START;
    }

    /** Why this member refuses the master's threshold or id numbers, or null (SEC-02). Sets {@link #ids} when accepted. */
    private Kind initRefusal(Init init) {
        if (init.threshold() < 0 || init.threshold() >= participants.size()) return Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD;
        try {
            Set<NodeId> listed = new TreeSet<>();
            init.idNumbers().forEach(e -> listed.add(e.node()));
            if (!listed.equals(participants)) {
                LOG.warning(() -> "generation " + key + ": participant set differs from the configured members");
                return Kind.INVALID_MESSAGE;
            }
            ids = GenerationWire.fromWire(List.copyOf(participants), init.idNumbers()); // SEC-02
            return null;
        } catch (RuntimeException e) {
            LOG.warning(() -> "generation " + key + ": refused id numbers: " + e.getMessage());
            return Kind.INVALID_MESSAGE;
        }
    }

    private void deal() {
        dealer = Dkg.Dealer.create(t, rng);
        CommitmentVector c = dealer.pedersenCommitments(H);
        pedersen.put(self, c);
        for (NodeId receiver : others()) {
            SharePair pair = dealer.shareFor(ids.of(receiver.publicKey()));
            // not destroyed here: the transport may encode the message after send() returns
            outbox.send(receiver, new Deal(c.points(), pair.f(), pair.g()));
        }
        pairs.put(self, dealer.shareFor(myX()));
        phase = Phase.AWAIT_DEALS;
    }

    private Scalar myX() {
        return ids.of(self.publicKey());
    }

    /** Round 2: check every dealer's pair against its Pedersen vector; broadcast hashes and complaints. */
    private void verifyDeals() {
        List<Verdict> verdicts = new ArrayList<>();
        for (NodeId i : others()) {
            Deal d = take(Deal.class, i);
            CommitmentVector c = GenerationWire.vector(d.pedersen());
            pedersen.put(i, c);
            SharePair pair = new SharePair(d.f().copy(), d.g().copy());
            pairs.put(i, pair);
            boolean complaint = false;
            try {
                Dkg.verifyPedersenShare(i.publicKey(), c, t, myX(), pair, H);
            } catch (CryptoException e) {
                LOG.warning(() -> "generation " + key + ": complaint against dealer " + i + ": " + e.getMessage());
                complaint = true;
            }
            verdicts.add(new Verdict(i, c.hash(), complaint));
        }
        broadcast(new Verdicts(verdicts));
        inbox.computeIfAbsent(Verdicts.class, k -> new HashMap<>()).put(self, new Verdicts(verdicts));
        phase = Phase.AWAIT_VERDICTS;
    }

    /** Verdicts must name each other dealer exactly once (SEC-03). Returns dealer → verdict. */
    private Map<NodeId, Verdict> verdictsOf(NodeId reporter, List<Verdict> list) {
        Map<NodeId, Verdict> out = new TreeMap<>();
        for (Verdict v : list) {
            if (!participants.contains(v.dealer()) || v.dealer().equals(reporter) || out.put(v.dealer(), v) != null) {
                throw fault(reporter, "malformed verdict list");
            }
        }
        if (out.size() != participants.size() - 1) throw fault(reporter, "verdict list has " + out.size() + " entries (SEC-03)");
        return out;
    }

    /** Round 3: equivocation, lengths, complaint counts; then answer complaints against this node. */
    private void checkVerdicts() {
        Map<NodeId, Map<NodeId, Verdict>> byReporter = new TreeMap<>();
        for (NodeId r : participants) byReporter.put(r, verdictsOf(r, take(Verdicts.class, r).verdicts()));
        for (NodeId i : participants) {
            Map<PublicPoint, H256> reported = new HashMap<>();
            List<NodeId> complainers = new ArrayList<>();
            byReporter.forEach((r, vs) -> {
                Verdict v = vs.get(i);
                if (v == null) return; // the dealer itself
                reported.put(r.publicKey(), v.vectorHash());
                if (v.complaint()) complainers.add(r);
            });
            Dkg.checkReportedHashes(i.publicKey(), pedersen.get(i), reported);
            pedersen.get(i).requireDegree(t, false, i.publicKey());
            Dkg.checkComplaintCount(i.publicKey(), complainers.size(), t);
            for (NodeId j : complainers) complaints.add(new NodeId[] {i, j});
        }
        List<RevealedPair> answers = new ArrayList<>();
        for (NodeId[] c : complaints) {
            if (c[0].equals(self)) {
                SharePair p = dealer.shareFor(ids.of(c[1].publicKey()));
                answers.add(new RevealedPair(c[1], p.f(), p.g()));
            }
        }
        broadcast(new Reveal(answers));
        phase = Phase.AWAIT_REVEALS;
    }

    /** Round 3 checks: every complaint answered with a pair that passes the Pedersen check; complainers adopt it. */
    private void checkReveals() {
        for (NodeId[] c : complaints) {
            NodeId i = c[0];
            NodeId j = c[1];
            if (i.equals(self)) continue; // own answers are correct by construction
            RevealedPair answer = null;
            for (RevealedPair p : take(Reveal.class, i).pairs()) {
                if (p.complainer().equals(j)) {
                    answer = p;
                    break;
                }
            }
            if (answer == null) throw fault(i, "did not answer the complaint of " + j.shortId());
            SharePair revealed = new SharePair(answer.f().copy(), answer.g().copy());
            Dkg.resolvePedersenComplaint(i.publicKey(), pedersen.get(i), t, ids.of(j.publicKey()), revealed, H);
            LOG.info(() -> "generation " + key + ": complaint of " + j.shortId() + " against " + i.shortId() + " resolved by reveal");
            if (j.equals(self)) {
                pairs.put(i, revealed).destroy();
            } else {
                revealed.destroy();
            }
        }
        CommitmentVector a = dealer.feldmanCommitments();
        feldman.put(self, a);
        broadcast(new Feldman(a.points()));
        phase = Phase.AWAIT_FELDMAN;
    }

    /** Round 4: check every dealer's Feldman vector against own pair; report hashes and complaints. */
    private void verifyFeldman() {
        List<Verdict> verdicts = new ArrayList<>();
        List<FeldmanComplaint> mine = new ArrayList<>();
        for (NodeId i : others()) {
            CommitmentVector a = GenerationWire.vector(take(Feldman.class, i).feldman());
            feldman.put(i, a);
            boolean complaint = false;
            if (a.points().size() == t + 1) { // a wrong length is judged publicly after the hash comparison (SEC-03)
                try {
                    Dkg.verifyFeldmanShare(i.publicKey(), a, t, myX(), pairs.get(i).f());
                } catch (CryptoException e) {
                    LOG.warning(() -> "generation " + key + ": Feldman complaint against dealer " + i + ": " + e.getMessage());
                    complaint = true;
                    SharePair p = pairs.get(i); // copies: the transport may encode after onFinish destroyed the pairs
                    mine.add(new FeldmanComplaint(i, p.f().copy(), p.g().copy()));
                }
            }
            verdicts.add(new Verdict(i, a.hash(), complaint));
        }
        broadcast(new FeldmanVerdicts(verdicts, mine));
        inbox.computeIfAbsent(FeldmanVerdicts.class, k -> new HashMap<>()).put(self, new FeldmanVerdicts(verdicts, mine));
        phase = Phase.AWAIT_FELDMAN_VERDICTS;
    }

    /** Round 4 judgement and round 5: results, own-share check, durable prepare, transcript hash. */
    private void judgeAndPrepare() {
        Map<NodeId, Map<NodeId, Verdict>> byReporter = new TreeMap<>();
        for (NodeId r : participants) byReporter.put(r, verdictsOf(r, take(FeldmanVerdicts.class, r).verdicts()));
        for (NodeId i : participants) {
            Map<PublicPoint, H256> reported = new HashMap<>();
            byReporter.forEach((r, vs) -> {
                Verdict v = vs.get(i);
                if (v != null) reported.put(r.publicKey(), v.vectorHash());
            });
            Dkg.checkReportedHashes(i.publicKey(), feldman.get(i), reported);
            feldman.get(i).requireDegree(t, false, i.publicKey());
        }
        for (NodeId j : participants) {
            FeldmanVerdicts fv = take(FeldmanVerdicts.class, j);
            Set<NodeId> against = new TreeSet<>();
            for (FeldmanComplaint c : fv.complaints()) {
                if (!participants.contains(c.dealer()) || c.dealer().equals(j) || !against.add(c.dealer())) {
                    throw fault(j, "malformed Feldman complaint");
                }
                Verdict v = byReporter.get(j).get(c.dealer());
                if (!v.complaint()) throw fault(j, "Feldman complaint not announced in its verdict");
                SharePair revealed = new SharePair(c.f().copy(), c.g().copy());
                try {
                    Dkg.ComplaintVerdict verdict = Dkg.judgeFeldmanComplaint(c.dealer().publicKey(), j.publicKey(),
                            pedersen.get(c.dealer()), feldman.get(c.dealer()), t, ids.of(j.publicKey()), revealed, H);
                    throw fault(new NodeId(verdict.culprit()), "Feldman complaint of " + j.shortId() + " against "
                            + c.dealer().shortId() + " puts the " + verdict.blame().name().toLowerCase() + " at fault");
                } finally {
                    revealed.destroy();
                }
            }
            for (Verdict v : byReporter.get(j).values()) {
                if (v.complaint() && !against.contains(v.dealer())) throw fault(j, "Feldman complaint without its pair");
            }
        }
        List<SecretScalar> fs = new ArrayList<>();
        for (SharePair p : pairs.values()) fs.add(p.f());
        SecretScalar share = Dkg.combineShares(fs);
        Map<PublicPoint, CommitmentVector> byDealer = new HashMap<>();
        feldman.forEach((n, a) -> byDealer.put(n.publicKey(), a));
        KeyCommitments commitments = Dkg.aggregate(byDealer, t);
        Dkg.checkOwnShare(self.publicKey(), share, commitments, myX());
        publicKey = commitments.publicKey();
        transcript = GenerationWire.transcriptHash(keyId, author, t, ids, pedersen, feldman, complaints);
        KeyVersion version = new KeyVersion(GenerationWire.byNodeId(ids), share, commitments.vector().points());
        KeyShare prepared = new KeyShare(keyId, author, t, publicKey, Optional.empty(), List.of(version));
        phase = Phase.AWAIT_DECISION;
        if (isMaster()) {
            commitMaster.prepareLocally(() -> storage.prepareNewKey(prepared));
        } else {
            commitMember.prepare(Set.of(keyId), () -> storage.prepareNewKey(prepared));
        }
    }

    /**
     * Master: commit when every node prepared the same transcript (SEC-10, SEC-25); the result completes
     * when every member acknowledged its commit.
     */
    private void decide() {
        for (NodeId n : others()) {
            H256 h = take(Prepared.class, n).transcriptHash();
            if (!h.equals(transcript)) {
                throw fault(n, "transcript hash differs from the master's");
            }
            commitMaster.onPrepared(n);
        }
        commitMaster.commit();
        phase = Phase.DONE;
        if (commitMaster.isComplete()) succeed(publicKey);
    }

    // ------------------------------------------------------------------ faults, disconnection, cleanup

    private static CryptoException fault(NodeId culprit, String what) {
        return new CryptoException(CryptoException.Reason.VERIFICATION_FAILED, culprit.publicKey(), "node " + culprit.toHex() + ": " + what,
                null);
    }

    /** The node a crypto failure names as its culprit ({@link CryptoException#culprit()}), if any. */
    static NodeId culpritOf(CryptoException e) {
        return e.culprit().map(NodeId::new).orElse(null);
    }

    private void blame(NodeId node, String reason) {
        culprit = node;
        LOG.warning(() -> "generation " + key + " of key " + keyId + " aborted: blamed node "
                + (node == null ? "(none)" : node.toHex()) + ": " + reason);
        SecretStoreException error = SecretStoreException.of(Kind.INVALID_MESSAGE);
        fail(node == null ? error : error.withCulprits(List.of(new Culprit(node, Culprit.Reason.INVALID_CONTRIBUTION, reason))));
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isFinished() || !participants.contains(node)) return;
        if (isMaster() && commitMaster != null && commitMaster.isDecided()) {
            if (commitMaster.onMemberLost(node)) succeed(publicKey); // it resolves its prepared row with the others
            return;
        }
        if (!isMaster() && commitMember.isPrepared() && !node.equals(master)) {
            return; // the master decides; it saw the disconnection too
        }
        fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
    }

    @Override
    public void onTimeout() {
        if (isMaster() && commitMaster != null && commitMaster.isDecided()) {
            succeed(publicKey); // the decision stands; a member that never acknowledged resolves its row with the others
        } else {
            fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
        }
    }

    /**
     * The master aborts everywhere (its own Abort to every member, also when a member's abort caused the
     * failure); a member that prepared keeps its row unless the master aborted; a member that had not prepared
     * tells the others, unless it refused (then the master tells them).
     */
    @Override
    protected void onFailure(SecretStoreException error) {
        phase = Phase.DONE;
        if (isMaster()) {
            if (commitMaster != null) commitMaster.abort(error.kind());
            return;
        }
        commitMember.end("generation " + key + " of key " + keyId);
        if (!refused && !abortedByPeer && !commitMember.isPrepared() && commitMember.state() != CommitMember.State.ORPHANED) {
            broadcast(new Abort(error.kind(), culprit == null ? List.of() : List.of(culprit)));
        }
    }

    @Override
    protected void onFinish() {
        if (dealer != null) dealer.destroy();
        pairs.values().forEach(SharePair::destroy);
        pairs.clear();
        for (GenerationMessage m : inbox.getOrDefault(Deal.class, Map.of()).values()) {
            Deal d = (Deal) m;
            d.f().destroy();
            d.g().destroy();
        }
        inbox.clear();
    }
}
