package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.threshold.CommitmentVector;
import dev.secretstore.crypto.threshold.NodeIds;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrNonce;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP endpoint 7: Schnorr signing with a server key (http-api.md §6.2; crypto.md §10.7, §11.4;
 * SEC-08, SEC-13).
 *
 * <p>Composed of {@link KeyUse} (ACL consensus of {@code t+1} holders, attempts, blame, audit),
 * {@link NonceDealing} (per attempt one Feldman-checked, hedged degree-{@code t} nonce sharing among the
 * group, {@link FeldmanDealing}) and the partial-signature round.
 *
 * <p><b>Partials.</b> Member {@code i} keeps the free coefficient {@code r_i} of its own nonce polynomial in
 * a one-shot {@link SchnorrNonce}. Once its dealing completed with every vector bound to its dealer's committed
 * hash, {@code R_i = A_{i,0}} and {@code R = Σ R_i} are fixed and the member signs at once, ahead of its ready
 * report; the master asks ({@link SchnorrMessage.PartialRequest}) only a member whose partial did not come by
 * the time the vectors agreed. Each member signs at most once per nonce; the nonce is destroyed after use,
 * after a failure and when the session ends (SEC-08). The master verifies every partial (§11.4), through the
 * {@link Offload}, only once the vectors agreed, and blames a bad one; the combined signature is verified
 * under {@code Y} before it is released as {@code ecies(requester, c ‖ s)} (177 bytes).
 *
 * <p><b>Round trips</b> (issue #18): the first attempt is presumed ({@link KeyUse#askWithFirstAttempt}), its
 * dealing request riding with the consensus request; a member deals only after its own ACL said yes. The
 * common path is two member round trips: consensus with the dealing request, then the hashes.
 */
public final class SchnorrSigningSession implements KeyUseSession<byte[]> {
    private static final Logger LOG = Logger.getLogger(SchnorrSigningSession.class.getName());
    /** {@code ecies(requester, c ‖ s)}: 113 bytes of overhead plus 64. */
    public static final int SIGNATURE_BLOB_LENGTH = Ecies.OVERHEAD + SchnorrSignature.LENGTH;
    static final String NONCE_PURPOSE = "secretstore/v1/schnorr-nonce";
    public static final KeyUse.Profile PROFILE = new KeyUse.Profile("Schnorr signing", t -> t + 1, Set.of(Operation.SIGN_SCHNORR));

    private final KeyUse<byte[]> use;
    private final H256 messageHash;
    private final NonceDealing dealing;
    private final MasterRounds master;
    /** Where the master verifies partials and combines the signature: off the loop in a node. */
    private final Offload offload;

    // ---- member state
    private SchnorrNonce nonce;

    private SchnorrSigningSession(KeyUse<byte[]> use, H256 messageHash, SecureRandom rng, Offload offload) {
        this.use = use;
        this.messageHash = messageHash;
        this.offload = offload;
        this.master = use.isMaster() ? new MasterRounds() : null;
        this.dealing = new NonceDealing(use, t -> List.of(new FeldmanDealing.Sharing(NONCE_PURPOSE, t, false)), t -> t + 1, false,
                this::keepOwn, this::dropNonce, (a, vectors) -> master.agreed(a, vectors), this::signOnce, rng, LOG);
        use.onEnd(dealing::dropMember);
    }

    // ================================================================== creation

    /**
     * Starts the master side; the returned session may already be finished (404, or too few connected
     * holders). {@code reentry} must be {@link ClusterSessions#reentry(SessionKey)} for {@code key}.
     */
    public static SchnorrSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                    KeyStorage storage, AclChecker acl, RequesterCheck requesters, H256 keyId,
                                                    Requester requester, H256 messageHash, SecureRandom rng) {
        return startMaster(key, cluster, outbox, reentry, Offload.INLINE, storage, acl, requesters, keyId, requester, messageHash, rng,
                storage.metadata(keyId), Optional.empty());
    }

    /**
     * As above, with {@code first}: this request's one storage read on this node, the metadata {@code stored} with
     * this node's share of the version {@link KeyUse#preferred} picks, which its own contribution then uses, and
     * {@code offload}: {@link ClusterSessions#offload(SessionKey)} for {@code key} (the partials' verification and the
     * combination run through it).
     */
    public static SchnorrSigningSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                    Offload offload, KeyStorage storage, AclChecker acl, RequesterCheck requesters, H256 keyId,
                                                    Requester requester, H256 messageHash, SecureRandom rng, Optional<KeyMetadata> stored,
                                                    Optional<KeyRead> first) {
        KeyUse.Located found = KeyUse.locate(cluster, stored, PROFILE);
        KeyUse<byte[]> use = new KeyUse<>(key, cluster.self(), found.asked(), outbox, PROFILE, storage, acl, requesters, reentry, keyId,
                requester, Operation.SIGN_SCHNORR, LOG);
        use.firstRead(first);
        SchnorrSigningSession s = new SchnorrSigningSession(use, messageHash, rng, offload);
        if (use.open(found, s.master, rng)) use.askWithFirstAttempt(messageHash);
        return s;
    }

    /** The factory the session manager uses to create a holder's side from a consensus request. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, RequesterCheck requesters, SecureRandom rng) {
        // Every member of the consensus may deal nonce shares to this node.
        return KeyUse.memberFactory(cluster, (key, self, m, outbox) -> new SchnorrSigningSession(
                new KeyUse<>(key, self, new TreeSet<>(m.consensusGroup()), outbox, PROFILE, storage, acl, requesters, sessions.reentry(key),
                        m.keyId(), null, null, LOG), m.messageHash(), rng, sessions.offload(key)));
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (use.isFinished() || use.handle(from, message) || dealing.handle(from, message)) return;
        if (message instanceof SchnorrMessage.PartialRequest r) {
            if (from.equals(use.key().master())) onPartialRequest(r);
        } else if (message instanceof SchnorrMessage.Partial p) {
            if (master != null) master.onPartial(from, p);
        }
    }

    // ================================================================== master

    /** The master's rounds of one attempt: the nonce dealing, then {@code R}, {@code c} and the partials. */
    private final class MasterRounds implements Attempts.Rounds {
        private Attempts.Attempt attempt;
        private final Map<PublicPoint, PublicPoint> nonceCommitments = new TreeMap<>(NodeIds.ORDER);
        private Scalar challenge;
        private final Map<NodeId, Scalar> partials = new HashMap<>();
        /** Partials of the running attempt that arrived before its vectors agreed (sent ahead of the member's ready report). */
        private final EarlyContributions<Scalar> early = new EarlyContributions<>();
        /** Members whose partial for the running attempt is being verified. */
        private final Set<NodeId> verifying = new java.util.HashSet<>();
        /** The running attempt's signature is being combined. */
        private boolean combining;

        @Override
        public void begin(Attempts.Attempt a) {
            attempt = a;
            dealing.begin(a);
        }

        /** {@code R_i = A_{i,0}} per member, {@code R = Σ R_i}, {@code c = keccak256(mh ‖ R.x)}; then every member signs once. */
        void agreed(Attempts.Attempt a, Map<NodeId, List<CommitmentVector>> vectors) {
            Map<PublicPoint, CommitmentVector> byDealer = new HashMap<>();
            vectors.forEach((dealer, v) -> byDealer.put(dealer.publicKey(), v.get(0)));
            nonceCommitments.putAll(Schnorr.nonceCommitments(byDealer, a.version().threshold()));
            try {
                challenge = Schnorr.challenge(messageHash, Schnorr.aggregateNonce(nonceCommitments.values()));
            } catch (CryptoException e) {
                use.attempts().restart(); // c = 0 (negligible): fresh nonces
                return;
            }
            // Members sign as soon as their dealing is complete and bound to the committed hashes, ahead of their ready
            // report; only a member whose partial did not come with it is asked (another round trip).
            early.release(a.group(), member -> use.send(member, new SchnorrMessage.PartialRequest(a.id())), this::verify,
                    () -> attempt == a);
        }

        /**
         * A member's partial: verified through the offload (pure: the attempt's public values are taken here, on the loop),
         * then kept only if its attempt is still the running one (SEC-13: nothing unverified is ever kept). While it is
         * being verified the member counts as having contributed, so a duplicate is ignored.
         */
        void onPartial(NodeId from, SchnorrMessage.Partial p) {
            if (!use.attempts().inAttempt(p.attemptId(), from) || contributed(from)) return;
            if (challenge == null) {
                early.hold(from, p.partial()); // verified once the vectors agreed (R_i and c are known then)
                return;
            }
            verify(from, p.partial());
        }

        private void verify(NodeId from, Scalar partial) {
            Attempts.Attempt a = attempt;
            VersionMetadata v = a.version();
            PublicPoint nonceCommitment = nonceCommitments.get(from.publicKey());
            Scalar c = challenge;
            verifying.add(from);
            offload.run(() -> {
                Schnorr.verifyPartial(from.publicKey(), partial, v.thresholdIds(), a.points(), v.keyCommitments(), nonceCommitment, c);
                return partial;
            }, ok -> {
                if (!verified(a, from)) return;
                partials.put(from, ok);
                maybeCombine();
            }, e -> {
                if (verified(a, from)) {
                    use.attempts().blame(new Culprit(from, Culprit.Reason.INVALID_CONTRIBUTION, "invalid partial signature: " + e.getMessage()));
                }
            });
        }

        /** A verification of {@code from}'s partial for attempt {@code a} ended: true if that attempt still runs. */
        private boolean verified(Attempts.Attempt a, NodeId from) {
            if (attempt != a) return false; // dropped or restarted meanwhile: the result belongs to no running attempt
            verifying.remove(from);
            return true;
        }

        /** A presumed attempt may finish once every member's yes is in. */
        @Override
        public void voted() {
            if (attempt != null && challenge != null) maybeCombine();
        }

        /**
         * Combines once every member's verified partial is in (and, for a presumed attempt, every member's yes), through
         * the offload: {@link Schnorr#combine} checks every partial again and the whole signature under {@code Y} (§11.4),
         * and only a signature that passed is encrypted to the requester and released.
         */
        private void maybeCombine() {
            if (combining || partials.size() < attempt.group().size()) return;
            // A presumed attempt (issue #18) finishes only once every member of its group voted yes with its version.
            if (!use.attempts().confirmed()) return;
            Attempts.Attempt a = attempt;
            VersionMetadata v = a.version();
            Map<PublicPoint, Scalar> byPoint = new HashMap<>();
            partials.forEach((node, s) -> byPoint.put(node.publicKey(), s));
            Map<PublicPoint, PublicPoint> commitments = new TreeMap<>(NodeIds.ORDER);
            commitments.putAll(nonceCommitments);
            PublicPoint requesterKey = use.requester().publicKey();
            combining = true;
            offload.run(() -> {
                SchnorrSignature sig = Schnorr.combine(messageHash, v.thresholdIds(), a.points(), v.keyCommitments(), byPoint, commitments);
                return Ecies.encryptToClient(requesterKey, sig.toBytes());
            }, blob -> {
                if (attempt == a) use.succeed(blob);
            }, e -> {
                if (attempt != a) return;
                LOG.log(Level.WARNING, "Schnorr signing " + use.key() + ": combined signature rejected: " + e.getMessage());
                use.fail(SecretStoreException.of(Kind.INTERNAL, "combined signature does not verify"));
            });
        }

        @Override
        public boolean contributed(NodeId member) {
            return partials.containsKey(member) || verifying.contains(member) || early.holds(member);
        }

        /** The dealing's silent members; once the vectors agreed, the members whose partial never came. */
        @Override
        public Set<NodeId> awaited() {
            Set<NodeId> out = new TreeSet<>(dealing.awaited());
            if (challenge != null) {
                for (NodeId member : attempt.group()) {
                    if (!contributed(member)) out.add(member);
                }
            }
            return out;
        }

        @Override
        public void drop() {
            dealing.drop();
            attempt = null;
            nonceCommitments.clear();
            challenge = null;
            partials.clear();
            early.clear();
            verifying.clear();
            combining = false;
        }
    }

    // ================================================================== member (holder, or master in the group)

    /** Keeps the free coefficient {@code r_i} of its own nonce polynomial (crypto.md §10.3.5) in a one-shot nonce. */
    private void keepOwn(List<Polynomial> own) {
        nonce = SchnorrNonce.create(messageHash, own.get(0).constantTerm());
    }

    private void dropNonce() {
        if (nonce != null) {
            nonce.destroy();
            nonce = null;
        }
    }

    /**
     * The master asks for a partial: only a member whose dealing completed and that has not signed with this nonce yet
     * answers; a member that already signed ahead of its ready report ({@link #signOnce}) refuses (SEC-08: at most one
     * partial per nonce).
     */
    private void onPartialRequest(SchnorrMessage.PartialRequest r) {
        if (!dealing.ready(r.attemptId()) || nonce == null || nonce.isUsed()) {
            // SEC-08: at most one partial per nonce; an unknown, stale or repeated request is refused.
            LOG.warning(() -> "Schnorr signing " + use.key() + ": refused partial request for attempt " + r.attemptId());
            use.toMaster(new ConsensusMessage.Refused(r.attemptId()));
            return;
        }
        sign(r.attemptId());
    }

    /**
     * The dealing of {@code attempt} completed here and every nonce vector is bound to its dealer's committed hash
     * ({@link FeldmanDealing.Member#boundToHashes}): {@code R} is fixed as every honest member sees it, so this member signs
     * at once, ahead of its ready report (issue #18: no partial request round trip). It dealt only after its own ACL
     * said yes; the nonce is used once (SEC-08).
     */
    private void signOnce(H256 attempt) {
        if (nonce == null || nonce.isUsed()) return;
        sign(attempt);
    }

    private void sign(H256 attempt) {
        Scalar ps;
        try {
            FeldmanDealing.Member m = dealing.member();
            List<PublicPoint> r0 = new ArrayList<>();
            for (NodeId dealer : m.group()) r0.add(m.vectors(dealer).get(0).get(0));
            PublicPoint aggregate = Schnorr.aggregateNonce(r0);
            KeyVersion v = dealing.version();
            ps = nonce.partialSign(messageHash, aggregate, v.thresholdIds(), m.group().stream().map(NodeId::publicKey).toList(),
                    v.threshold(), use.self().publicKey(), v.share());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Schnorr signing " + use.key() + ": cannot compute partial: " + e.getMessage());
            use.toMaster(new ConsensusMessage.Refused(attempt));
            return;
        } finally {
            dropNonce();
        }
        use.toMaster(new SchnorrMessage.Partial(attempt, ps));
    }

    /** Member: true while this node holds an unused nonce. */
    boolean holdsNonce() {
        return nonce != null && !nonce.isUsed();
    }

    @Override
    public KeyUse<byte[]> use() {
        return use;
    }
}
