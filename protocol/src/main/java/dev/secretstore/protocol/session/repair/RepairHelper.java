package dev.secretstore.protocol.session.repair;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.ShareRecovery;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.OwnShare;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A member's side of {@link ShareRepairSession}: answers the facts query from its committed metadata (nothing
 * unsealed; only to a member that a version of the key names) and, when the repairing member names it a helper of an attempt, deals its masked pieces and sums the
 * pieces it receives ({@link ShareRecovery}). It helps only with a version it holds committed, only a repairing
 * member that is a holder of that version, each attempt once.
 */
final class RepairHelper extends AbstractSession<Void> {
    /** Pieces of attempts this helper has not been told about yet (arrival order differs per sender); bounded, also per sender. */
    private static final int MAX_EARLY_PIECES = 64;
    private static final int MAX_EARLY_PIECES_PER_SENDER = 2;

    private final KeyStorage storage;
    private final SecureRandom random;
    private final H256 keyId;
    private final NodeId master;
    private final Set<H256> seenAttempts = new HashSet<>();
    private boolean answered;

    private H256 attempt;
    private List<NodeId> group = List.of();
    private List<PublicPoint> groupKeys = List.of();
    private boolean attemptOver = true;
    private final Map<NodeId, SecretScalar> pieces = new HashMap<>();
    private final Map<NodeId, List<PublicPoint>> piecePoints = new HashMap<>();
    private final List<Map.Entry<NodeId, RepairMessage.Piece>> early = new ArrayList<>();

    RepairHelper(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage, SecureRandom random, H256 keyId) {
        super(key, cluster.self(), cluster.members(), outbox);
        this.storage = storage;
        this.random = random;
        this.keyId = keyId;
        this.master = key.master();
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished()) return;
        if (message instanceof RepairMessage.Piece p) {
            onPiece(from, p);
            return;
        }
        if (!from.equals(master)) return;
        if (message instanceof RepairMessage.Query q && !answered && q.keyId().equals(keyId)) {
            answered = true;
            // never unseals a share; only to a member that some version of the key names
            Optional<KeyMetadata> key = storage.metadata(keyId)
                    .filter(k -> k.versions().stream().anyMatch(v -> v.isHolder(master)));
            outbox.send(master, new RepairMessage.Facts(key.map(KeyAgreement::toWire).stream().toList()));
        } else if (message instanceof RepairMessage.Recover r) {
            onRecover(r);
        } else if (message instanceof RepairMessage.Done) {
            succeed(null);
        }
    }

    private void onRecover(RepairMessage.Recover r) {
        if (!seenAttempts.add(r.attempt())) return; // each attempt is answered once
        clearAttempt();
        Optional<OwnShare> own = storage.read(keyId, r.version()).flatMap(KeyRead::share); // committed only, SEC-11 checked
        if (own.isEmpty()) {
            outbox.send(master, new RepairMessage.Refused(r.attempt(), "version not held committed"));
            return;
        }
        VersionMetadata v = own.get().version();
        if (!v.isHolder(master) || !r.helpers().contains(self)) {
            outbox.send(master, new RepairMessage.Refused(r.attempt(), "the target or this helper is not part of the version or group"));
            return;
        }
        ShareRecovery.Helper helper;
        List<PublicPoint> ordered;
        try {
            ordered = ShareRecovery.requireHelpers(v.thresholdIds(), r.helpers().stream().map(NodeId::publicKey).toList(),
                    master.publicKey(), v.threshold());
            helper = ShareRecovery.Helper.create(self.publicKey(), own.get().share(), v.thresholdIds(), ordered, master.publicKey(),
                    v.threshold(), random);
        } catch (CryptoException e) {
            outbox.send(master, new RepairMessage.Refused(r.attempt(), "bad helper group"));
            return;
        }
        attempt = r.attempt();
        attemptOver = false;
        groupKeys = ordered;
        group = ordered.stream().map(NodeId::new).toList();
        try {
            for (NodeId k : group) {
                SecretScalar piece = helper.pieceFor(k.publicKey());
                try {
                    outbox.send(k, new RepairMessage.Piece(attempt, piece, helper.points())); // encoded before send returns
                } finally {
                    piece.destroy();
                }
            }
            outbox.send(master, new RepairMessage.Points(attempt, helper.points()));
        } finally {
            helper.destroy();
        }
        List<Map.Entry<NodeId, RepairMessage.Piece>> buffered = new ArrayList<>(early);
        early.clear();
        for (Map.Entry<NodeId, RepairMessage.Piece> e : buffered) {
            if (e.getValue().attempt().equals(attempt)) onPiece(e.getKey(), e.getValue());
            else if (!seenAttempts.contains(e.getValue().attempt()) && early.size() < MAX_EARLY_PIECES) early.add(e);
            else e.getValue().piece().destroy();
        }
    }

    private void onPiece(NodeId from, RepairMessage.Piece p) {
        if (!p.attempt().equals(attempt)) {
            if (!seenAttempts.contains(p.attempt()) && mayBuffer(from)) early.add(Map.entry(from, p));
            else p.piece().destroy();
            return;
        }
        if (attemptOver || !group.contains(from) || pieces.containsKey(from)) {
            p.piece().destroy();
            return;
        }
        try {
            ShareRecovery.verifyPiece(from.publicKey(), p.points(), groupKeys, self.publicKey(), p.piece());
        } catch (CryptoException e) {
            p.piece().destroy();
            outbox.send(master, new RepairMessage.Complaint(attempt, from));
            clearAttempt();
            return;
        }
        pieces.put(from, p.piece());
        piecePoints.put(from, p.points());
        if (pieces.size() < group.size()) {
            outbox.send(master, new RepairMessage.Received(attempt, from));
            return;
        }
        int index = groupKeys.indexOf(self.publicKey());
        List<PublicPoint> column = group.stream().map(i -> piecePoints.get(i).get(index)).toList();
        SecretScalar sigma = ShareRecovery.sumPieces(pieces.values());
        try {
            outbox.send(master, new RepairMessage.Sum(attempt, sigma, column)); // encoded before send returns
        } finally {
            sigma.destroy();
            clearAttempt();
        }
    }

    private boolean mayBuffer(NodeId from) {
        return early.size() < MAX_EARLY_PIECES
                && early.stream().filter(e -> e.getKey().equals(from)).count() < MAX_EARLY_PIECES_PER_SENDER;
    }

    private void clearAttempt() {
        attemptOver = true;
        pieces.values().forEach(SecretScalar::destroy);
        pieces.clear();
        piecePoints.clear();
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (node.equals(master)) succeed(null);
    }

    @Override
    protected void onFinish() {
        clearAttempt();
        early.forEach(e -> e.getValue().piece().destroy());
        early.clear();
    }
}
