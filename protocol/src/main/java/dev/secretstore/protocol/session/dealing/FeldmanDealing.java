package dev.secretstore.protocol.session.dealing;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.HedgedNonces;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Feldman dealing among a group (crypto.md §10.3.4): every member deals one hedged random polynomial per
 * {@link Sharing} to every other member, Feldman-checked, with a commit-then-reveal round so that nobody
 * sees another's commitments before it is bound to its own, and an equivocation check so that no dealer
 * shows different commitments to different members. Signing uses it for its nonces (Schnorr one sharing,
 * ECDSA three); a key refresh would use it with zero-constant sharings of the key's degree.
 *
 * <p><b>Rounds.</b> The master sends {@link DealingMessage.Request} to the group. Each member draws its
 * polynomials ({@link Member#start}) and sends the master only a hash of its vectors
 * ({@link DealingMessage.Hash}, {@link #commitmentHash}). Once every member committed the master sends the
 * hashes ({@link Master#onHash} → {@link DealingMessage.Hashes}); then each member reveals
 * ({@link Member#reveal}): its shares with the vectors to every other member ({@link DealingMessage.Deal})
 * and its vectors to the master ({@link DealingMessage.Commitment}), which must match the hash. Each member
 * checks every deal ({@link Dkg#verifyFeldmanShare}, {@link Dkg#verifyZeroShare}) and reports the hashes of
 * the vectors it saw ({@link DealingMessage.Ready}); the master compares them with the revealed vectors
 * ({@link Master#onReady}) and hands the agreed vectors on.
 *
 * <p><b>Faults.</b> A malformed commitment, a reveal that does not match its hash, a report that does not
 * cover the group, or equivocation is a {@link Culprit} (equivocation that at most t members report blames
 * them too: see {@link Master#maybeAgree}). A deal that fails its check makes the receiver
 * complain ({@link DealingMessage.Complaint}); without a transferable proof the master cannot tell who
 * lies, so both are culprits.
 *
 * <p><b>Secrets.</b> Polynomials are wiped once dealt; received shares once checked (or kept, summed, when
 * the session needs them); a member's state is wiped by {@link Member#destroy}.
 */
public final class FeldmanDealing {
    /** One polynomial every member deals per attempt: its hedging purpose tag, degree, and whether its constant is zero. */
    public record Sharing(String purpose, int degree, boolean zero) {}

    /** Domain tag of a member's hash of its commitments. */
    public static final String COMMITMENT_TAG = "secretstore/v1/nonce-commitment";

    private FeldmanDealing() {}

    // ================================================================== master

    /** What the master does after a message of the dealing. */
    public sealed interface Step {}

    /** Nothing yet. */
    public record Pending() implements Step {}

    /** A culprit (or two, for a complaint): exclude them and restart the attempt. */
    public record Blame(List<Culprit> culprits) implements Step {
        public Blame {
            culprits = List.copyOf(culprits);
        }
    }

    /** Every dealer's vectors, checked and seen identically by every member. */
    public record Agreed(Map<NodeId, List<CommitmentVector>> vectors) implements Step {}

    /** The master's role in one attempt's dealing: pure state, each round a function of the member's message. */
    public static final class Master {
        private final List<Sharing> sharings;
        private final H256 attempt;
        private final List<NodeId> group;
        private final Map<NodeId, H256> hashes = new HashMap<>();
        private final Map<NodeId, List<CommitmentVector>> vectors = new HashMap<>();
        private final Map<NodeId, Map<NodeId, H256>> reports = new HashMap<>();
        private boolean revealing;
        private boolean agreed;

        public Master(List<Sharing> sharings, H256 attempt, List<NodeId> group) {
            this.sharings = List.copyOf(sharings);
            this.attempt = attempt;
            this.group = List.copyOf(group);
        }

        /** The request that starts the dealing among the group, for key {@code version}. */
        public DealingMessage.Request request(H256 version) {
            return new DealingMessage.Request(attempt, group, version);
        }

        private boolean fits(NodeId from, H256 attemptId) {
            return !agreed && attempt.equals(attemptId) && group.contains(from);
        }

        /** A member's hash; once every member committed, the hashes to send to the group. */
        public Optional<DealingMessage.Hashes> onHash(NodeId from, DealingMessage.Hash h) {
            if (!fits(from, h.attemptId()) || revealing || hashes.containsKey(from)) return Optional.empty();
            hashes.put(from, h.hash());
            if (hashes.size() < group.size()) return Optional.empty();
            revealing = true; // every member is bound to its vectors: now they may see each other's
            List<DealingMessage.VectorHash> all = new ArrayList<>();
            for (NodeId member : group) all.add(new DealingMessage.VectorHash(member, hashes.get(member)));
            return Optional.of(new DealingMessage.Hashes(attempt, all));
        }

        /** A member's revealed vectors: checked against its hash. */
        public Step onCommitment(NodeId from, DealingMessage.Commitment c) {
            if (!fits(from, c.attemptId()) || !revealing || vectors.containsKey(from)) return new Pending();
            List<CommitmentVector> v;
            try {
                v = checkedVectors(sharings, from, c.vectors());
            } catch (RuntimeException e) {
                return blame(from, Culprit.Reason.INVALID_CONTRIBUTION, "malformed commitments: " + e.getMessage());
            }
            if (!commitmentHash(attempt, from, c.vectors()).equals(hashes.get(from))) {
                return blame(from, Culprit.Reason.INVALID_CONTRIBUTION, "revealed commitments do not match its hash");
            }
            vectors.put(from, v);
            return maybeAgree();
        }

        /** A member's report of what it saw. */
        public Step onReady(NodeId from, DealingMessage.Ready r) {
            if (!fits(from, r.attemptId()) || reports.containsKey(from)) return new Pending();
            Map<NodeId, H256> seen = new HashMap<>();
            for (DealingMessage.VectorHash h : r.received()) seen.put(h.dealer(), h.hash());
            if (!seen.keySet().equals(new HashSet<>(group)) || r.received().size() != group.size()) {
                return blame(from, Culprit.Reason.INVALID_CONTRIBUTION, "report does not cover exactly the group");
            }
            reports.put(from, seen);
            return maybeAgree();
        }

        /** A member's complaint: both it and the accused dealer are culprits. */
        public Step onComplaint(NodeId from, DealingMessage.Complaint c) {
            if (!fits(from, c.attemptId())) return new Pending();
            NodeId accused = c.dealer();
            List<Culprit> out = new ArrayList<>();
            if (group.contains(accused) && !accused.equals(from)) {
                out.add(new Culprit(accused, Culprit.Reason.COMPLAINT, "accused by " + from.shortId()));
            }
            out.add(new Culprit(from, Culprit.Reason.COMPLAINT, "Feldman complaint against " + accused.shortId()));
            return new Blame(out);
        }

        /**
         * Every dealer's revealed vectors against every receiver's report. A receiver's report is its word only
         * (deals are not signed), so a dealer that more than t receivers contradict is blamed alone (one of them
         * is honest); one that at most t contradict is blamed together with them, so a lying receiver can never
         * have an honest dealer excluded without being excluded itself. t is the sharings' smallest degree.
         */
        private Step maybeAgree() {
            if (vectors.size() < group.size() || reports.size() < group.size()) return new Pending();
            int t = sharings.stream().mapToInt(Sharing::degree).min().orElse(0);
            for (NodeId dealer : group) {
                H256 own = hash(vectors.get(dealer));
                List<NodeId> contradicting = new ArrayList<>();
                for (NodeId receiver : group) {
                    if (!receiver.equals(dealer) && !own.equals(reports.get(receiver).get(dealer))) contradicting.add(receiver);
                }
                if (contradicting.isEmpty()) continue;
                List<Culprit> out = new ArrayList<>();
                out.add(new Culprit(dealer, Culprit.Reason.EQUIVOCATION, contradicting.size() + " member(s) report different commitments"));
                if (contradicting.size() <= t) {
                    for (NodeId r : contradicting) {
                        out.add(new Culprit(r, Culprit.Reason.EQUIVOCATION, "reports commitments of " + dealer.shortId()
                                + " that differ from the ones it revealed"));
                    }
                }
                return new Blame(out);
            }
            agreed = true;
            return new Agreed(new HashMap<>(vectors));
        }

        /** Members that never committed, or committed and never revealed (later rounds name nobody). */
        public Set<NodeId> awaited() {
            Set<NodeId> out = new TreeSet<>();
            if (agreed) return out;
            for (NodeId member : group) {
                if (!(revealing ? vectors : hashes).containsKey(member)) out.add(member);
            }
            return out;
        }

        private static Blame blame(NodeId node, Culprit.Reason reason, String detail) {
            return new Blame(List.of(new Culprit(node, reason, detail)));
        }
    }

    // ================================================================== member

    /**
     * A member's role in one attempt's dealing (the master's too, when it is in the group). Sends through
     * {@code send} so that secret deals are wiped right after the (synchronous) encoding.
     */
    public static final class Member {
        private final List<Sharing> sharings;
        private final NodeId self;
        private final NodeId master;
        private final H256 attempt;
        private final List<NodeId> group;
        private final IdNumbers ids;
        private final boolean keepShares;
        private final BiConsumer<NodeId, DealingMessage> send;
        private List<Polynomial> polynomials = List.of();
        private List<CommitmentVector> own;
        private boolean revealed;
        private boolean failed;
        private boolean ready;
        private final Map<NodeId, List<CommitmentVector>> seen = new HashMap<>();
        /** The hashes every dealer committed to, as the master's {@link DealingMessage.Hashes} named them. */
        private final Map<NodeId, H256> committed = new HashMap<>();
        /** Runs once every deal arrived and passed its checks, before the {@link DealingMessage.Ready} is sent. */
        private Runnable beforeReady = () -> { };
        /** Own evaluations and checked shares by sharing, when the session needs their sums. */
        private final List<List<SecretScalar>> kept = new ArrayList<>();

        /**
         * @param keepShares whether the session needs the sums of the shares (ECDSA); otherwise shares are
         *                   wiped as soon as they are checked
         */
        public Member(List<Sharing> sharings, NodeId self, NodeId master, H256 attempt, List<NodeId> group, IdNumbers ids,
                      boolean keepShares, BiConsumer<NodeId, DealingMessage> send) {
            this.sharings = List.copyOf(sharings);
            this.self = self;
            this.master = master;
            this.attempt = attempt;
            this.group = List.copyOf(group);
            this.ids = ids;
            this.keepShares = keepShares;
            this.send = send;
            for (int i = 0; i < sharings.size(); i++) kept.add(new ArrayList<>());
        }

        public H256 attempt() {
            return attempt;
        }

        public List<NodeId> group() {
            return group;
        }

        /**
         * Draws one hedged polynomial per sharing ({@code hedge}: the member's key share, SEC-08), hands them to
         * {@code keepOwn} before anything is sent, and commits to the master with the hash of its vectors.
         */
        public void start(SecretScalar hedge, ProofContext ctx, SecureRandom rng, Consumer<List<Polynomial>> keepOwn) {
            List<Polynomial> drawn = new ArrayList<>();
            try {
                for (Sharing s : sharings) {
                    drawn.add(Polynomial.randomHedged(s.degree(), s.zero(), hedge, HedgedNonces.context(ctx, s.purpose()), rng));
                }
                own = drawn.stream().map(Polynomial::feldman).toList();
                keepOwn.accept(drawn);
                if (keepShares) {
                    Scalar x = ids.of(self.publicKey());
                    for (int i = 0; i < drawn.size(); i++) kept.get(i).add(drawn.get(i).evaluate(x));
                }
            } catch (RuntimeException e) {
                drawn.forEach(Polynomial::destroy);
                throw e;
            }
            polynomials = drawn;
            // Bound to its vectors before it sees anyone else's: only the hash leaves this node for now.
            send.accept(master, new DealingMessage.Hash(attempt, commitmentHash(attempt, self, points(own))));
        }

        /**
         * Every member committed: deals to every other member and reveals the vectors to the master. Empty if
         * it revealed; a reason to refuse the attempt when the hashes do not fit the group or this node's
         * commitment; nothing for a stale or repeated message.
         */
        public Optional<String> reveal(DealingMessage.Hashes h) {
            if (!attempt.equals(h.attemptId()) || revealed || failed || own == null) return Optional.empty();
            Map<NodeId, H256> hashes = new HashMap<>();
            for (DealingMessage.VectorHash v : h.hashes()) hashes.put(v.dealer(), v.hash());
            List<List<PublicPoint>> points = points(own);
            if (!hashes.keySet().equals(new HashSet<>(group)) || !commitmentHash(attempt, self, points).equals(hashes.get(self))) {
                destroy();
                failed = true;
                return Optional.of("the hashes do not match this group and this node's commitment");
            }
            revealed = true;
            committed.putAll(hashes);
            seen.put(self, own);
            try {
                for (NodeId other : group) {
                    if (other.equals(self)) continue;
                    Scalar x = ids.of(other.publicKey());
                    List<SecretScalar> shares = polynomials.stream().map(p -> p.evaluate(x)).toList();
                    try {
                        // Encoded synchronously (the outbox contract), so the shares can be wiped right after.
                        send.accept(other, new DealingMessage.Deal(attempt, points, shares));
                    } finally {
                        shares.forEach(SecretScalar::destroy);
                    }
                }
            } finally {
                destroyPolynomials();
            }
            send.accept(master, new DealingMessage.Commitment(attempt, points));
            maybeReady();
            return Optional.empty();
        }

        /**
         * A deal: checked against its dealer's vectors; a failed check is a complaint to the master, and its
         * reason is returned (the attempt is then lost for this member). The shares are wiped.
         */
        public Optional<String> onDeal(NodeId from, DealingMessage.Deal d) {
            try {
                if (!attempt.equals(d.attemptId()) || failed || ready || !group.contains(from) || seen.containsKey(from)) {
                    return Optional.empty();
                }
                List<CommitmentVector> v;
                try {
                    v = checkedVectors(sharings, from, d.vectors());
                    checkShares(from, v, d.shares());
                } catch (RuntimeException e) {
                    failed = true;
                    destroy();
                    send.accept(master, new DealingMessage.Complaint(attempt, from));
                    return Optional.of("deal from " + from.shortId() + " rejected: " + e.getMessage());
                }
                seen.put(from, v);
                if (keepShares) {
                    for (int i = 0; i < sharings.size(); i++) kept.get(i).add(d.shares().get(i).copy());
                }
                maybeReady();
                return Optional.empty();
            } finally {
                d.shares().forEach(SecretScalar::destroy);
            }
        }

        private void maybeReady() {
            if (!revealed || failed || ready || seen.size() < group.size()) return;
            ready = true;
            beforeReady.run();
            List<DealingMessage.VectorHash> hashes = new ArrayList<>();
            for (NodeId dealer : group) hashes.add(new DealingMessage.VectorHash(dealer, hash(seen.get(dealer))));
            send.accept(master, new DealingMessage.Ready(attempt, hashes));
        }

        /** Every deal arrived and passed its checks, and no complaint was made. */
        public boolean ready() {
            return ready && !failed;
        }

        /**
         * {@code hook} runs once, when every deal arrived and passed its checks, right before this member's
         * {@link DealingMessage.Ready} is sent (so that what it sends the master arrives ahead of the report).
         */
        public void beforeReady(Runnable hook) {
            this.beforeReady = hook;
        }

        /**
         * {@link #ready()}, and every dealer's vectors as this member received them hash to the commitment that dealer
         * made before anyone revealed ({@link #commitmentHash}, as the master's {@link DealingMessage.Hashes} named it).
         * Then no dealer chose its vectors after seeing another member's, and every member given the same hashes sees
         * the same vectors, so the master's equivocation check ({@link Master#onReady}) finds no honest member's view to differ:
         * a member may contribute with them before that check.
         */
        public boolean boundToHashes() {
            if (!ready()) return false;
            for (NodeId dealer : group) {
                List<CommitmentVector> v = seen.get(dealer);
                H256 h = committed.get(dealer);
                if (v == null || h == null || !commitmentHash(attempt, dealer, points(v)).equals(h)) return false;
            }
            return true;
        }

        /** The checked vectors of {@code dealer} (this node included). */
        public List<CommitmentVector> vectors(NodeId dealer) {
            return seen.get(dealer);
        }

        /**
         * Once {@link #ready()} with {@code keepShares}: this member's share of each sharing (the sum of every
         * dealer's share), in sharing order; the kept shares are wiped. The caller owns the sums.
         */
        public List<SecretScalar> takeSums() {
            if (!ready() || !keepShares) throw new IllegalStateException("no complete dealing to sum");
            List<SecretScalar> sums = new ArrayList<>();
            for (List<SecretScalar> shares : kept) sums.add(Dkg.combineShares(shares));
            destroyKept();
            return sums;
        }

        /** Wipes everything secret this member holds for the attempt. */
        public void destroy() {
            destroyPolynomials();
            destroyKept();
        }

        private void destroyPolynomials() {
            polynomials.forEach(Polynomial::destroy);
            polynomials = List.of();
        }

        private void destroyKept() {
            for (List<SecretScalar> shares : kept) {
                shares.forEach(SecretScalar::destroy);
                shares.clear();
            }
        }

        private void checkShares(NodeId dealer, List<CommitmentVector> vectors, List<SecretScalar> shares) {
            if (shares.size() != sharings.size()) throw new IllegalArgumentException(shares.size() + " shares");
            Scalar x = ids.of(self.publicKey());
            for (int i = 0; i < sharings.size(); i++) {
                Sharing s = sharings.get(i);
                if (s.zero()) {
                    Dkg.verifyZeroShare(dealer.publicKey(), vectors.get(i), s.degree(), x, shares.get(i));
                } else {
                    Dkg.verifyFeldmanShare(dealer.publicKey(), vectors.get(i), s.degree(), x, shares.get(i));
                }
            }
        }
    }

    // ================================================================== shared checks and hashes

    /** The vectors of {@code dealer}, one per sharing, each of exactly the right length and kind (SEC-03). */
    static List<CommitmentVector> checkedVectors(List<Sharing> sharings, NodeId dealer, List<List<PublicPoint>> points) {
        if (points.size() != sharings.size()) throw new IllegalArgumentException(points.size() + " commitment vectors");
        List<CommitmentVector> out = new ArrayList<>();
        for (int i = 0; i < sharings.size(); i++) {
            Sharing s = sharings.get(i);
            out.add(new CommitmentVector(points.get(i), s.zero()).requireDegree(s.degree(), s.zero(), dealer.publicKey()));
        }
        return out;
    }

    static List<List<PublicPoint>> points(List<CommitmentVector> vectors) {
        return vectors.stream().map(CommitmentVector::points).toList();
    }

    /**
     * A member's commitment to its vectors before it reveals them: keccak256 over
     * {@code enc(tag) ‖ enc(attempt id) ‖ enc(dealer id) ‖ enc(u32 number of vectors)}, then per vector
     * {@code enc(u32 number of points) ‖ enc(point)…}, where {@code enc(x)} is the 4-byte big-endian length of
     * {@code x} followed by {@code x} (the transcript encoding of crypto.md §11.1), tag
     * {@value #COMMITMENT_TAG}, points as 64 bytes {@code X ‖ Y}. Binding the attempt and the dealer stops a
     * member from replaying another's hash.
     */
    public static H256 commitmentHash(H256 attempt, NodeId dealer, List<List<PublicPoint>> vectors) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        append(out, COMMITMENT_TAG.getBytes(StandardCharsets.US_ASCII));
        append(out, attempt.toBytes());
        append(out, dealer.toBytes());
        append(out, ByteBuffer.allocate(4).putInt(vectors.size()).array());
        for (List<PublicPoint> vector : vectors) {
            append(out, ByteBuffer.allocate(4).putInt(vector.size()).array());
            for (PublicPoint p : vector) append(out, p.toBytes());
        }
        return H256.fromBytes(Keccak256.hash(out.toByteArray()));
    }

    private static void append(ByteArrayOutputStream out, byte[] field) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
        out.writeBytes(field);
    }

    /** What members report of one dealer: the hash of its single vector, or keccak256 of its vectors' hashes in order. */
    public static H256 hash(List<CommitmentVector> vectors) {
        if (vectors.size() == 1) return vectors.get(0).hash();
        byte[][] parts = new byte[vectors.size()][];
        for (int i = 0; i < parts.length; i++) parts[i] = vectors.get(i).hash().toBytes();
        return H256.fromBytes(Keccak256.hash(parts));
    }
}
