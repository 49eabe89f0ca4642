package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.NodeIds;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrNonce;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Level;

/**
 * HTTP endpoint 7: Schnorr signing with a server key (http-api.md §6.2; crypto.md §10.7, §11.4;
 * SEC-08, SEC-13).
 *
 * <p><b>Consensus.</b> As in document key retrieval: the master asks every connected holder of the
 * newest committed version (itself included) whether the requester may use the key; each answers from
 * its own ACL. Once {@code t+1} said yes the master picks the {@code t+1} lowest ids among them as the
 * group {@code Q}. When {@code t+1} yes can no longer happen: 403 {@code CONSENSUS_UNREACHABLE}.
 *
 * <p><b>Nested nonce generation (per attempt).</b> The master sends a fresh attempt id and {@code Q}.
 * Each member {@code i} draws a hedged degree-{@code t} polynomial {@code f_i}, keeps its free
 * coefficient {@code r_i} in a one-shot {@link SchnorrNonce}, sends {@code (A_i, f_i(x_j))} to every
 * other member {@code j} and {@code A_i} to the master. Each member checks every received share
 * against its dealer's Feldman vector ({@link Dkg#verifyFeldmanShare}) and reports the hashes of the
 * vectors it saw; the master checks those against the vectors it received (equivocation). Only then
 * does it ask for partials, with
 * {@code R_i = A_{i,0}} and {@code R = Σ R_i} fixed and verifiable.
 *
 * <p><b>Partials.</b> Each member answers at most one partial request per nonce; the nonce is destroyed
 * after use, after a failure and when the session ends (SEC-08). The master verifies every partial
 * (§11.4) and blames a bad one; a blamed, refusing, complaining or disconnected member is excluded and
 * the attempt restarts with a new group, attempt id and fresh nonces while {@code t+1} usable yes-sayers
 * remain. A Feldman complaint cannot be attributed without a transferable proof, so both the
 * complainer and the accused dealer are excluded. The combined signature is verified under {@code Y}
 * before it is released as {@code ecies(requester, c ‖ s)} (177 bytes).
 *
 * <p>The consensus, attempts and blame are {@link dev.secretstore.protocol.session.consensus.ConsensusSession}'s,
 * the nonce generation {@link NonceSigningSession}'s; this class holds the nonce {@code r_i}, the partials and
 * the combination.
 */
public final class SchnorrSigningSession extends NonceSigningSession {
    /** {@code ecies(requester, c ‖ s)}: 113 bytes of overhead plus 64. */
    public static final int SIGNATURE_BLOB_LENGTH = Ecies.OVERHEAD + SchnorrSignature.LENGTH;
    static final String NONCE_PURPOSE = "secretstore/v1/schnorr-nonce";
    private static final Wire WIRE = new Wire(SchnorrMessage.class, SchnorrMessage.ConsensusResponse::new, SchnorrMessage.Refused::new,
            SchnorrMessage.Done::new);
    private static final NonceWire NONCE_WIRE = new NonceWire(SchnorrMessage.NonceRequest::new, SchnorrMessage.NonceHash::new,
            SchnorrMessage.NonceHashes::new,
            (attempt, vectors, shares) -> new SchnorrMessage.NonceDeal(attempt, vectors.get(0), shares.get(0)),
            (attempt, vectors) -> new SchnorrMessage.NonceCommitment(attempt, vectors.get(0)),
            SchnorrMessage.NonceReady::new, SchnorrMessage.NonceComplaint::new);

    // ---- master state, per attempt: R_i by member, then c once every vector agreed
    private final Map<PublicPoint, PublicPoint> nonceCommitments = new TreeMap<>(NodeIds.ORDER);
    private Scalar challenge;
    private final Map<NodeId, Scalar> partials = new HashMap<>();

    // ---- member state
    private SchnorrNonce nonce;

    private SchnorrSigningSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                                  AclChecker acl, Executor reentry, SecureRandom rng, H256 keyId, Requester requester, H256 messageHash) {
        super(key, self, participants, outbox, WIRE, NONCE_WIRE, storage, acl, reentry, rng, keyId, requester, messageHash);
    }

    // ================================================================== creation

    /**
     * Starts the master side; the returned session may already be finished (404, or too few connected
     * holders). {@code reentry} must be {@link ClusterSessions#reentry(SessionKey)} for {@code key}.
     */
    public static SchnorrSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                    KeyStorage storage, AclChecker acl, H256 keyId, Requester requester,
                                                    H256 messageHash, SecureRandom rng) {
        Located found = locate(cluster, storage, keyId, share -> share.threshold() + 1);
        SchnorrSigningSession s = new SchnorrSigningSession(key, cluster.self(), found.asked(), outbox, storage, acl, reentry, rng,
                keyId, requester, messageHash);
        if (found.share().isEmpty()) {
            s.fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return s;
        }
        if (s.openConsensus(found.version())) s.askConsensus();
        return s;
    }

    /** The factory the session manager uses to create a holder's side from a {@link SchnorrMessage.ConsensusRequest}. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, SecureRandom rng) {
        // Every member of the consensus may deal nonce shares to this node.
        return memberFactory(cluster, SchnorrMessage.ConsensusRequest.class, (key, self, m, outbox) ->
                new SchnorrSigningSession(key, self, new TreeSet<>(m.consensusGroup()), outbox, storage, acl, sessions.reentry(key),
                        rng, m.keyId(), null, m.messageHash()));
    }

    @Override
    protected String label() {
        return "Schnorr signing";
    }

    @Override
    protected int groupSize() {
        return threshold + 1;
    }

    @Override
    protected List<Sharing> sharings() {
        return List.of(new Sharing(NONCE_PURPOSE, threshold, false));
    }

    @Override
    protected SessionMessage consensusRequest(List<NodeId> consensusGroup, long block) {
        return new SchnorrMessage.ConsensusRequest(keyId, requester.address(), version.hash(), messageHash, consensusGroup, block);
    }

    @Override
    protected void onSigningMessage(NodeId from, SessionMessage message) {
        if (message instanceof SchnorrMessage.PartialRequest r) {
            if (from.equals(key.master())) onPartialRequest(r);
        } else if (message instanceof SchnorrMessage.Partial p) {
            if (isMaster()) onPartial(from, p);
        }
    }

    // ================================================================== master

    /** {@code R_i = A_{i,0}} per member, {@code R = Σ R_i}, {@code c = keccak256(mh ‖ R.x)}; then every member signs once. */
    @Override
    protected void noncesAgreed(Map<NodeId, List<CommitmentVector>> vectors) {
        Map<PublicPoint, CommitmentVector> byDealer = new HashMap<>();
        byPoint(vectors).forEach((dealer, v) -> byDealer.put(dealer, v.get(0)));
        nonceCommitments.putAll(Schnorr.nonceCommitments(byDealer, threshold));
        try {
            challenge = Schnorr.challenge(messageHash, Schnorr.aggregateNonce(nonceCommitments.values()));
        } catch (CryptoException e) {
            restartAttempt(); // c = 0 (negligible): fresh nonces
            return;
        }
        toGroup(new SchnorrMessage.PartialRequest(attemptId()));
    }

    private void onPartial(NodeId from, SchnorrMessage.Partial p) {
        if (challenge == null || !inAttempt(p.attemptId(), from) || partials.containsKey(from)) return;
        try {
            Schnorr.verifyPartial(from.publicKey(), p.partial(), ids, groupPoints(), commitments, nonceCommitments.get(from.publicKey()),
                    challenge);
        } catch (RuntimeException e) {
            blame(from, "invalid partial signature: " + e.getMessage());
            return;
        }
        partials.put(from, p.partial());
        maybeCombine();
    }

    @Override
    protected boolean contributed(NodeId member) {
        return partials.containsKey(member);
    }

    private void maybeCombine() {
        if (challenge == null || partials.size() < group().size()) return;
        SchnorrSignature sig;
        try {
            // Checks every partial again and the whole signature under Y (§11.4); never release anything else.
            sig = Schnorr.combine(messageHash, ids, groupPoints(), commitments, byPoint(partials), nonceCommitments);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "Schnorr signing " + key + ": combined signature rejected: " + e.getMessage());
            fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
            return;
        }
        succeed(Ecies.encryptToClient(requester.publicKey(), sig.toBytes()));
    }

    @Override
    protected void dropSigningState() {
        nonceCommitments.clear();
        challenge = null;
        partials.clear();
    }

    // ================================================================== member (holder, or master in the group)

    /** Keeps the free coefficient {@code r_i} of its own nonce polynomial (crypto.md §10.3.5) in a one-shot nonce. */
    @Override
    protected void keepOwn(List<Polynomial> own) {
        nonce = SchnorrNonce.create(messageHash, own.get(0).constantTerm());
    }

    @Override
    protected void dropNonces() {
        if (nonce != null) {
            nonce.destroy();
            nonce = null;
        }
    }

    private void onPartialRequest(SchnorrMessage.PartialRequest r) {
        if (!noncesReady(r.attemptId()) || nonce == null || nonce.isUsed()) {
            // SEC-08: at most one partial per nonce; an unknown, stale or repeated request is refused.
            log.warning(() -> "Schnorr signing " + key + ": refused partial request for attempt " + r.attemptId());
            toMaster(refused(r.attemptId()));
            return;
        }
        Scalar ps;
        try {
            List<NodeId> group = memberGroup();
            List<PublicPoint> r0 = new ArrayList<>();
            for (NodeId m : group) r0.add(dealtVectors(m).get(0).get(0));
            PublicPoint aggregate = Schnorr.aggregateNonce(r0);
            ps = nonce.partialSign(messageHash, aggregate, ids, group.stream().map(NodeId::publicKey).toList(), threshold,
                    self.publicKey(), version.share());
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "Schnorr signing " + key + ": cannot compute partial: " + e.getMessage());
            toMaster(refused(r.attemptId()));
            return;
        } finally {
            dropNonces();
        }
        toMaster(new SchnorrMessage.Partial(r.attemptId(), ps));
    }

    /** Member: true while this node holds an unused nonce. */
    boolean holdsNonce() {
        return nonce != null && !nonce.isUsed();
    }
}
