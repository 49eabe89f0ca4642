package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.DleqProof;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.crypto.threshold.ThresholdEcdsa;
import dev.secretstore.crypto.threshold.ThresholdEcdsaSignature;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
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
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Level;

/**
 * HTTP endpoint 8: ECDSA signing with a server key (http-api.md §6.2; crypto.md §10.8, §11.5; SEC-08,
 * SEC-14).
 *
 * <p>A key with {@code 2t ≥ N} is refused with 403 {@code CONSENSUS_UNREACHABLE} at once, before any
 * ACL call or sub-protocol. Otherwise an ACL consensus as for Schnorr, but of {@code 2t+1} holders; the
 * group is the {@code 2t+1} lowest ids among the yes-sayers. For {@code t = 0} the master signs locally
 * with its share ({@link Ecdsa#sign}) once its own ACL allowed it; a master without the key cannot.
 *
 * <p><b>Per attempt</b> (fresh attempt id): each member deals three hedged polynomials to the others —
 * nonce {@code k} and inversion nonce {@code e} of degree {@code t}, zero of degree {@code 2t} — with
 * their Feldman vectors; receivers check every share ({@link Dkg#verifyFeldmanShare},
 * {@link Dkg#verifyZeroShare}) and report what they saw; the master checks for equivocation, aggregates
 * the vectors ({@code R = Σ A^k_{i,0}}, public shares {@code K_i}, {@code E_i}, {@code Z_i}), collects
 * {@code u_i} with their DLEQ proofs ({@link ThresholdEcdsa#verifyU}; a bad one is blamed and the attempt
 * restarts with fresh nonces), sends {@code u⁻¹}, collects {@code ss_i}, combines and verifies; the
 * signature must also recover to {@code Y} ({@link Ecdsa#recover}). A bad combined signature is a
 * terminal failure (no retry with the same nonces; a bad {@code ss_i} is not attributable, §11.5).
 * Members compute {@code u_i} and {@code ss_i} at most once per nonce sharing (SEC-08).
 *
 * <p>The consensus, attempts and blame are {@link dev.secretstore.protocol.session.consensus.ConsensusSession}'s,
 * the three nonce sharings {@link NonceSigningSession}'s; this class holds the summed shares, {@code u},
 * the signature shares and the combination.
 */
public final class EcdsaSigningSession extends NonceSigningSession {
    /** {@code ecies(requester, r ‖ s ‖ v)}: 113 bytes of overhead plus 65. */
    public static final int SIGNATURE_BLOB_LENGTH = Ecies.OVERHEAD + ThresholdEcdsaSignature.LENGTH;

    private static final Wire WIRE = new Wire(EcdsaMessage.class, EcdsaMessage.ConsensusResponse::new, EcdsaMessage.Refused::new,
            EcdsaMessage.Done::new);
    private static final NonceWire NONCE_WIRE = new NonceWire(EcdsaMessage.NonceRequest::new, EcdsaMessage.NonceHash::new,
            EcdsaMessage.NonceHashes::new,
            (attempt, v, s) -> new EcdsaMessage.NonceDeal(attempt, v.get(0), v.get(1), v.get(2), s.get(0), s.get(1), s.get(2)),
            (attempt, v) -> new EcdsaMessage.NonceCommitment(attempt, v.get(0), v.get(1), v.get(2)),
            EcdsaMessage.NonceReady::new, EcdsaMessage.NonceComplaint::new);

    /** The master's rounds after the nonce generation. */
    private enum Round { NONE, U, SHARES }

    // ---- master state, per attempt
    private Round round = Round.NONE;
    private KeyCommitments nonceAggregate;
    private KeyCommitments inversionAggregate;
    private CommitmentVector zeroAggregate;
    private final Map<NodeId, Scalar> us = new HashMap<>();
    private final Map<NodeId, Scalar> signatureShares = new HashMap<>();

    // ---- member state: (k, e, z) shares by dealer until every deal is in, then their sums
    private final List<SecretScalar[]> receivedShares = new ArrayList<>();
    private ThresholdEcdsa.NonceShares nonceShares;
    private boolean uSent;
    private boolean signed;

    private EcdsaSigningSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                                AclChecker acl, Executor reentry, SecureRandom rng, H256 keyId, Requester requester, H256 messageHash) {
        super(key, self, participants, outbox, WIRE, NONCE_WIRE, storage, acl, reentry, rng, keyId, requester, messageHash);
    }

    // ================================================================== creation

    /** Starts the master side; may already be finished (404; 403 for {@code 2t ≥ N} or too few connected holders). */
    public static EcdsaSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                  KeyStorage storage, AclChecker acl, H256 keyId, Requester requester,
                                                  H256 messageHash, SecureRandom rng) {
        // SEC-26: the newest version with 2t+1 connected holders
        Located found = locate(cluster, storage, keyId, share -> 2 * share.threshold() + 1);
        KeyVersion version = found.version();
        boolean honestMajority = version != null && honestMajority(version);
        EcdsaSigningSession s = new EcdsaSigningSession(key, cluster.self(), honestMajority ? found.asked() : Set.of(cluster.self()),
                outbox, storage, acl, reentry, rng, keyId, requester, messageHash);
        if (version == null) {
            s.fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return s;
        }
        if (!honestMajority) {
            // SEC-14: refused at once, no ACL call and no sub-protocol.
            s.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return s;
        }
        if (!s.openConsensus(version)) return s;
        if (s.threshold > 0) {
            s.askConsensus();
        } else if (!s.holdsVersion()) {
            s.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
        } else {
            // t = 0: the master signs locally with its share (every share equals x); its own ACL decides.
            s.pinBlock(block -> s.askOwnAcl(requester.address(), block, allowed -> {
                if (allowed) {
                    s.release(Ecdsa.sign(s.version.share(), messageHash).toBytes());
                } else {
                    s.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
                }
            }));
        }
        return s;
    }

    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, SecureRandom rng) {
        return memberFactory(cluster, EcdsaMessage.ConsensusRequest.class, (key, self, m, outbox) ->
                new EcdsaSigningSession(key, self, new TreeSet<>(m.consensusGroup()), outbox, storage, acl, sessions.reentry(key),
                        rng, m.keyId(), null, m.messageHash()));
    }

    private static boolean honestMajority(KeyVersion v) {
        return 2 * v.threshold() < v.idNumbers().size();
    }

    @Override
    protected boolean usable(KeyVersion held) {
        return honestMajority(held);
    }

    @Override
    protected String label() {
        return "ECDSA signing";
    }

    @Override
    protected int groupSize() {
        return 2 * threshold + 1;
    }

    @Override
    protected List<Sharing> sharings() {
        return List.of(new Sharing("secretstore/v1/ecdsa-k", threshold, false),
                new Sharing("secretstore/v1/ecdsa-e", threshold, false),
                new Sharing("secretstore/v1/ecdsa-z", 2 * threshold, true));
    }

    @Override
    protected SessionMessage consensusRequest(List<NodeId> consensusGroup, long block) {
        return new EcdsaMessage.ConsensusRequest(keyId, requester.address(), version.hash(), messageHash, consensusGroup, block);
    }

    @Override
    protected void onSigningMessage(NodeId from, SessionMessage message) {
        boolean fromMaster = from.equals(key.master());
        if (message instanceof EcdsaMessage.URequest r) {
            if (fromMaster) onURequest(r);
        } else if (message instanceof EcdsaMessage.SignRequest r) {
            if (fromMaster) onSignRequest(r);
        } else if (message instanceof EcdsaMessage.UShare u) {
            if (isMaster()) onU(from, u);
        } else if (message instanceof EcdsaMessage.SignatureShare s) {
            if (isMaster()) onSignatureShare(from, s);
        }
    }

    // ================================================================== master

    /** The signature must recover to Y before it is released (§11.5). */
    private void release(byte[] signature) {
        PublicPoint recovered;
        try {
            recovered = Ecdsa.recover(RecoverableSignature.fromBytes(signature), messageHash);
        } catch (RuntimeException e) {
            recovered = null;
        }
        if (!version.commitments().get(0).equals(recovered)) {
            log.warning(() -> "ECDSA signing " + key + ": signature does not recover to the server key; not released");
            fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
            return;
        }
        succeed(Ecies.encryptToClient(requester.publicKey(), signature));
    }

    /** Aggregates the vectors ({@code R = Σ A^k_{i,0}}, public shares {@code K_i, E_i, Z_i}), then asks for {@code u_i}. */
    @Override
    protected void noncesAgreed(Map<NodeId, List<CommitmentVector>> vectors) {
        Map<PublicPoint, CommitmentVector> k = new HashMap<>();
        Map<PublicPoint, CommitmentVector> e = new HashMap<>();
        Map<PublicPoint, CommitmentVector> z = new HashMap<>();
        byPoint(vectors).forEach((dealer, v) -> {
            k.put(dealer, v.get(0));
            e.put(dealer, v.get(1));
            z.put(dealer, v.get(2));
        });
        try {
            nonceAggregate = Dkg.aggregate(k, threshold);
            inversionAggregate = Dkg.aggregate(e, threshold);
            zeroAggregate = Dkg.aggregateZero(z, 2 * threshold);
        } catch (RuntimeException ex) {
            restartAttempt(); // an infinite aggregate (negligible for honest dealers): fresh nonces
            return;
        }
        round = Round.U;
        toGroup(new EcdsaMessage.URequest(attemptId()));
    }

    private void onU(NodeId from, EcdsaMessage.UShare u) {
        if (round != Round.U || !inAttempt(u.attemptId(), from) || us.containsKey(from)) return;
        try {
            ThresholdEcdsa.UShare share = new ThresholdEcdsa.UShare(u.u(), DleqProof.fromBytes(from.publicKey(), u.proof()));
            ThresholdEcdsa.verifyU(proofContext(attemptId(), from), ids, nonceAggregate,
                    inversionAggregate, zeroAggregate, share);
        } catch (RuntimeException e) {
            blame(from, "invalid u_i or proof: " + e.getMessage());
            return;
        }
        us.put(from, u.u());
        if (us.size() < group().size()) return;
        Scalar uInverse;
        try {
            uInverse = ThresholdEcdsa.invertU(ids, groupPoints(), threshold, byPoint(us));
        } catch (RuntimeException ex) {
            fail(SecretStoreException.of(Kind.INTERNAL, "u is zero"));
            return;
        }
        round = Round.SHARES;
        toGroup(new EcdsaMessage.SignRequest(attemptId(), uInverse));
    }

    private void onSignatureShare(NodeId from, EcdsaMessage.SignatureShare s) {
        if (round != Round.SHARES || !inAttempt(s.attemptId(), from) || signatureShares.containsKey(from)) return;
        signatureShares.put(from, s.share());
        if (signatureShares.size() < group().size()) return;
        ThresholdEcdsaSignature sig;
        try {
            sig = ThresholdEcdsa.combineSignature(ids, groupPoints(), threshold, byPoint(signatureShares), nonceAggregate.publicKey(), messageHash,
                    version.commitments().get(0));
        } catch (RuntimeException e) {
            // Terminal (§11.5): no automatic retry with these nonces; a bad ss_i is not attributable.
            log.log(Level.WARNING, "ECDSA signing " + key + ": combined signature rejected: " + e.getMessage());
            fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
            return;
        }
        release(sig.toBytes());
    }

    @Override
    protected boolean contributed(NodeId member) {
        return signatureShares.containsKey(member);
    }

    @Override
    protected void dropSigningState() {
        round = Round.NONE;
        nonceAggregate = null;
        inversionAggregate = null;
        zeroAggregate = null;
        us.clear();
        signatureShares.clear();
    }

    // ================================================================== member

    @Override
    protected void keepOwn(List<Polynomial> own) {
        Scalar x = ids.of(self.publicKey());
        receivedShares.add(own.stream().map(p -> p.evaluate(x)).toArray(SecretScalar[]::new));
    }

    @Override
    protected void keepDealt(List<SecretScalar> shares) {
        receivedShares.add(shares.stream().map(SecretScalar::copy).toArray(SecretScalar[]::new));
    }

    /** {@code k_i, e_i, z_i}: the sums of every dealer's shares. */
    @Override
    protected void noncesDealt() {
        List<SecretScalar> k = new ArrayList<>();
        List<SecretScalar> e = new ArrayList<>();
        List<SecretScalar> z = new ArrayList<>();
        for (SecretScalar[] triple : receivedShares) {
            k.add(triple[0]);
            e.add(triple[1]);
            z.add(triple[2]);
        }
        nonceShares = ThresholdEcdsa.NonceShares.of(Dkg.combineShares(k), Dkg.combineShares(e), Dkg.combineShares(z));
        destroyReceived();
    }

    @Override
    protected void dropNonces() {
        destroyShares();
        uSent = false;
        signed = false;
    }

    private void destroyReceived() {
        for (SecretScalar[] triple : receivedShares) {
            for (SecretScalar s : triple) s.destroy();
        }
        receivedShares.clear();
    }

    private void onURequest(EcdsaMessage.URequest r) {
        if (isMemberAttempt(r.attemptId()) && uSent) {
            log.warning(() -> "ECDSA signing " + key + ": ignored a repeated u request for attempt " + r.attemptId() + " (SEC-08)");
            return;
        }
        if (!isMemberAttempt(r.attemptId()) || nonceShares == null) {
            toMaster(refused(r.attemptId()));
            return;
        }
        uSent = true;
        ThresholdEcdsa.UShare u;
        try {
            u = nonceShares.computeU(proofContext(r.attemptId(), self), rng);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "ECDSA signing " + key + ": cannot compute u_i: " + e.getMessage());
            destroyShares();
            toMaster(refused(r.attemptId()));
            return;
        }
        toMaster(new EcdsaMessage.UShare(r.attemptId(), u.u(), u.proof().toBytes()));
    }

    private void onSignRequest(EcdsaMessage.SignRequest r) {
        if (isMemberAttempt(r.attemptId()) && signed) {
            log.warning(() -> "ECDSA signing " + key + ": ignored a repeated signature-share request for attempt " + r.attemptId()
                    + " (SEC-08: one share per nonce sharing)");
            return;
        }
        if (!isMemberAttempt(r.attemptId()) || nonceShares == null || !uSent) {
            // SEC-08: one signature share per nonce sharing; unknown, stale or repeated requests are refused.
            log.warning(() -> "ECDSA signing " + key + ": refused signature-share request for attempt " + r.attemptId());
            toMaster(refused(r.attemptId()));
            return;
        }
        signed = true;
        Scalar ss;
        try {
            PointSum acc = new PointSum();
            for (NodeId m : memberGroup()) acc.add(dealtVectors(m).get(0).get(0));
            ss = nonceShares.signatureShare(r.uInverse(), acc.toPoint(), messageHash, version.share());
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "ECDSA signing " + key + ": cannot compute signature share: " + e.getMessage());
            toMaster(refused(r.attemptId()));
            return;
        } finally {
            destroyShares();
        }
        toMaster(new EcdsaMessage.SignatureShare(r.attemptId(), ss));
    }

    /** Wipes the nonce shares; {@code uSent} and {@code signed} stay, so repeated requests for this attempt are ignored (SEC-08). */
    private void destroyShares() {
        if (nonceShares != null) {
            nonceShares.destroy();
            nonceShares = null;
        }
        destroyReceived();
    }
}
