package dev.secretstore.protocol.session.decryption;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DleqProof;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP endpoints 5 (non-shadow) and 6 (shadow): document key retrieval (http-api.md §6.2,
 * crypto.md §10.5, §10.6, §11.2, §11.3).
 *
 * <p>Composed of {@link KeyUse} (ACL consensus among the holders, attempts, blame, audit) and the
 * decryption rounds: on the master {@link MasterRounds} (access key, verified partials, combination), on
 * every member of a group {@link #onPartialRequest} (one partial per attempt id).
 *
 * <p><b>Master.</b> Unknown key → 404 {@code SERVER_KEY_IS_NOT_FOUND}; no (C, E) → 404
 * {@code DOCUMENT_KEY_IS_NOT_FOUND}. Each attempt draws a fresh access key {@code a} and asks its group
 * for partials of the attempt's version. Every partial is verified (DLEQ against {@code Y_i} from the
 * master's own commitments of that version, SEC-12) before use; a member that fails verification,
 * refuses, or disconnects is excluded and the computation restarts with a new group, attempt id and
 * access key while the consensus has one (identifiable abort, §11.3). The master cannot check an encrypted decrypt
 * shadow beyond its length, so endpoint 6's result names, per shadow, its member and the {@code W_i} that member
 * proved (SEC-33): the requester checks {@code d_i·G == W_i} and may ask again with that member in {@code excluded},
 * which no group then contains.
 *
 * <p><b>Member.</b> Computes a partial only for an attempt whose group consists of nodes of the
 * consensus, contains itself, uses a version it holds committed, whose requester key is the one it derived
 * from the requester's credential, and whose kind (shadow or not) is the operation that credential authorized
 * (endpoint 6 or 5, SEC-31): a master asking for anything else is refused and blamed. Each attempt id is
 * answered at most once. The master in the group computes its
 * own partial the same way (through the queue) and verifies it like everyone else's.
 */
public final class DecryptionSession implements KeyUseSession<DecryptionSession.Result> {
    private static final Logger LOG = Logger.getLogger(DecryptionSession.class.getName());
    /** {@code ecies(requester, d_i)}: 113 bytes of overhead plus the 32-byte scalar. */
    static final int DECRYPT_SHADOW_BLOB_LENGTH = Ecies.OVERHEAD + 32;
    public static final KeyUse.Profile PROFILE = new KeyUse.Profile("decryption", t -> t + 1,
            Set.of(Operation.RETRIEVE_DOCUMENT_KEY, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS));

    /** What the master returns; holders finish with {@code null}. */
    public sealed interface Result permits Plain, Shadows {}

    /** Endpoint 5: {@code ecies(requester_public, 00 00, M)}, 177 bytes. */
    public record Plain(byte[] encryptedDocumentKey) implements Result {}

    /** Endpoint 6: decrypted secret, common point and the shadows ordered by ascending node id, with their check data (SEC-33). */
    public record Shadows(KeyServer.ShadowRetrieval retrieval) implements Result {}

    private final KeyUse<Result> use;
    private final KeyStorage storage;
    private final SecureRandom rng;
    /** Where the partial's computation (member) and its verification (master) run: off the loop in a node. */
    private final Offload offload;
    /** The master's role (null on members). */
    private MasterRounds master;

    /** Member: a presumed attempt's request that came before this node's own ACL answered; it waits for it. */
    private DecryptionMessage.PartialRequest waiting;

    private DecryptionSession(KeyUse<Result> use, KeyStorage storage, SecureRandom rng, Offload offload) {
        this.use = use;
        this.storage = storage;
        this.rng = rng;
        this.offload = offload;
        use.offload(offload); // this node's derivation of the requester, too
        use.onEnd(() -> {
            if (waiting != null) waiting.accessKey().destroy();
            waiting = null;
        });
    }

    // ================================================================== creation

    /**
     * Starts the master side with partials computed and verified inline, never choosing a node of {@code excluded} for a
     * decryption group (the requester left them out after catching a wrong decrypt shadow, SEC-33); {@code stored} is the
     * key's metadata the caller read for this request.
     */
    public static DecryptionSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                KeyStorage storage, AclChecker acl, RequesterCheck requesters, H256 keyId,
                                                Requester requester, boolean shadow, SecureRandom rng,
                                                Optional<KeyMetadata> stored, Set<NodeId> excluded) {
        return startMaster(key, cluster, outbox, reentry, Offload.INLINE, storage, acl, requesters, keyId, requester, shadow, rng,
                stored, excluded, Optional.empty());
    }

    /**
     * Starts the master side. The returned session may already be finished (404, or too few connected holders).
     * {@code reentry} and {@code offload} must be {@link ClusterSessions#reentry(SessionKey)} and
     * {@link ClusterSessions#offload(SessionKey)} for {@code key} (partials are computed and verified through it);
     * {@code first} is this request's one storage read on this node: the metadata {@code stored} with this node's share
     * of the version {@link KeyUse#preferred} picks, which its own partial then uses.
     */
    public static DecryptionSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry, Offload offload,
                                                KeyStorage storage, AclChecker acl, RequesterCheck requesters, H256 keyId,
                                                Requester requester, boolean shadow, SecureRandom rng,
                                                Optional<KeyMetadata> stored, Set<NodeId> excluded, Optional<KeyRead> first) {
        KeyUse.Located found = KeyUse.locate(cluster, stored, PROFILE);
        KeyUse<Result> use = new KeyUse<>(key, cluster.self(), found.asked(), outbox, PROFILE, storage, acl, requesters, reentry, keyId,
                requester, operation(shadow), LOG);
        use.firstRead(first);
        DecryptionSession s = new DecryptionSession(use, storage, rng, offload);
        Optional<DocumentKey> dk = found.key().flatMap(KeyMetadata::documentKey);
        if (found.key().isPresent() && dk.isEmpty()) {
            use.fail(SecretStoreException.of(Kind.DOCUMENT_KEY_IS_NOT_FOUND));
            return s;
        }
        MasterRounds rounds = dk.map(d -> s.new MasterRounds(new EncryptedDocumentKey(d.commonPoint(), d.encryptedPoint()), shadow))
                .orElse(null);
        s.master = rounds;
        if (use.open(found, rounds, rng, excluded)) use.askWithFirstAttempt(ConsensusMessage.Request.NO_MESSAGE);
        return s;
    }

    /** The operation a requester authorizes: endpoint 6 (shadows) or endpoint 5 (the master assembles the document key). */
    public static Operation operation(boolean shadow) {
        return shadow ? Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS : Operation.RETRIEVE_DOCUMENT_KEY;
    }

    /** The factory the session manager uses to create a holder's side from a consensus request. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, RequesterCheck requesters, SecureRandom rng) {
        return KeyUse.memberFactory(cluster, (key, self, m, outbox) -> new DecryptionSession(
                new KeyUse<>(key, self, Set.of(self, key.master()), outbox, PROFILE, storage, acl, requesters, sessions.reentry(key),
                        m.keyId(), null, null, LOG),
                storage, rng, sessions.offload(key)));
    }

    // ================================================================== routing

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (use.isFinished() || use.handle(from, message) || !(message instanceof DecryptionMessage m)) return;
        if (m instanceof DecryptionMessage.PartialRequest r) {
            if (from.equals(use.key().master())) onPartialRequest(r);
        } else if (master != null && use.isMaster()) {
            master.onPartial(from, m);
        }
    }

    // ================================================================== master

    /**
     * The master's decryption rounds: per attempt an access key, the verified partials, the combination. Its curve
     * work runs through the {@link Offload} (B = a·C, each verification, the combination with the ECIES of endpoint 5),
     * each from values taken on the loop; every decision (what is kept, who is blamed, when to combine) stays here.
     */
    private final class MasterRounds implements Attempts.Rounds {
        private final EncryptedDocumentKey documentKey;
        private final boolean shadow;
        private Attempts.Attempt attempt;
        private SecretScalar accessKey;
        /** B = a·C for this attempt, once computed (every member's proof is checked against it); null until then. */
        private Decryption.AccessPoint accessPoint;
        /** Verifications of partials that arrived before {@link #accessPoint} was computed, in arrival order. */
        private final List<Runnable> awaitingAccessPoint = new ArrayList<>();
        /** Every partial of the attempt is verified and the result is being computed: the attempt needs its members no more. */
        private boolean combining;
        private final Map<NodeId, Decryption.Share> shares = new HashMap<>();
        private final Map<NodeId, Decryption.ShadowShare> shadowShares = new HashMap<>();
        private final Map<NodeId, byte[]> blobs = new TreeMap<>();
        /** Members whose partial for the running attempt is being verified. */
        private final Set<NodeId> verifying = new java.util.HashSet<>();
        /** {@code W_i} each member's verified proof covered: what the requester checks its {@code d_i} against (SEC-33). */
        private final Map<NodeId, PublicPoint> proved = new TreeMap<>();

        MasterRounds(EncryptedDocumentKey documentKey, boolean shadow) {
            this.documentKey = documentKey;
            this.shadow = shadow;
        }

        /** A fresh access key for the attempt; every member of the group, the master included, is asked for its partial. */
        @Override
        public void begin(Attempts.Attempt a) {
            attempt = a;
            accessKey = SecretScalar.random(rng);
            SecretScalar forB = accessKey.copy(); // owned by the computation
            PublicPoint c = documentKey.commonPoint();
            offload.run(() -> {
                try {
                    return Decryption.AccessPoint.of(forB, c);
                } finally {
                    forB.destroy();
                }
            }, b -> {
                if (attempt != a) return;
                accessPoint = b;
                List<Runnable> waiting = List.copyOf(awaitingAccessPoint);
                awaitingAccessPoint.clear();
                waiting.forEach(Runnable::run);
            }, e -> {
                forB.destroy();
                if (attempt == a) use.fail(SecretStoreException.of(Kind.INTERNAL, "cannot compute the access point: " + e.getMessage()));
            });
            if (attempt != a) return;
            for (NodeId member : a.group()) {
                // The outbox encodes synchronously and a member wipes what it is handed, so the copy can be wiped right after.
                SecretScalar copy = accessKey.copy();
                try {
                    use.send(member, new DecryptionMessage.PartialRequest(a.id(), a.group(), a.version().id(), copy, shadow,
                            use.requester().publicKey()));
                } finally {
                    copy.destroy();
                }
            }
        }

        /**
         * A member's partial: verified through the offload (pure: the attempt's public values are taken here, on the
         * loop), then used only if its attempt is still the running one (SEC-12: nothing unverified is ever kept).
         * While it is being verified the member counts as having contributed, so a duplicate is ignored.
         */
        void onPartial(NodeId from, DecryptionMessage m) {
            if (m instanceof DecryptionMessage.PartialResponse r) {
                if (shadow || !expects(from, r.attemptId())) return;
                Attempts.Attempt a = attempt;
                ProofContext ctx = context(from);
                verifying.add(from);
                withAccessPoint(b -> offload.run(() -> {
                    Decryption.Share share = new Decryption.Share(r.shadowPoint(), DleqProof.fromBytes(from.publicKey(), r.proof()));
                    Decryption.verifyShare(ctx, a.version().thresholdIds(), a.points(), a.version().keyCommitments(), b, share);
                    return share;
                }, share -> {
                    if (!verified(a, from)) return;
                    shares.put(from, share);
                    maybeCombine();
                }, e -> {
                    if (verified(a, from)) invalid(from, e);
                }));
            } else if (m instanceof DecryptionMessage.ShadowPartialResponse r) {
                if (!shadow || !expects(from, r.attemptId())) return;
                Attempts.Attempt a = attempt;
                ProofContext ctx = context(from);
                byte[] blob = r.encryptedDecryptShadow().clone();
                verifying.add(from);
                withAccessPoint(b -> offload.run(() -> {
                    if (blob.length != DECRYPT_SHADOW_BLOB_LENGTH) {
                        throw new IllegalArgumentException("decrypt shadow blob has " + blob.length + " bytes");
                    }
                    Decryption.ShadowShare share = new Decryption.ShadowShare(r.shadowPoint(), r.w(),
                            DleqProof.fromBytes(from.publicKey(), r.proof()));
                    Decryption.verifyShadowShare(ctx, a.version().thresholdIds(), a.points(), a.version().keyCommitments(), b, share);
                    return share;
                }, share -> {
                    if (!verified(a, from)) return;
                    shadowShares.put(from, share);
                    blobs.put(from, blob);
                    proved.put(from, r.w());
                    maybeCombine();
                }, e -> {
                    if (verified(a, from)) invalid(from, e);
                }));
            }
        }

        /** Runs {@code verification} with this attempt's B: now if it is computed, else as soon as it is (same attempt only). */
        private void withAccessPoint(java.util.function.Consumer<Decryption.AccessPoint> verification) {
            if (accessPoint != null) {
                verification.accept(accessPoint);
            } else {
                awaitingAccessPoint.add(() -> verification.accept(accessPoint));
            }
        }

        /** A verification of {@code from}'s partial for attempt {@code a} ended: true if that attempt still runs. */
        private boolean verified(Attempts.Attempt a, NodeId from) {
            if (attempt != a) return false; // dropped or restarted meanwhile: the result belongs to no running attempt
            verifying.remove(from);
            return true;
        }

        private void invalid(NodeId from, RuntimeException e) {
            use.attempts().blame(new Culprit(from, Culprit.Reason.INVALID_CONTRIBUTION,
                    (from.equals(use.self()) ? "own partial failed verification: " : "invalid shadow point or proof: ") + e.getMessage()));
        }

        private boolean expects(NodeId from, H256 attemptId) {
            return use.attempts().inAttempt(attemptId, from) && !contributed(from);
        }

        @Override
        public boolean contributed(NodeId member) {
            return shares.containsKey(member) || shadowShares.containsKey(member) || verifying.contains(member);
        }

        private ProofContext context(NodeId prover) {
            return use.proofContext(attempt.id(), prover);
        }

        /** A presumed attempt may finish once every member's yes is in. */
        @Override
        public void voted() {
            maybeCombine();
        }

        /**
         * Once every partial of a confirmed attempt is verified: the combination, computed through the offload from
         * copies taken here (the access key's copy is the computation's to wipe), and the request's result, set back
         * here if the attempt still runs. While it is computed the attempt is {@link #finishing()}.
         */
        private void maybeCombine() {
            if (combining) return;
            int received = shadow ? shadowShares.size() : shares.size();
            if (received < attempt.group().size()) return;
            // A presumed attempt (one round trip) finishes only once every member of its group voted yes with its version.
            if (!use.attempts().confirmed()) return;
            combining = true;
            // Every entry was verified on receipt (SEC-12); never combine anything else.
            Attempts.Attempt a = attempt;
            int t = a.version().threshold();
            EncryptedDocumentKey dk = documentKey;
            SecretScalar key = accessKey.copy();
            if (shadow) {
                Map<PublicPoint, Decryption.ShadowShare> verified = byPoint(shadowShares);
                List<byte[]> ordered = new ArrayList<>(blobs.values()); // TreeMap: ascending node id
                List<KeyServer.ShadowCheck> checks = new ArrayList<>();
                proved.forEach((node, w) -> checks.add(new KeyServer.ShadowCheck(node, w))); // the same order
                offload.run(() -> {
                    try {
                        return Decryption.combineShadow(dk, key, t, verified);
                    } finally {
                        key.destroy();
                    }
                }, r -> {
                    if (attempt != a) return;
                    use.succeed(new Shadows(new KeyServer.ShadowRetrieval(r.decryptedSecret(), r.commonPoint(), ordered, checks)));
                }, e -> combineFailed(a, key, e));
            } else {
                Map<PublicPoint, Decryption.Share> verified = byPoint(shares);
                PublicPoint requesterKey = use.requester().publicKey();
                offload.run(() -> {
                    byte[] plain = null;
                    try {
                        plain = Decryption.combine(dk, key, t, verified).toBytes();
                        return Ecies.encryptToClient(requesterKey, plain);
                    } finally {
                        key.destroy();
                        if (plain != null) Arrays.fill(plain, (byte) 0);
                    }
                }, blob -> {
                    if (attempt == a) use.succeed(new Plain(blob));
                }, e -> combineFailed(a, key, e));
            }
        }

        /** The combination threw: as if it had thrown in the step that started it (the session fails), if its attempt still runs. */
        private void combineFailed(Attempts.Attempt a, SecretScalar key, RuntimeException e) {
            key.destroy();
            if (attempt == a) throw e;
        }

        @Override
        public boolean finishing() {
            return combining;
        }

        @Override
        public void drop() {
            if (accessKey != null) {
                accessKey.destroy();
                accessKey = null;
            }
            attempt = null;
            accessPoint = null;
            awaitingAccessPoint.clear();
            combining = false;
            shares.clear();
            shadowShares.clear();
            verifying.clear();
            blobs.clear();
            proved.clear();
        }
    }

    /** {@code values} keyed by the nodes' public keys, as the threshold math takes them. */
    static <V> Map<PublicPoint, V> byPoint(Map<NodeId, V> values) {
        Map<PublicPoint, V> out = new HashMap<>();
        values.forEach((node, v) -> out.put(node.publicKey(), v));
        return out;
    }

    // ================================================================== member (holders, and the master in the group)

    /**
     * A request that comes before this node answered the consensus (the presumed attempt the master sent with its
     * consensus request, one round trip) waits for this node's own ACL answer; at most one waits.
     */
    private void onPartialRequest(DecryptionMessage.PartialRequest r) {
        if (use.member().answered()) {
            compute(r, false);
            return;
        }
        if (waiting != null) {
            r.accessKey().destroy(); // a master sends one presumed attempt
            return;
        }
        waiting = r;
        use.afterAnswer(() -> {
            DecryptionMessage.PartialRequest w = waiting;
            waiting = null;
            if (w != null) compute(w, true);
        });
    }

    /**
     * This node's partial for {@code r}, or its refusal. A presumed request ({@code presumed}: it came before this
     * node's answer) that this node's ACL refused, or for a version it does not hold committed, gets no answer at all:
     * its vote already told the master, which falls back without blame. Never a partial without this node's yes.
     */
    private void compute(DecryptionMessage.PartialRequest r, boolean presumed) {
        Inputs in;
        try {
            if (!use.member().firstRequest(r.attemptId())) {
                r.accessKey().destroy();
                return; // each attempt id is answered once (duplicates, SEC-18)
            }
            if (presumed && !use.member().approvedWith(r.version())) {
                r.accessKey().destroy();
                LOG.fine(() -> "decryption " + use.key() + ": presumed attempt " + r.attemptId() + " not answered (this node's vote said why)");
                return;
            }
            if (use.refuseIf(r.attemptId(), use.member().refusal(r.group(), r.version()))) {
                r.accessKey().destroy();
                return;
            }
            Optional<String> unauthorized = unauthorized(r);
            if (unauthorized.isPresent()) {
                r.accessKey().destroy();
                use.refuseUnauthorized(r.attemptId(), unauthorized.get());
                return;
            }
            in = new Inputs(r, use.read(r.version()).orElseThrow(), use.proofContext(r.attemptId(), use.self()),
                    use.member().requester().publicKey(), rng);
        } catch (RuntimeException e) {
            r.accessKey().destroy();
            cannotCompute(r, e);
            return;
        }
        // the checks and the storage read ran here, on the loop; the offloaded partial owns the access key from now on
        offload.run(() -> {
            try {
                return partial(in);
            } finally {
                r.accessKey().destroy();
            }
        }, use::toMaster, e -> {
            r.accessKey().destroy();
            cannotCompute(r, e);
        });
    }

    private void cannotCompute(DecryptionMessage.PartialRequest r, RuntimeException e) {
        LOG.log(Level.WARNING, "decryption " + use.key() + ": cannot compute partial: " + e.getMessage());
        use.toMaster(new ConsensusMessage.Refused(r.attemptId()));
    }

    /** What a member's partial is computed from, taken on the loop: the request, the read share, the proof context, the requester's key. */
    private record Inputs(DecryptionMessage.PartialRequest request, KeyRead read, ProofContext context, PublicPoint requester,
                          SecureRandom rng) {}

    /**
     * Why the requester's credential, as this node accepted it, does not authorize {@code r} (SEC-31): a partial of
     * the other kind than the operation authorized (endpoint 5's partials let the master assemble the document
     * key), or shadows for another key than the requester's.
     */
    private Optional<String> unauthorized(DecryptionMessage.PartialRequest r) {
        Operation authorized = use.member().operation();
        if (operation(r.shadow()) != authorized) {
            return Optional.of("asked for a " + (r.shadow() ? "shadow" : "plain") + " partial; the requester authorized operation "
                    + authorized.code());
        }
        if (!r.requesterPublic().equals(use.member().requester().publicKey())) {
            return Optional.of("asked to encrypt to another key than the requester's");
        }
        return Optional.empty();
    }

    /** This node's partial for the request, from its checked share of the requested version; pure (an offloaded computation). */
    private static SessionMessage partial(Inputs in) {
        DecryptionMessage.PartialRequest r = in.request();
        KeyVersion v = in.read().share().orElseThrow().keyVersion();
        DocumentKey dk = in.read().key().documentKey().orElseThrow();
        List<PublicPoint> g = r.group().stream().map(NodeId::publicKey).toList();
        ProofContext ctx = in.context();
        SecureRandom rng = in.rng();
        if (!r.shadow()) {
            Decryption.Share s = Decryption.nodeShare(ctx, v.thresholdIds(), g, v.threshold(), v.share(), r.accessKey(), dk.commonPoint(), rng);
            return new DecryptionMessage.PartialResponse(r.attemptId(), s.shadowPoint(), s.proof().toBytes());
        }
        Decryption.ShadowOutput out = Decryption.nodeShadowShare(ctx, v.thresholdIds(), g, v.threshold(), v.share(), r.accessKey(),
                dk.commonPoint(), rng);
        try {
            byte[] blob = encryptScalar(in.requester(), out.decryptShadow()); // = r.requesterPublic(), checked
            Decryption.ShadowShare s = out.toMaster();
            return new DecryptionMessage.ShadowPartialResponse(r.attemptId(), s.shadowPoint(), s.w(), s.proof().toBytes(), blob);
        } finally {
            out.destroy();
        }
    }

    private static byte[] encryptScalar(PublicPoint recipient, SecretScalar value) {
        byte[] plain = value.toBytes();
        try {
            return Ecies.encryptToClient(recipient, plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public KeyUse<Result> use() {
        return use;
    }
}
