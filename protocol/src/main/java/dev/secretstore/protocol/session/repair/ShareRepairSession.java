package dev.secretstore.protocol.session.repair;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.KeyCommitments;
import dev.secretstore.crypto.threshold.ShareRecovery;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Share repair (SEC-40), mastered by a member {@code j} that should hold a key and lacks its share of the
 * newest version, or the document key:
 * <ol>
 *   <li>{@code Query} to every connected member, which answers with its committed facts of the key
 *       ({@code Facts}); {@code j} accepts only what {@code t+1} holders report identically
 *       ({@link KeyAgreement}): author, t, Y, the newest version naming {@code j}, the document key;</li>
 *   <li>if {@code j} lacks that version: one attempt of verifiable share recovery ({@link ShareRecovery}) with
 *       the {@code t+1} lowest agreeing holders: {@code Recover} → each helper sends {@code Piece}s to the
 *       helpers and its {@code Points} to {@code j} → each helper sends its {@code Sum} (or a {@code Complaint})
 *       to {@code j}, which checks everything against the agreed commitments; a helper caught (bad points, bad
 *       sum, refusal, disconnection; a complaint or a differing column excludes both sides) is excluded and a
 *       new attempt starts while {@code t+1} agreeing holders remain;</li>
 *   <li>{@code j} prepares what it lacks through the storage port (which applies the SEC-11 own-share check)
 *       and commits it; then removes its own versions that no member reported any more, and sends
 *       {@code Done}.</li>
 * </ol>
 * Nobody assembles the key. Repeating is safe at any point: a committed repair leaves nothing missing; a
 * prepared, uncommitted one is committed by the pending-write resolution (the holders have the version
 * committed, "committed anywhere"); anything earlier left nothing behind.
 */
public final class ShareRepairSession extends AbstractSession<ShareRepairSession.Outcome> {
    private static final Logger LOG = Logger.getLogger(ShareRepairSession.class.getName());

    /** What the repair did. */
    public enum Outcome {
        /** This member now holds its share of the agreed version (and the document key if agreed). */
        SHARE_REPAIRED,
        /** This member held the version and received the document key. */
        DOCUMENT_KEY_REPAIRED,
        /** Nothing agreed is missing here. */
        NOTHING_MISSING
    }

    private enum Phase { FACTS, RECOVERY, DONE }

    private final KeyStorage storage;
    private final SecureRandom random;
    private final H256 keyId;
    /** This member's committed state of the key, read when the facts are in (nothing unsealed). */
    private Optional<KeyMetadata> local = Optional.empty();
    private final Set<NodeId> asked = new TreeSet<>();
    private final Set<NodeId> awaitingFacts = new TreeSet<>();
    private final Map<NodeId, KeyAgreement.Report> reports = new TreeMap<>();
    private final Set<NodeId> excluded = new HashSet<>();
    private final List<Culprit> culprits = new ArrayList<>();
    private Phase phase = Phase.FACTS;
    private KeyAgreement.Choice choice;

    // one recovery attempt
    private H256 attempt;
    private List<NodeId> helpers = List.of();
    private List<PublicPoint> helperKeys = List.of();
    private final Map<PublicPoint, List<PublicPoint>> points = new HashMap<>();
    private final Map<PublicPoint, SecretScalar> sums = new HashMap<>();
    private final Map<PublicPoint, List<PublicPoint>> columns = new HashMap<>();
    /** Per helper: the dealers whose checked pieces it reported holding (before its sum). */
    private final Map<NodeId, Set<NodeId>> received = new HashMap<>();

    private ShareRepairSession(SessionKey key, NodeId self, Set<NodeId> participants, Outbox outbox, KeyStorage storage,
                               SecureRandom random, H256 keyId, Collection<NodeId> excluded) {
        super(key, self, participants, outbox);
        this.storage = storage;
        this.random = random;
        this.keyId = keyId;
        this.excluded.addAll(excluded);
    }

    /**
     * Starts the repair of {@code keyId} on this member, asking every connected member not in {@code excluded}
     * (nodes an earlier repair of the key blamed). Fails at once when no member can be asked.
     */
    public static ShareRepairSession startMaster(SessionKey key, ClusterView cluster, Outbox outbox, KeyStorage storage,
                                                 SecureRandom random, H256 keyId, Collection<NodeId> excluded) {
        Set<NodeId> ask = new TreeSet<>();
        for (NodeId member : cluster.members()) {
            if (!member.equals(cluster.self()) && cluster.isConnected(member) && !excluded.contains(member)) ask.add(member);
        }
        Set<NodeId> participants = new TreeSet<>(ask);
        participants.add(cluster.self());
        ShareRepairSession s = new ShareRepairSession(key, cluster.self(), participants, outbox, storage, random, keyId, excluded);
        s.asked.addAll(ask);
        s.awaitingFacts.addAll(ask);
        if (ask.isEmpty()) {
            s.fail(SecretStoreException.of(Kind.CONSENSUS_TEMPORARY_UNREACHABLE));
            return s;
        }
        s.broadcast(new RepairMessage.Query(keyId));
        return s;
    }

    /** The members' side of both repair exchanges: a {@code Query} (facts, then helping) or an inventory page. */
    public static ClusterSessions.SlaveFactory factory(ClusterView cluster, KeyStorage storage, SecureRandom random) {
        return (init, outbox) -> {
            if (init.body() instanceof RepairMessage.Query q) {
                return Optional.of(new RepairHelper(init.key(), cluster, outbox, storage, random, q.keyId()));
            }
            if (init.body() instanceof RepairMessage.InventoryRequest) {
                return Optional.of(new InventoryPageSession.Responder(init.key(), cluster.self(), outbox, storage));
            }
            return Optional.empty();
        };
    }

    public H256 keyId() {
        return keyId;
    }

    @Override
    public Set<H256> writesKeys() {
        return isFinished() ? Set.of() : Set.of(keyId);
    }

    @Override
    public Set<NodeId> blamed() {
        Set<NodeId> out = new LinkedHashSet<>();
        culprits.forEach(c -> out.add(c.node()));
        return out;
    }

    /** The nodes blamed so far, with reasons. */
    public List<Culprit> culprits() {
        return List.copyOf(culprits);
    }

    @Override
    public void onMessage(NodeId from, SessionMessage message) {
        if (isFinished() || from.equals(self)) return;
        if (message instanceof RepairMessage.Facts f) {
            onFacts(from, f);
        } else if (phase == Phase.RECOVERY && helpers.contains(from)) {
            onRecovery(from, message);
        }
    }

    private void onFacts(NodeId from, RepairMessage.Facts f) {
        if (phase != Phase.FACTS || !awaitingFacts.remove(from)) return;
        if (f.key().size() == 1) {
            KeyAgreement.fromWire(f.key().get(0)).ifPresentOrElse(r -> reports.put(from, r),
                    () -> LOG.warning(() -> "repair of key " + keyId + ": malformed facts from " + from.shortId()));
        }
        if (awaitingFacts.isEmpty()) decide();
    }

    private void decide() {
        Optional<KeyAgreement.Choice> agreed = KeyAgreement.choose(self, reports, excluded);
        if (agreed.isEmpty()) {
            LOG.info(() -> "repair of key " + keyId + ": no version naming this node is reported identically by t+1 holders; nothing stored");
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return;
        }
        choice = agreed.get();
        local = storage.metadata(keyId);
        if (local.isPresent()) {
            KeyMetadata mine = local.get();
            if (!mine.author().equals(choice.author()) || mine.threshold() != choice.threshold() || !mine.publicKey().equals(choice.publicKey())) {
                LOG.warning(() -> "repair of key " + keyId + ": t+1 holders report an author, threshold or server key that differs from"
                        + " this node's; nothing changed");
                fail(SecretStoreException.of(Kind.INTERNAL, "repair of key " + keyId.toHex() + " refused: stored facts conflict with the holders'"));
                return;
            }
        }
        boolean needVersion = local.isEmpty() || local.get().version(choice.version().id()).isEmpty();
        boolean needDocument = choice.documentKey().isPresent() && local.flatMap(KeyMetadata::documentKey).isEmpty();
        if (!needVersion && !needDocument) {
            finish(Outcome.NOTHING_MISSING);
        } else if (!needVersion) {
            store(null, Outcome.DOCUMENT_KEY_REPAIRED);
        } else {
            phase = Phase.RECOVERY;
            startAttempt();
        }
    }

    private void startAttempt() {
        clearAttempt();
        List<NodeId> candidates = choice.holders().stream().filter(h -> !excluded.contains(h)).toList();
        int t = choice.threshold();
        if (candidates.size() < t + 1) {
            LOG.warning(() -> "repair of key " + keyId + ": fewer than t+1 agreeing holders left after excluding " + culprits);
            fail(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
            return;
        }
        helpers = List.copyOf(candidates.subList(0, t + 1)); // ascending node id: the crypto group order
        helperKeys = helpers.stream().map(NodeId::publicKey).toList();
        byte[] id = new byte[32];
        random.nextBytes(id);
        attempt = H256.fromBytes(id);
        for (NodeId h : helpers) outbox.send(h, new RepairMessage.Recover(attempt, choice.version().id(), helpers));
    }

    private void onRecovery(NodeId from, SessionMessage message) {
        PublicPoint k = from.publicKey();
        if (message instanceof RepairMessage.Points p && p.attempt().equals(attempt) && !points.containsKey(k)) {
            try {
                ShareRecovery.verifyPoints(k, p.points(), ids(), helperKeys, self.publicKey(), commitments());
            } catch (CryptoException e) {
                blame(List.of(new Culprit(from, Culprit.Reason.INVALID_CONTRIBUTION, e.getMessage())));
                return;
            }
            points.put(k, p.points());
        } else if (message instanceof RepairMessage.Sum s && s.attempt().equals(attempt) && !sums.containsKey(k)) {
            if (s.column().size() != helpers.size()) {
                s.sigma().destroy();
                blame(List.of(new Culprit(from, Culprit.Reason.INVALID_CONTRIBUTION, "column of the wrong length (SEC-03)")));
                return;
            }
            sums.put(k, s.sigma());
            columns.put(k, s.column());
        } else if (message instanceof RepairMessage.Received r && r.attempt().equals(attempt)) {
            received.computeIfAbsent(from, n -> new HashSet<>()).add(r.dealer());
            return;
        } else if (message instanceof RepairMessage.Complaint c && c.attempt().equals(attempt)) {
            List<Culprit> both = new ArrayList<>();
            if (helpers.contains(c.accused()) && !c.accused().equals(from)) {
                both.add(new Culprit(c.accused(), Culprit.Reason.INVALID_CONTRIBUTION, "piece rejected by " + from.shortId()));
            }
            both.add(new Culprit(from, Culprit.Reason.COMPLAINT, "complained about " + c.accused().shortId()));
            blame(both);
            return;
        } else if (message instanceof RepairMessage.Refused r && r.attempt().equals(attempt)) {
            blame(List.of(new Culprit(from, Culprit.Reason.REFUSED, r.reason())));
            return;
        } else {
            if (message instanceof RepairMessage.Sum s) s.sigma().destroy(); // a late or repeated sum
            return;
        }
        if (points.size() == helpers.size() && sums.size() == helpers.size()) complete();
    }

    /** Every point vector and sum is in: check the columns and the sums, combine, store. */
    private void complete() {
        for (NodeId k : helpers) {
            List<PublicPoint> mine = ShareRecovery.column(points, helperKeys, k.publicKey());
            List<PublicPoint> theirs = columns.get(k.publicKey());
            for (int i = 0; i < helpers.size(); i++) {
                if (!mine.get(i).equals(theirs.get(i))) {
                    NodeId dealer = helpers.get(i);
                    List<Culprit> both = new ArrayList<>();
                    if (!dealer.equals(k)) {
                        both.add(new Culprit(dealer, Culprit.Reason.EQUIVOCATION, "showed " + k.shortId() + " other points than the target"));
                    }
                    both.add(new Culprit(k, Culprit.Reason.INVALID_CONTRIBUTION, "reported points of " + dealer.shortId() + " the target did not get"));
                    blame(both);
                    return;
                }
            }
            try {
                ShareRecovery.verifySum(k.publicKey(), sums.get(k.publicKey()), mine);
            } catch (CryptoException e) {
                blame(List.of(new Culprit(k, Culprit.Reason.INVALID_CONTRIBUTION, e.getMessage())));
                return;
            }
        }
        SecretScalar share;
        try {
            share = ShareRecovery.recover(self.publicKey(), sums, helperKeys, ids(), commitments());
        } catch (CryptoException e) { // every contribution passed its check, so this is not a helper's fault
            fail(SecretStoreException.of(Kind.INTERNAL, "recovered share failed the own-share check"));
            return;
        }
        store(share, Outcome.SHARE_REPAIRED);
    }

    private void blame(List<Culprit> found) {
        for (Culprit c : found) {
            LOG.warning(() -> "repair of key " + keyId + ": excluded " + c);
            culprits.add(c);
            excluded.add(c.node());
        }
        startAttempt();
    }

    /** Prepares what is missing (the storage applies the SEC-11 own-share check) and commits it. */
    private void store(SecretScalar share, Outcome outcome) {
        VersionMetadata v = choice.version();
        boolean prepared = false;
        try {
            if (local.isEmpty()) {
                storage.prepareNewKey(new KeyShare(keyId, choice.author(), choice.threshold(), choice.publicKey(), choice.documentKey(),
                        List.of(new KeyVersion(v, share))));
            } else {
                boolean needDocument = choice.documentKey().isPresent() && local.get().documentKey().isEmpty();
                if (share != null) {
                    storage.prepareVersion(keyId, new KeyVersion(v, share));
                    prepared = true;
                }
                if (needDocument) storage.prepareDocumentKey(keyId, choice.documentKey().get());
            }
        } catch (SecretStoreException e) {
            if (prepared) storage.discard(keyId); // only what this session prepared: the scheduler starts no repair over a pending row
            fail(e);
            return;
        }
        storage.commit(keyId);
        LOG.info(() -> "repair of key " + keyId + ": " + outcome + " from holders " + choice.holders() + " (version " + v.id() + ")");
        if (share != null) removeStaleVersions(v);
        finish(outcome);
    }

    /** Removes this node's versions that no member reported any more (a removal this node missed; SEC-26: never the repaired one). */
    private void removeStaleVersions(VersionMetadata repaired) {
        if (local.isEmpty()) return;
        for (VersionMetadata mine : local.get().versions()) {
            if (mine.id().equals(repaired.id())) continue;
            boolean reported = reports.values().stream().anyMatch(r -> r.position(mine.id()).isPresent());
            if (reported) continue;
            try {
                storage.removeVersion(keyId, mine.id());
                LOG.info(() -> "repair of key " + keyId + ": removed version " + mine.id() + " that no member holds any more");
            } catch (SecretStoreException e) {
                LOG.warning(() -> "repair of key " + keyId + ": could not remove stale version " + mine.id() + ": " + e.getMessage());
            }
        }
    }

    private void finish(Outcome outcome) {
        phase = Phase.DONE;
        broadcastDone();
        succeed(outcome);
    }

    private void broadcastDone() {
        for (NodeId n : asked) outbox.send(n, new RepairMessage.Done());
    }

    private IdNumbers ids() {
        return choice.version().thresholdIds();
    }

    private KeyCommitments commitments() {
        return choice.version().keyCommitments();
    }

    @Override
    public void onNodeDisconnected(NodeId node) {
        if (isFinished()) return;
        if (phase == Phase.FACTS && awaitingFacts.remove(node)) {
            if (awaitingFacts.isEmpty()) decide();
        } else if (phase == Phase.RECOVERY && helpers.contains(node)) {
            blame(List.of(new Culprit(node, Culprit.Reason.DISCONNECTED, "lost during the recovery")));
        }
    }

    /** A stall: the members that owe this member a message are named (NO_ANSWER), so the next repair avoids them. */
    @Override
    public void onTimeout() {
        if (isFinished()) return;
        if (phase == Phase.FACTS) {
            awaitingFacts.forEach(n -> culprits.add(new Culprit(n, Culprit.Reason.NO_ANSWER, "no facts")));
        } else if (phase == Phase.RECOVERY) {
            stalledRecovery().forEach(culprits::add);
        }
        fail(SecretStoreException.of(Kind.NODE_DISCONNECTED));
    }

    /**
     * Who stalled the attempt: helpers that sent no points; once every helper sent its points, each helper without a
     * sum and, when it reported holding the pieces of every other dealer but some, those dealers too (a dealer that
     * withheld a piece from one helper cannot be told from a helper that claims it got none, so both go, as with a
     * complaint; each exclusion removes at least one faulty member).
     */
    private List<Culprit> stalledRecovery() {
        List<Culprit> out = new ArrayList<>();
        if (points.size() < helpers.size()) {
            for (NodeId h : helpers) {
                if (!points.containsKey(h.publicKey())) out.add(new Culprit(h, Culprit.Reason.NO_ANSWER, "no points"));
            }
            return out;
        }
        Set<NodeId> dealers = new LinkedHashSet<>();
        for (NodeId k : helpers) {
            if (sums.containsKey(k.publicKey())) continue;
            out.add(new Culprit(k, Culprit.Reason.NO_ANSWER, "no sum"));
            Set<NodeId> got = received.getOrDefault(k, Set.of());
            if (got.isEmpty()) continue; // it reported nothing at all: only it is named
            for (NodeId i : helpers) {
                if (!i.equals(k) && !got.contains(i)) dealers.add(i);
            }
        }
        for (NodeId i : dealers) {
            if (out.stream().noneMatch(c -> c.node().equals(i))) {
                out.add(new Culprit(i, Culprit.Reason.NO_ANSWER, "a helper waited for its piece"));
            }
        }
        return out;
    }

    @Override
    public void fail(SecretStoreException error) {
        super.fail(culprits.isEmpty() ? error : error.withCulprits(culprits));
    }

    @Override
    protected void onFailure(SecretStoreException error) {
        broadcastDone();
    }

    @Override
    protected void onFinish() {
        clearAttempt();
    }

    private void clearAttempt() {
        sums.values().forEach(SecretScalar::destroy);
        sums.clear();
        points.clear();
        columns.clear();
        received.clear();
    }
}
