package dev.secretstore.protocol.session.decryption;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.DleqProof;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.ProofContext;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.consensus.ConsensusSession;
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

/**
 * HTTP endpoints 5 (non-shadow) and 6 (shadow): document key retrieval (http-api.md §6.2,
 * crypto.md §10.5, §10.6, §11.2, §11.3).
 *
 * <p><b>Master.</b> Unknown key → 404 {@code SERVER_KEY_IS_NOT_FOUND}; no (C, E) → 404
 * {@code DOCUMENT_KEY_IS_NOT_FOUND}. It uses its newest committed version (SEC-26) and asks every
 * connected holder of it, itself included, whether the requester may use the key; each node answers
 * from its own ACL, asynchronously, back on the cluster loop (acl-and-config.md §1, SEC-21: errors deny).
 * As soon as {@code t+1} said yes, it picks the {@code t+1} lowest node ids among them, draws a fresh
 * attempt id and access key {@code a} and asks that group for partials. Every partial is verified
 * (DLEQ against {@code Y_i} from the master's own commitments, SEC-12) before use; a member that fails
 * verification, refuses, or disconnects is excluded and logged, and the computation restarts with a new
 * group, attempt id and access key while enough yes-sayers remain (identifiable abort, §11.3). When
 * {@code t+1} yes can no longer happen the request fails with 403 {@code CONSENSUS_UNREACHABLE}.
 *
 * <p><b>Holder.</b> Answers the consensus (no without an ACL call if it lacks the version), then computes
 * a partial only for an attempt whose group consists of nodes of the consensus, contains itself, and whose
 * requester key matches the address it approved; each attempt id is answered at most once. The master in
 * the group computes its own partial the same way, and verifies it like everyone else's.
 *
 * <p>The consensus, attempts, blame and audit are {@link ConsensusSession}'s; this class holds the access
 * key, the partials and their combination.
 */
public final class DecryptionSession extends ConsensusSession<DecryptionSession.Result> {
    /** {@code ecies(requester, d_i)}: 113 bytes of overhead plus the 32-byte scalar. */
    static final int DECRYPT_SHADOW_BLOB_LENGTH = Ecies.OVERHEAD + 32;

    /** What the master returns; holders finish with {@code null}. */
    public sealed interface Result permits Plain, Shadows {}

    /** Endpoint 5: {@code ecies(requester_public, 00 00, M)}, 177 bytes. */
    public record Plain(byte[] encryptedDocumentKey) implements Result {}

    /** Endpoint 6: decrypted secret, common point and the shadows ordered by ascending node id. */
    public record Shadows(KeyServer.ShadowRetrieval retrieval) implements Result {}

    private static final Wire WIRE = new Wire(DecryptionMessage.class, DecryptionMessage.ConsensusResponse::new,
            DecryptionMessage.PartialRefused::new, DecryptionMessage.Done::new);

    // ---- master state
    private final boolean shadow;
    private EncryptedDocumentKey documentKey;
    private SecretScalar accessKey;
    /** B = a·C for this attempt, once (every member's proof is checked against it). */
    private Decryption.AccessPoint accessPoint;
    private final Map<NodeId, Decryption.Share> shares = new HashMap<>();
    private final Map<NodeId, Decryption.ShadowShare> shadowShares = new HashMap<>();
    private final Map<NodeId, byte[]> blobs = new TreeMap<>();

    private DecryptionSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                              AclChecker acl, Executor reentry, SecureRandom rng, H256 keyId, Requester requester, boolean shadow) {
        super(key, self, participants, outbox, WIRE, storage, acl, reentry, rng, keyId, requester);
        this.shadow = shadow;
    }

    // ================================================================== creation

    /**
     * Starts the master side. The returned session may already be finished (404, or too few connected
     * holders). {@code reentry} must be {@link ClusterSessions#reentry(SessionKey)} for {@code key}.
     */
    public static DecryptionSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, Executor reentry,
                                                KeyStorage storage, AclChecker acl, H256 keyId, Requester requester,
                                                boolean shadow, SecureRandom rng) {
        Located found = locate(cluster, storage, keyId, share -> share.threshold() + 1);
        DecryptionSession s = new DecryptionSession(key, cluster.self(), found.asked(), outbox, storage, acl, reentry, rng, keyId,
                requester, shadow);
        if (found.share().isEmpty()) {
            s.fail(SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND));
            return s;
        }
        Optional<DocumentKey> dk = found.share().get().documentKey();
        if (dk.isEmpty()) {
            s.fail(SecretStoreException.of(Kind.DOCUMENT_KEY_IS_NOT_FOUND));
            return s;
        }
        s.documentKey = new EncryptedDocumentKey(dk.get().commonPoint(), dk.get().encryptedPoint());
        if (s.openConsensus(found.version())) s.askConsensus();
        return s;
    }

    /** The factory the session manager uses to create a holder's side from a {@link DecryptionMessage.ConsensusRequest}. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, ClusterSessions sessions, KeyStorage storage,
                                                       AclChecker acl, SecureRandom rng) {
        return memberFactory(cluster, DecryptionMessage.ConsensusRequest.class, (key, self, m, outbox) ->
                new DecryptionSession(key, self, Set.of(self, key.master()), outbox, storage, acl, sessions.reentry(key), rng,
                        m.keyId(), null, false));
    }

    @Override
    protected String label() {
        return "decryption";
    }

    @Override
    protected String auditSubject() {
        return "document key retrieval (" + (shadow ? "shadow" : "plain") + ")";
    }

    @Override
    protected int groupSize() {
        return threshold + 1;
    }

    @Override
    protected SessionMessage consensusRequest(List<NodeId> consensusGroup, long block) {
        return new DecryptionMessage.ConsensusRequest(keyId, requester.address(), version.hash(), consensusGroup, block);
    }

    // ================================================================== master

    /** A fresh access key for the attempt; every member of the group, the master included, is asked for its partial. */
    @Override
    protected void beginAttempt() {
        accessKey = SecretScalar.random(rng);
        accessPoint = Decryption.AccessPoint.of(accessKey, documentKey.commonPoint());
        H256 attempt = attemptId();
        List<NodeId> group = group();
        for (NodeId member : group) {
            if (!stillCurrent(attempt)) return;
            // The outbox encodes synchronously (ClusterSessions → codec) and a member wipes what it is handed,
            // so the copy can be wiped right after.
            SecretScalar copy = accessKey.copy();
            try {
                toMember(member, new DecryptionMessage.PartialRequest(attempt, group, copy, shadow, requester.publicKey()));
            } finally {
                copy.destroy();
            }
        }
    }

    @Override
    protected void onComputationMessage(NodeId from, SessionMessage message) {
        if (message instanceof DecryptionMessage.PartialRequest r) {
            if (from.equals(key.master())) onPartialRequest(r);
        } else if (!isMaster()) {
            return; // holders never get the master's other messages
        } else if (message instanceof DecryptionMessage.PartialResponse r) {
            if (shadow || !expectsPartialFrom(from, r.attemptId())) return;
            Decryption.Share share;
            try {
                share = new Decryption.Share(r.shadowPoint(), DleqProof.fromBytes(from.publicKey(), r.proof()));
                Decryption.verifyShare(context(from), ids, groupPoints(), commitments, accessPoint, share);
            } catch (RuntimeException e) {
                blame(from, invalid(from, e));
                return;
            }
            shares.put(from, share);
            maybeCombine();
        } else if (message instanceof DecryptionMessage.ShadowPartialResponse r) {
            if (!shadow || !expectsPartialFrom(from, r.attemptId())) return;
            Decryption.ShadowShare share;
            try {
                if (r.encryptedDecryptShadow().length != DECRYPT_SHADOW_BLOB_LENGTH) {
                    throw new IllegalArgumentException("decrypt shadow blob has " + r.encryptedDecryptShadow().length + " bytes");
                }
                share = new Decryption.ShadowShare(r.shadowPoint(), r.w(), DleqProof.fromBytes(from.publicKey(), r.proof()));
                Decryption.verifyShadowShare(context(from), ids, groupPoints(), commitments, accessPoint, share);
            } catch (RuntimeException e) {
                blame(from, invalid(from, e));
                return;
            }
            shadowShares.put(from, share);
            blobs.put(from, r.encryptedDecryptShadow().clone());
            maybeCombine();
        }
    }

    private String invalid(NodeId from, RuntimeException e) {
        return (from.equals(self) ? "own partial failed verification: " : "invalid shadow point or proof: ") + e.getMessage();
    }

    private boolean expectsPartialFrom(NodeId from, H256 attempt) {
        return inAttempt(attempt, from) && !contributed(from);
    }

    @Override
    protected boolean contributed(NodeId member) {
        return shares.containsKey(member) || shadowShares.containsKey(member);
    }

    private ProofContext context(NodeId prover) {
        return proofContext(attemptId(), prover);
    }

    private void maybeCombine() {
        int received = shadow ? shadowShares.size() : shares.size();
        if (group().isEmpty() || received < group().size()) return;
        // Every entry was verified on receipt (SEC-12); never combine anything else.
        int t = threshold;
        if (shadow) {
            Decryption.ShadowResult r = Decryption.combineShadow(documentKey, accessKey, t, byPoint(shadowShares));
            List<byte[]> ordered = new ArrayList<>(blobs.values()); // TreeMap: ascending node id
            succeed(new Shadows(new KeyServer.ShadowRetrieval(r.decryptedSecret(), r.commonPoint(), ordered)));
        } else {
            PublicPoint m = Decryption.combine(documentKey, accessKey, t, byPoint(shares));
            byte[] plain = m.toBytes();
            byte[] blob;
            try {
                blob = Ecies.encryptToClient(requester.publicKey(), plain);
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
            succeed(new Plain(blob));
        }
    }

    @Override
    protected void dropAttemptState() {
        if (accessKey != null) {
            accessKey.destroy();
            accessKey = null;
        }
        accessPoint = null;
        shares.clear();
        shadowShares.clear();
        blobs.clear();
    }

    // ================================================================== member (holders, and the master in the group)

    private void onPartialRequest(DecryptionMessage.PartialRequest r) {
        SessionMessage answer;
        try {
            if (!firstRequest(r.attemptId())) return; // each attempt id is answered once (duplicates, SEC-18)
            if (refuseIf(r.attemptId(), groupRefusal(r.group()).or(() -> r.requesterPublic().toAddress().equals(approvedRequester())
                    ? Optional.empty() : Optional.of("requester differs from the approved one")))) {
                return;
            }
            answer = partial(r);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "decryption " + key + ": cannot compute partial: " + e.getMessage());
            answer = refused(r.attemptId());
        } finally {
            r.accessKey().destroy();
        }
        toMaster(answer);
    }

    /** This node's partial for {@code r}, from its stored share of the approved version. */
    private SessionMessage partial(DecryptionMessage.PartialRequest r) {
        KeyShare share = storage.get(keyId).orElseThrow();
        KeyVersion v = share.version(version.hash()).orElseThrow();
        DocumentKey dk = share.documentKey().orElseThrow();
        List<PublicPoint> g = r.group().stream().map(NodeId::publicKey).toList();
        ProofContext ctx = proofContext(r.attemptId(), self);
        if (!r.shadow()) {
            Decryption.Share s = Decryption.nodeShare(ctx, v.thresholdIds(), g, v.threshold(), v.share(), r.accessKey(), dk.commonPoint(), rng);
            return new DecryptionMessage.PartialResponse(r.attemptId(), s.shadowPoint(), s.proof().toBytes());
        }
        Decryption.ShadowOutput out = Decryption.nodeShadowShare(ctx, v.thresholdIds(), g, v.threshold(), v.share(), r.accessKey(),
                dk.commonPoint(), rng);
        try {
            byte[] blob = encryptScalar(r.requesterPublic(), out.decryptShadow());
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
}
