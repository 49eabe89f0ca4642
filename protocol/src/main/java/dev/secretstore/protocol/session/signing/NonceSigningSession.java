package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.HedgedNonces;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.consensus.ConsensusSession;
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
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * What Schnorr and ECDSA signing share on top of the ACL consensus: every attempt starts with fresh nested
 * nonce generations among the group (crypto.md §10.3.4), Feldman-checked, before the scheme's own rounds.
 *
 * <p><b>Rounds.</b> The master sends a fresh attempt id and the group ({@link NonceMessage.Request}). Each
 * member draws one hedged polynomial per {@link Sharing} of the scheme (SEC-08) and first sends the master
 * only a hash of its Feldman vectors ({@link NonceMessage.Hash}, {@link #commitmentHash}). Once every member
 * has committed, the master sends the hashes to the group ({@link NonceMessage.Hashes}), and only then does
 * each member reveal: it sends every other member its shares with the vectors ({@link NonceMessage.Deal})
 * and the master the vectors ({@link NonceMessage.Commitment}), which must match the hash. So no member sees
 * anyone's nonce commitments {@code R_i} before it is bound to its own. Each member checks every share against its dealer's vectors
 * ({@link Dkg#verifyFeldmanShare}, {@link Dkg#verifyZeroShare}) and reports the hashes of the vectors it saw
 * ({@link NonceMessage.Ready}); the master compares them with the vectors it received, so no dealer can
 * show different commitments to different nodes (equivocation is blamed on the dealer). Then
 * {@link #noncesAgreed} hands the checked vectors to the scheme.
 *
 * <p><b>Faults.</b> A malformed commitment, a revealed commitment that does not match its hash, a report
 * that does not cover the group, or equivocation is blamed on its sender or dealer (the reports bind every
 * member's view to what the master checked against the hash). A member that never commits or never reveals
 * is named and excluded when the master's session stalls ({@link #awaited}). A deal that fails its check makes the receiver complain
 * ({@link NonceMessage.Complaint}); without a transferable proof the master cannot tell who lies, so the
 * complainer and the accused dealer are both excluded. Either way the attempt restarts with fresh nonces.
 *
 * <p><b>Secrets.</b> Polynomials are wiped once dealt; shares once checked and kept by the scheme
 * ({@link #keepDealt}); the scheme's nonce material is dropped ({@link #dropNonces}) on a complaint, on a new
 * attempt and at the end; the own polynomials between the hash and the reveal likewise.
 */
abstract class NonceSigningSession extends ConsensusSession<byte[]> {
    /** One polynomial every member deals per attempt: its hedging purpose tag, degree, and whether its constant is zero. */
    record Sharing(String purpose, int degree, boolean zero) {}

    /** A scheme's own records for the nonce-generation messages (its wire names stay its own). */
    record NonceWire(BiFunction<H256, List<NodeId>, SessionMessage> request, BiFunction<H256, H256, SessionMessage> hash,
                     BiFunction<H256, List<SchnorrMessage.VectorHash>, SessionMessage> hashes, DealConstructor deal,
                     BiFunction<H256, List<List<PublicPoint>>, SessionMessage> commitment,
                     BiFunction<H256, List<SchnorrMessage.VectorHash>, SessionMessage> ready,
                     BiFunction<H256, NodeId, SessionMessage> complaint) {}

    @FunctionalInterface
    interface DealConstructor {
        SessionMessage create(H256 attempt, List<List<PublicPoint>> vectors, List<SecretScalar> shares);
    }

    /** Domain tag of a member's hash of its nonce commitments. */
    static final String COMMITMENT_TAG = "secretstore/v1/nonce-commitment";

    protected final H256 messageHash;
    private final NonceWire nonceWire;

    // ---- master, per attempt
    private boolean dealing;
    private boolean revealing;
    private final Map<NodeId, H256> committedHashes = new HashMap<>();
    private final Map<NodeId, List<CommitmentVector>> dealerVectors = new HashMap<>();
    private final Map<NodeId, Map<NodeId, H256>> readyReports = new HashMap<>();

    // ---- member (holders, and the master in the group), per attempt
    private H256 memberAttempt;
    private List<NodeId> memberGroup = List.of();
    /** Own polynomials between the hash and the reveal; wiped once dealt. */
    private List<Polynomial> ownPolynomials = List.of();
    private List<CommitmentVector> ownVectors;
    private boolean revealed;
    private final Map<NodeId, List<CommitmentVector>> memberVectors = new HashMap<>();
    private boolean memberFailed;
    private boolean readySent;

    NonceSigningSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, Wire wire, NonceWire nonceWire,
                        KeyStorage storage, AclChecker acl, Executor reentry, SecureRandom rng, H256 keyId, Requester requester,
                        H256 messageHash) {
        super(key, self, participants, outbox, wire, storage, acl, reentry, rng, keyId, requester);
        this.nonceWire = nonceWire;
        this.messageHash = messageHash;
    }

    // ================================================================== what a scheme adds

    /** The polynomials each member deals per attempt, in wire order (depends on {@link #threshold}). */
    protected abstract List<Sharing> sharings();

    /** Member: keeps what the scheme needs of its own polynomials before they are wiped. */
    protected abstract void keepOwn(List<Polynomial> own);

    /** Member: keeps (copies) what the scheme needs of one checked deal's shares before they are wiped. */
    protected void keepDealt(List<SecretScalar> shares) {}

    /** Member: every deal of the attempt arrived and passed its checks. */
    protected void noncesDealt() {}

    /** Member: destroys the attempt's nonce material (SEC-08). */
    protected abstract void dropNonces();

    /** Master: every dealer's vectors, checked and consistent among the members; go on with the scheme's rounds. */
    protected abstract void noncesAgreed(Map<NodeId, List<CommitmentVector>> vectors);

    /** Master: drops the state of the scheme's rounds of the attempt. */
    protected abstract void dropSigningState();

    /** The scheme's own messages. */
    protected abstract void onSigningMessage(NodeId from, SessionMessage message);

    // ================================================================== consensus hooks

    @Override
    protected final String auditDetail() {
        return " message " + messageHash.toHex();
    }

    @Override
    protected final void beginAttempt() {
        dealing = true;
        toGroup(nonceWire.request().apply(attemptId(), group()));
    }

    @Override
    protected final void dropAttemptState() {
        dealing = false;
        revealing = false;
        committedHashes.clear();
        dealerVectors.clear();
        readyReports.clear();
        dropSigningState();
    }

    @Override
    protected final void releaseMemberSecrets() {
        dropMemberAttempt();
    }

    /** Members that never committed, or committed and never revealed (the scheme's later rounds name nobody). */
    @Override
    protected final Set<NodeId> awaited() {
        Set<NodeId> out = new TreeSet<>();
        if (!dealing) return out;
        for (NodeId member : group()) {
            if (!(revealing ? dealerVectors : committedHashes).containsKey(member)) out.add(member);
        }
        return out;
    }

    @Override
    protected final void onComputationMessage(NodeId from, SessionMessage message) {
        if (message instanceof NonceMessage.Deal d) {
            onDeal(from, d);
        } else if (message instanceof NonceMessage.Request r) {
            if (from.equals(key.master())) onNonceRequest(r);
        } else if (message instanceof NonceMessage.Hashes h) {
            if (from.equals(key.master())) onHashes(h);
        } else if (message instanceof NonceMessage.Hash h) {
            if (isMaster()) onHash(from, h);
        } else if (message instanceof NonceMessage.Commitment c) {
            if (isMaster()) onCommitment(from, c);
        } else if (message instanceof NonceMessage.Ready r) {
            if (isMaster()) onReady(from, r);
        } else if (message instanceof NonceMessage.Complaint c) {
            if (isMaster()) onComplaint(from, c);
        } else {
            onSigningMessage(from, message);
        }
    }

    // ================================================================== master

    private void onHash(NodeId from, NonceMessage.Hash h) {
        if (!dealing || revealing || !inAttempt(h.attemptId(), from) || committedHashes.containsKey(from)) return;
        committedHashes.put(from, h.hash());
        if (committedHashes.size() < group().size()) return;
        revealing = true; // every member is bound to its vectors: now they may see each other's
        List<SchnorrMessage.VectorHash> all = new ArrayList<>();
        for (NodeId member : group()) all.add(new SchnorrMessage.VectorHash(member, committedHashes.get(member)));
        toGroup(nonceWire.hashes().apply(attemptId(), all));
    }

    private void onCommitment(NodeId from, NonceMessage.Commitment c) {
        if (!dealing || !revealing || !inAttempt(c.attemptId(), from) || dealerVectors.containsKey(from)) return;
        List<CommitmentVector> v;
        try {
            v = checkedVectors(from, c.vectors());
        } catch (RuntimeException e) {
            blame(from, "malformed nonce commitments: " + e.getMessage());
            return;
        }
        if (!commitmentHash(c.attemptId(), from, c.vectors()).equals(committedHashes.get(from))) {
            blame(from, "revealed nonce commitments do not match its hash");
            return;
        }
        dealerVectors.put(from, v);
        maybeAgree();
    }

    private void onReady(NodeId from, NonceMessage.Ready r) {
        if (!dealing || !inAttempt(r.attemptId(), from) || readyReports.containsKey(from)) return;
        Map<NodeId, H256> seen = new HashMap<>();
        for (SchnorrMessage.VectorHash h : r.received()) seen.put(h.dealer(), h.hash());
        if (!seen.keySet().equals(new HashSet<>(group()))) {
            blame(from, "nonce report does not cover exactly the group");
            return;
        }
        readyReports.put(from, seen);
        maybeAgree();
    }

    private void onComplaint(NodeId from, NonceMessage.Complaint c) {
        if (!dealing || !inAttempt(c.attemptId(), from)) return;
        // Without a transferable proof the master cannot tell who lies: exclude both.
        NodeId accused = c.dealer();
        if (group().contains(accused) && !accused.equals(from)) {
            exclude(accused);
            log.warning(() -> label() + " " + key + ": " + from.shortId() + " complains about the nonce deal of " + accused.shortId()
                    + "; both excluded");
        }
        blame(from, "Feldman complaint against " + accused.shortId());
    }

    private void maybeAgree() {
        List<NodeId> group = group();
        if (!dealing || dealerVectors.size() < group.size() || readyReports.size() < group.size()) return;
        for (NodeId dealer : group) {
            H256 own = hash(dealerVectors.get(dealer));
            for (NodeId receiver : group) {
                if (!receiver.equals(dealer) && !own.equals(readyReports.get(receiver).get(dealer))) {
                    blame(dealer, "equivocation: " + receiver.shortId() + " reports different nonce commitments");
                    return;
                }
            }
        }
        dealing = false;
        noncesAgreed(new HashMap<>(dealerVectors));
    }

    // ================================================================== member

    private void onNonceRequest(NonceMessage.Request r) {
        if (!firstRequest(r.attemptId())) return; // each attempt id is answered once
        dropMemberAttempt(); // a new attempt: the previous nonces are destroyed unused (SEC-08)
        if (refuseIf(r.attemptId(), groupRefusal(r.group()).or(() -> r.group().size() == groupSize()
                ? Optional.empty() : Optional.of("group size is not " + groupSize())))) {
            return;
        }
        H256 attempt = r.attemptId();
        memberAttempt = attempt;
        memberGroup = r.group();
        ProofContext ctx = proofContext(attempt, self);
        List<Polynomial> polynomials = new ArrayList<>();
        try {
            for (Sharing s : sharings()) {
                polynomials.add(Polynomial.randomHedged(s.degree(), s.zero(), version.share(), HedgedNonces.context(ctx, s.purpose()), rng));
            }
            ownVectors = polynomials.stream().map(Polynomial::feldman).toList();
            keepOwn(polynomials);
        } catch (RuntimeException e) {
            polynomials.forEach(Polynomial::destroy);
            throw e;
        }
        ownPolynomials = polynomials;
        // Bound to its vectors before it sees anyone else's: only the hash leaves this node for now.
        toMaster(nonceWire.hash().apply(attempt, commitmentHash(attempt, self, points(ownVectors))));
    }

    /** Every member committed: reveal, i.e. deal to every other member and send the vectors to the master. */
    private void onHashes(NonceMessage.Hashes h) {
        H256 attempt = h.attemptId();
        if (!isMemberAttempt(attempt) || revealed || memberFailed || ownVectors == null) return; // stale, repeated, complained or refused
        Map<NodeId, H256> hashes = new HashMap<>();
        for (SchnorrMessage.VectorHash v : h.hashes()) hashes.put(v.dealer(), v.hash());
        List<List<PublicPoint>> own = points(ownVectors);
        if (!hashes.keySet().equals(new HashSet<>(memberGroup)) || !commitmentHash(attempt, self, own).equals(hashes.get(self))) {
            dropMemberAttempt();
            refuseIf(attempt, Optional.of("the nonce hashes do not match this group and this node's commitment"));
            return;
        }
        revealed = true;
        memberVectors.put(self, ownVectors);
        try {
            for (NodeId other : memberGroup) {
                if (other.equals(self)) continue;
                Scalar x = ids.of(other.publicKey());
                List<SecretScalar> shares = ownPolynomials.stream().map(p -> p.evaluate(x)).toList();
                try {
                    // The outbox encodes synchronously, so the shares can be wiped right after.
                    outbox.send(other, nonceWire.deal().create(attempt, own, shares));
                } finally {
                    shares.forEach(SecretScalar::destroy);
                }
            }
        } finally {
            destroyOwnPolynomials();
        }
        toMaster(nonceWire.commitment().apply(attempt, own));
        if (attempt.equals(memberAttempt)) maybeReady();
    }

    private void onDeal(NodeId from, NonceMessage.Deal d) {
        try {
            // Nobody deals before every member, this one included, has committed: a deal for another attempt is stale.
            if (!consensusGroup().contains(from) || !d.attemptId().equals(memberAttempt)) return;
            if (memberFailed || readySent || !memberGroup.contains(from) || memberVectors.containsKey(from)) return; // duplicates
            List<CommitmentVector> v;
            try {
                v = checkedVectors(from, d.vectors());
                checkShares(from, v, d.shares());
            } catch (RuntimeException e) {
                log.warning(() -> label() + " " + key + ": nonce deal from " + from.shortId() + " rejected: " + e.getMessage());
                memberFailed = true;
                dropNonces();
                destroyOwnPolynomials();
                toMaster(nonceWire.complaint().apply(memberAttempt, from));
                return;
            }
            memberVectors.put(from, v);
            keepDealt(d.shares());
            maybeReady();
        } finally {
            d.shares().forEach(SecretScalar::destroy);
        }
    }

    private void maybeReady() {
        if (memberAttempt == null || !revealed || memberFailed || readySent || memberVectors.size() < memberGroup.size()) return;
        readySent = true;
        noncesDealt();
        List<SchnorrMessage.VectorHash> seen = new ArrayList<>();
        for (NodeId dealer : memberGroup) seen.add(new SchnorrMessage.VectorHash(dealer, hash(memberVectors.get(dealer))));
        toMaster(nonceWire.ready().apply(memberAttempt, seen));
    }

    private void dropMemberAttempt() {
        dropNonces();
        destroyOwnPolynomials();
        ownVectors = null;
        revealed = false;
        memberAttempt = null;
        memberGroup = List.of();
        memberVectors.clear();
        memberFailed = false;
        readySent = false;
    }

    private void destroyOwnPolynomials() {
        ownPolynomials.forEach(Polynomial::destroy);
        ownPolynomials = List.of();
    }

    private static List<List<PublicPoint>> points(List<CommitmentVector> vectors) {
        return vectors.stream().map(CommitmentVector::points).toList();
    }

    /** Member: {@code attempt} is the one this node deals nonces for. */
    protected final boolean isMemberAttempt(H256 attempt) {
        return attempt.equals(memberAttempt);
    }

    /** Member: {@code attempt}'s nonce generation completed here without a complaint. */
    protected final boolean noncesReady(H256 attempt) {
        return isMemberAttempt(attempt) && readySent && !memberFailed;
    }

    /** Member: the group of the attempt this node deals for. */
    protected final List<NodeId> memberGroup() {
        return memberGroup;
    }

    /** Member: the checked vectors of {@code dealer} (this node included) in the current attempt. */
    protected final List<CommitmentVector> dealtVectors(NodeId dealer) {
        return memberVectors.get(dealer);
    }

    // ================================================================== checks

    /** The vectors of {@code dealer}, one per sharing, each of exactly the right length and kind (SEC-03). */
    private List<CommitmentVector> checkedVectors(NodeId dealer, List<List<PublicPoint>> points) {
        List<Sharing> sharings = sharings();
        if (points.size() != sharings.size()) throw new IllegalArgumentException(points.size() + " commitment vectors");
        List<CommitmentVector> out = new ArrayList<>();
        for (int i = 0; i < sharings.size(); i++) {
            Sharing s = sharings.get(i);
            out.add(new CommitmentVector(points.get(i), s.zero()).requireDegree(s.degree(), s.zero(), dealer.publicKey()));
        }
        return out;
    }

    private void checkShares(NodeId dealer, List<CommitmentVector> vectors, List<SecretScalar> shares) {
        List<Sharing> sharings = sharings();
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

    /**
     * A member's commitment to its nonce vectors before it reveals them: keccak256 over
     * {@code enc(tag) ‖ enc(attempt id) ‖ enc(dealer id) ‖ enc(u32 number of vectors)}, then per vector
     * {@code enc(u32 number of points) ‖ enc(point)…}, where {@code enc(x)} is the 4-byte big-endian length of
     * {@code x} followed by {@code x} (the transcript encoding of crypto.md §11.1), tag
     * {@value #COMMITMENT_TAG}, points as 64 bytes {@code X ‖ Y}. Binding the attempt and the dealer stops a
     * member from replaying another's hash.
     */
    static H256 commitmentHash(H256 attempt, NodeId dealer, List<List<PublicPoint>> vectors) {
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

    /**
     * What members report of one dealer: the hash of its single vector (Schnorr), or keccak256 of its
     * vectors' hashes in order (ECDSA). Both are what the wire carried before the sessions shared this code.
     */
    static H256 hash(List<CommitmentVector> vectors) {
        if (vectors.size() == 1) return vectors.get(0).hash();
        byte[][] parts = new byte[vectors.size()][];
        for (int i = 0; i < parts.length; i++) parts[i] = vectors.get(i).hash().toBytes();
        return H256.fromBytes(Keccak256.hash(parts));
    }
}
