package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.Dkg;
import dev.secretstore.crypto.threshold.DleqProof;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.ThresholdEcdsa;
import dev.secretstore.crypto.threshold.ThresholdEcdsaSignature;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.key.OwnShare;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Offload;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.consensus.Attempts;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.consensus.KeyUse;
import dev.secretstore.protocol.session.consensus.KeyUseSession;
import dev.secretstore.protocol.session.dealing.FeldmanDealing;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 * the vectors ({@code R = Σ A^k_{i,0}}, public shares {@code K_i}, {@code E_i}, {@code Z_i}), verifies the
 * {@code u_i} with their DLEQ proofs ({@link ThresholdEcdsa#verifyU}; a bad one is blamed and the attempt
 * restarts with fresh nonces), which each member sends unasked once its dealing completed with every vector
 * bound to its dealer's committed hash (a member whose {@code u_i} did not come is asked), sends
 * {@code u⁻¹}, collects {@code ss_i}, combines and verifies; the
 * signature must also recover to {@code Y} ({@link Ecdsa#recover}). A bad combined signature is a
 * terminal failure (no retry with the same nonces; a bad {@code ss_i} is not attributable, §11.5).
 * Members compute {@code u_i} and {@code ss_i} at most once per nonce sharing (SEC-08). The first attempt is
 * presumed ({@link KeyUse#askWithFirstAttempt}: its dealing request rides with the consensus request, a
 * member deals only after its own ACL said yes), so the common path is three member round trips (consensus
 * with the dealing request, the hashes, the sign request). The master's verifications and combination run
 * through the {@link Offload}.
 *
 * <p>Composed of {@link KeyUse} (consensus, attempts, blame, audit), {@link NonceDealing} (the three
 * sharings, {@link FeldmanDealing}) and the {@code u} and signature-share rounds: the master's in
 * {@link MasterRounds}, the member's on this class (the summed shares, {@code u_i}, {@code ss_i}).
 */
public final class EcdsaSigningSession implements KeyUseSession<byte[]> {
    private static final Logger LOG = Logger.getLogger(EcdsaSigningSession.class.getName());
    /** {@code ecies(requester, r ‖ s ‖ v)}: 113 bytes of overhead plus 65. */
    public static final int SIGNATURE_BLOB_LENGTH = Ecies.OVERHEAD + ThresholdEcdsaSignature.LENGTH;
    public static final KeyUse.Profile PROFILE = new KeyUse.Profile("ECDSA signing", t -> 2 * t + 1, EcdsaSigningSession::honestMajority,
            Set.of(Operation.SIGN_ECDSA));

    /** The three sharings of degree {@code t}, {@code t} and {@code 2t} (zero), in wire order. */
    static List<FeldmanDealing.Sharing> sharings(int t) {
        return List.of(new FeldmanDealing.Sharing("secretstore/v1/ecdsa-k", t, false),
                new FeldmanDealing.Sharing("secretstore/v1/ecdsa-e", t, false),
                new FeldmanDealing.Sharing("secretstore/v1/ecdsa-z", 2 * t, true));
    }

    private final KeyUse<byte[]> use;
    private final H256 messageHash;
    private final SecureRandom rng;
    private final NonceDealing dealing;
    private final MasterRounds master;
    /** Where the master verifies the {@code u_i} and combines the signature: off the loop in a node. */
    private final Offload offload;

    // ---- member state: the summed (k, e, z) shares of the attempt once every deal is in
    private ThresholdEcdsa.NonceShares nonceShares;
    private boolean summed;
    private boolean uSent;
    private boolean signed;

    private EcdsaSigningSession(KeyUse<byte[]> use, H256 messageHash, SecureRandom rng, Offload offload) {
        this.use = use;
        this.offload = offload;
        this.messageHash = messageHash;
        this.rng = rng;
        this.master = use.isMaster() ? new MasterRounds() : null;
        this.dealing = new NonceDealing(use, EcdsaSigningSession::sharings, t -> 2 * t + 1, true, own -> { }, this::dropNonces,
                (a, vectors) -> master.agreed(a, vectors), this::sendU, rng, LOG);
        use.onEnd(dealing::dropMember);
    }

    // ================================================================== creation

    /** Starts the master side; may already be finished (404; 403 for {@code 2t ≥ N} or too few connected holders). */
    public static EcdsaSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                  KeyStorage storage, AclChecker acl, RequesterCheck requesters, H256 keyId,
                                                  Requester requester, H256 messageHash, SecureRandom rng) {
        return startMaster(key, cluster, outbox, reentry, Offload.INLINE, storage, acl, requesters, keyId, requester, messageHash, rng,
                storage.metadata(keyId), Optional.empty());
    }

    /**
     * As above, with {@code first}: this request's one storage read on this node, the metadata {@code stored} with
     * this node's share of the version {@link KeyUse#preferred} picks, which its own contribution then uses, and
     * {@code offload}: {@link ClusterSessions#offload(SessionKey)} for {@code key} (the {@code u_i} verification and the
     * combination run through it).
     */
    public static EcdsaSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                  Offload offload, KeyStorage storage, AclChecker acl, RequesterCheck requesters, H256 keyId,
                                                  Requester requester, H256 messageHash, SecureRandom rng, Optional<KeyMetadata> stored,
                                                  Optional<KeyRead> first) {
        // SEC-26: the newest version with 2t+1 holders that hold it committed; SEC-14: only honest-majority versions
        KeyUse.Located found = KeyUse.locate(cluster, stored, PROFILE);
        boolean local = found.key().isPresent() && found.key().get().threshold() == 0;
        KeyUse<byte[]> use = new KeyUse<>(key, cluster.self(), local ? Set.of(cluster.self()) : found.asked(), outbox, PROFILE, storage,
                acl, requesters, reentry, keyId, requester, Operation.SIGN_ECDSA, LOG);
        use.firstRead(first);
        EcdsaSigningSession s = new EcdsaSigningSession(use, messageHash, rng, offload);
        if (!local) {
            // 2t ≥ N leaves no candidate: refused at once, no ACL call and no sub-protocol (SEC-14).
            if (use.open(found, s.master, rng)) use.askWithFirstAttempt(messageHash);
            return s;
        }
        // t = 0: the master signs locally with its share (every share equals x); its own ACL decides.
        Optional<KeyVersion> own = found.candidates().stream().filter(v -> v.isHolder(cluster.self())).findFirst()
                .flatMap(v -> use.read(v.id())).flatMap(KeyRead::share).map(OwnShare::keyVersion);
        if (own.isEmpty()) {
            use.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return s;
        }
        if (!use.claim(messageHash)) return s; // the master derives the requester itself, as every member would (SEC-31)
        use.pinBlock(block -> use.askOwnAcl(use.requester().address(), block, allowed -> {
            if (allowed) {
                s.release(own.get().metadata(), Ecdsa.sign(own.get().share(), messageHash).toBytes());
            } else {
                use.fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            }
        }));
        return s;
    }

    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, RequesterCheck requesters, SecureRandom rng) {
        return KeyUse.memberFactory(cluster, (key, self, m, outbox) -> new EcdsaSigningSession(
                new KeyUse<>(key, self, new TreeSet<>(m.consensusGroup()), outbox, PROFILE, storage, acl, requesters, sessions.reentry(key),
                        m.keyId(), null, null, LOG), m.messageHash(), rng, sessions.offload(key)));
    }

    private static boolean honestMajority(VersionMetadata v) {
        return 2 * v.threshold() < v.idNumbers().size();
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (use.isFinished() || use.handle(from, message) || dealing.handle(from, message)) return;
        boolean fromMaster = from.equals(use.key().master());
        if (message instanceof EcdsaMessage.URequest r) {
            if (fromMaster) onURequest(r);
        } else if (message instanceof EcdsaMessage.SignRequest r) {
            if (fromMaster) onSignRequest(r);
        } else if (master != null && message instanceof EcdsaMessage.UShare u) {
            master.onU(from, u);
        } else if (master != null && message instanceof EcdsaMessage.SignatureShare sh) {
            master.onSignatureShare(from, sh);
        }
    }

    @Override
    public KeyUse<byte[]> use() {
        return use;
    }

    // ================================================================== master

    /** The signature must recover to Y before it is released (§11.5). */
    private void release(VersionMetadata version, byte[] signature) {
        byte[] blob;
        try {
            blob = checkedBlob(version, signature, messageHash, use.requester().publicKey());
        } catch (RuntimeException e) {
            rejected(e);
            return;
        }
        use.succeed(blob);
    }

    /**
     * {@code ecies(requester, signature)} if {@code signature} recovers to the version's server key {@code Y} (§11.5); throws
     * otherwise. Pure: the master's combination runs it through the offload.
     */
    private static byte[] checkedBlob(VersionMetadata version, byte[] signature, H256 messageHash, PublicPoint requester) {
        PublicPoint recovered;
        try {
            recovered = Ecdsa.recover(RecoverableSignature.fromBytes(signature), messageHash);
        } catch (RuntimeException e) {
            recovered = null;
        }
        if (!version.commitments().get(0).equals(recovered)) throw new IllegalStateException("signature does not recover to the server key");
        return Ecies.encryptToClient(requester, signature);
    }

    /** Terminal (§11.5): no automatic retry with these nonces; a bad {@code ss_i} is not attributable. */
    private void rejected(RuntimeException e) {
        LOG.log(Level.WARNING, "ECDSA signing " + use.key() + ": combined signature rejected: " + e.getMessage() + "; not released");
        use.fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
    }

    /** The master's rounds after the nonce generation. */
    private enum Round { NONE, U, SHARES }

    /** The master's rounds of one attempt: the three sharings, then {@code u} and the signature shares. */
    private final class MasterRounds implements Attempts.Rounds {
        private Attempts.Attempt attempt;
        private Round round = Round.NONE;
        private KeyCommitments nonceAggregate;
        private KeyCommitments inversionAggregate;
        private CommitmentVector zeroAggregate;
        private final Map<NodeId, Scalar> us = new HashMap<>();
        /** {@code u_i} of the running attempt that arrived before its vectors agreed (sent ahead of the member's ready report). */
        private final EarlyContributions<EcdsaMessage.UShare> early = new EarlyContributions<>();
        /** Members whose {@code u_i} for the running attempt is being verified. */
        private final Set<NodeId> verifying = new java.util.HashSet<>();
        private final Map<NodeId, Scalar> signatureShares = new HashMap<>();
        /** The running attempt's signature is being combined. */
        private boolean combining;

        @Override
        public void begin(Attempts.Attempt a) {
            attempt = a;
            dealing.begin(a);
        }

        /** Aggregates the vectors ({@code R = Σ A^k_{i,0}}, public shares {@code K_i, E_i, Z_i}), then asks for {@code u_i}. */
        void agreed(Attempts.Attempt a, Map<NodeId, List<CommitmentVector>> vectors) {
            int t = a.version().threshold();
            Map<PublicPoint, CommitmentVector> k = new HashMap<>();
            Map<PublicPoint, CommitmentVector> e = new HashMap<>();
            Map<PublicPoint, CommitmentVector> z = new HashMap<>();
            vectors.forEach((dealer, v) -> {
                k.put(dealer.publicKey(), v.get(0));
                e.put(dealer.publicKey(), v.get(1));
                z.put(dealer.publicKey(), v.get(2));
            });
            try {
                nonceAggregate = Dkg.aggregate(k, t);
                inversionAggregate = Dkg.aggregate(e, t);
                zeroAggregate = Dkg.aggregateZero(z, 2 * t);
            } catch (RuntimeException ex) {
                use.attempts().restart(); // an infinite aggregate (negligible for honest dealers): fresh nonces
                return;
            }
            round = Round.U;
            // Members send u_i as soon as their dealing is complete and bound to the committed hashes, ahead of their ready
            // report; only a member whose u_i did not come with it is asked (another round trip).
            early.release(a.group(), member -> use.send(member, new EcdsaMessage.URequest(a.id())), this::verify,
                    () -> attempt == a);
        }

        void onU(NodeId from, EcdsaMessage.UShare u) {
            if (!use.attempts().inAttempt(u.attemptId(), from) || us.containsKey(from) || verifying.contains(from) || early.holds(from)) {
                return;
            }
            if (round == Round.NONE) {
                early.hold(from, u); // verified once the vectors agreed (the public shares K_i, E_i, Z_i are known then)
            } else if (round == Round.U) {
                verify(from, u);
            }
        }

        /**
         * {@code u_i} and its DLEQ proof, verified through the offload (pure: the attempt's public values are taken here, on
         * the loop), kept only if its attempt still runs (SEC-14: nothing unverified is ever used).
         */
        private void verify(NodeId from, EcdsaMessage.UShare u) {
            Attempts.Attempt a = attempt;
            VersionMetadata v = a.version();
            dev.secretstore.crypto.threshold.ProofContext ctx = use.proofContext(a.id(), from);
            KeyCommitments k = nonceAggregate;
            KeyCommitments e = inversionAggregate;
            CommitmentVector z = zeroAggregate;
            verifying.add(from);
            offload.run(() -> {
                ThresholdEcdsa.UShare share = new ThresholdEcdsa.UShare(u.u(), DleqProof.fromBytes(from.publicKey(), u.proof()));
                ThresholdEcdsa.verifyU(ctx, v.thresholdIds(), k, e, z, share);
                return u.u();
            }, ok -> {
                if (attempt != a) return;
                verifying.remove(from);
                us.put(from, ok);
                maybeInvert();
            }, ex -> {
                if (attempt != a) return;
                verifying.remove(from);
                use.attempts().blame(new Culprit(from, Culprit.Reason.INVALID_CONTRIBUTION, "invalid u_i or proof: " + ex.getMessage()));
            });
        }

        /** Every {@code u_i} verified: {@code u⁻¹} to the group, for the signature shares. */
        private void maybeInvert() {
            if (round != Round.U || us.size() < attempt.group().size()) return;
            VersionMetadata v = attempt.version();
            Scalar uInverse;
            try {
                uInverse = ThresholdEcdsa.invertU(v.thresholdIds(), attempt.points(), v.threshold(), byPoint(us));
            } catch (RuntimeException ex) {
                use.fail(SecretStoreException.of(Kind.INTERNAL, "u is zero"));
                return;
            }
            round = Round.SHARES;
            use.toGroup(attempt, new EcdsaMessage.SignRequest(attempt.id(), uInverse));
        }

        void onSignatureShare(NodeId from, EcdsaMessage.SignatureShare s) {
            if (round != Round.SHARES || !use.attempts().inAttempt(s.attemptId(), from) || signatureShares.containsKey(from)) return;
            signatureShares.put(from, s.share());
            maybeCombine();
        }

        /** A presumed attempt may finish once every member's yes is in. */
        @Override
        public void voted() {
            if (attempt != null && round == Round.SHARES) maybeCombine();
        }

        /**
         * Combines once every signature share is in (and, for a presumed attempt, every member's yes), through the offload:
         * the signature must verify and recover to {@code Y} before it is encrypted to the requester and released (§11.5).
         */
        private void maybeCombine() {
            if (combining || signatureShares.size() < attempt.group().size()) return;
            // A presumed attempt (issue #18) finishes only once every member of its group voted yes with its version.
            if (!use.attempts().confirmed()) return;
            Attempts.Attempt a = attempt;
            VersionMetadata v = a.version();
            Map<PublicPoint, Scalar> shares = byPoint(signatureShares);
            PublicPoint r = nonceAggregate.publicKey();
            PublicPoint requesterKey = use.requester().publicKey();
            combining = true;
            offload.run(() -> {
                ThresholdEcdsaSignature sig = ThresholdEcdsa.combineSignature(v.thresholdIds(), a.points(), v.threshold(), shares, r,
                        messageHash, v.commitments().get(0));
                return checkedBlob(v, sig.toBytes(), messageHash, requesterKey);
            }, blob -> {
                if (attempt == a) use.succeed(blob);
            }, e -> {
                if (attempt == a) rejected(e);
            });
        }

        @Override
        public boolean contributed(NodeId member) {
            return signatureShares.containsKey(member);
        }

        /** The dealing's silent members; then the members whose {@code u_i}, or signature share, never came. */
        @Override
        public Set<NodeId> awaited() {
            Set<NodeId> out = new TreeSet<>(dealing.awaited());
            if (round == Round.NONE) return out;
            for (NodeId member : attempt.group()) {
                boolean in = round == Round.U ? us.containsKey(member) || verifying.contains(member) : signatureShares.containsKey(member);
                if (!in) out.add(member);
            }
            return out;
        }

        @Override
        public void drop() {
            dealing.drop();
            attempt = null;
            round = Round.NONE;
            nonceAggregate = null;
            inversionAggregate = null;
            zeroAggregate = null;
            us.clear();
            early.clear();
            verifying.clear();
            signatureShares.clear();
            combining = false;
        }
    }

    private static <V> Map<PublicPoint, V> byPoint(Map<NodeId, V> values) {
        Map<PublicPoint, V> out = new HashMap<>();
        values.forEach((node, v) -> out.put(node.publicKey(), v));
        return out;
    }

    // ================================================================== member

    /** {@code k_i, e_i, z_i} of {@code attempt}: the sums of every dealer's shares, taken once the dealing completed. */
    private ThresholdEcdsa.NonceShares nonceShares(H256 attempt) {
        if (!summed && dealing.ready(attempt)) {
            summed = true;
            List<SecretScalar> sums = dealing.member().takeSums();
            nonceShares = ThresholdEcdsa.NonceShares.of(sums.get(0), sums.get(1), sums.get(2));
        }
        return nonceShares;
    }

    private void dropNonces() {
        destroyShares();
        summed = false;
        uSent = false;
        signed = false;
    }

    /** The master asks for {@code u_i}: answered once per nonce sharing; a member that already sent it ({@link #sendU}) ignores it. */
    private void onURequest(EcdsaMessage.URequest r) {
        if (dealing.isAttempt(r.attemptId()) && uSent) {
            LOG.warning(() -> "ECDSA signing " + use.key() + ": ignored a repeated u request for attempt " + r.attemptId() + " (SEC-08)");
            return;
        }
        ThresholdEcdsa.NonceShares shares = dealing.isAttempt(r.attemptId()) ? nonceShares(r.attemptId()) : null;
        if (shares == null) {
            use.toMaster(new ConsensusMessage.Refused(r.attemptId()));
            return;
        }
        computeU(r.attemptId(), shares);
    }

    /**
     * The dealing of {@code attempt} completed here and every vector is bound to its dealer's committed hash
     * ({@link FeldmanDealing.Member#boundToHashes}): the public shares {@code K_i, E_i, Z_i} are fixed as every honest
     * member sees them, so this member sends {@code u_i} at once, ahead of its ready report (issue #18: no u request round
     * trip). It dealt only after its own ACL said yes; {@code u_i} is sent once per nonce sharing (SEC-08).
     */
    private void sendU(H256 attempt) {
        if (uSent) return;
        ThresholdEcdsa.NonceShares shares = nonceShares(attempt);
        if (shares != null) computeU(attempt, shares);
    }

    private void computeU(H256 attempt, ThresholdEcdsa.NonceShares shares) {
        uSent = true;
        ThresholdEcdsa.UShare u;
        try {
            u = shares.computeU(use.proofContext(attempt, use.self()), rng);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ECDSA signing " + use.key() + ": cannot compute u_i: " + e.getMessage());
            destroyShares();
            use.toMaster(new ConsensusMessage.Refused(attempt));
            return;
        }
        use.toMaster(new EcdsaMessage.UShare(attempt, u.u(), u.proof().toBytes()));
    }

    private void onSignRequest(EcdsaMessage.SignRequest r) {
        if (dealing.isAttempt(r.attemptId()) && signed) {
            LOG.warning(() -> "ECDSA signing " + use.key() + ": ignored a repeated signature-share request for attempt " + r.attemptId()
                    + " (SEC-08: one share per nonce sharing)");
            return;
        }
        if (!dealing.isAttempt(r.attemptId()) || nonceShares == null || !uSent) {
            // SEC-08: one signature share per nonce sharing; unknown, stale or repeated requests are refused.
            LOG.warning(() -> "ECDSA signing " + use.key() + ": refused signature-share request for attempt " + r.attemptId());
            use.toMaster(new ConsensusMessage.Refused(r.attemptId()));
            return;
        }
        signed = true;
        Scalar ss;
        try {
            FeldmanDealing.Member m = dealing.member();
            PointSum acc = new PointSum();
            for (NodeId dealer : m.group()) acc.add(m.vectors(dealer).get(0).get(0));
            ss = nonceShares.signatureShare(r.uInverse(), acc.toPoint(), messageHash, dealing.version().share());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ECDSA signing " + use.key() + ": cannot compute signature share: " + e.getMessage());
            use.toMaster(new ConsensusMessage.Refused(r.attemptId()));
            return;
        } finally {
            destroyShares();
        }
        use.toMaster(new EcdsaMessage.SignatureShare(r.attemptId(), ss));
    }

    /** Wipes the nonce shares; {@code uSent} and {@code signed} stay, so repeated requests for this attempt are ignored (SEC-08). */
    private void destroyShares() {
        if (nonceShares != null) {
            nonceShares.destroy();
            nonceShares = null;
        }
    }
}
