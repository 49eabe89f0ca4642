package dev.secretstore.protocol.session.repair;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.AvailabilityStatus;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.key.VersionSelector;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Share repair (SEC-40): a member that missed a key, a version or a document key gets what it lacks from t+1
 * agreeing holders, by the sweep, without anyone assembling the key; liars are named and avoided; a crash at
 * any point is repaired by repeating; without t+1 agreeing holders nothing is stored (SEC-11, SEC-25, SEC-26).
 */
class ShareRepairTest {
    static final SecureRandom RNG = new SecureRandom();
    static final Duration INTERVAL = Duration.ofSeconds(10);
    static final AclChecker ALLOW_ALL = (requester, keyId) -> CompletableFuture.completedFuture(AclChecker.Decision.allow("test"));

    final KeyPair requesterKeys = KeyPair.random();
    final H256 keyId = randomId();
    final Requester requester = TestRequesters.ofStatic(requesterKeys, keyId);
    final Address author = requester.address();

    InMemoryCluster cluster;
    final Map<NodeId, ClusterKeyServer> servers = new HashMap<>();

    void cluster(int n) {
        cluster = new InMemoryCluster(n);
        for (InMemoryCluster.Node node : cluster.nodes()) server(node);
    }

    ClusterKeyServer server(InMemoryCluster.Node node) {
        ClusterKeyServer s = new ClusterKeyServer(node.sessions, node, node.storage, ALLOW_ALL, dev.secretstore.protocol.session.admin.AdminPolicy.NONE,
                Availability.DEFAULTS.withRepairInterval(INTERVAL), cluster.loop, RNG, cluster.clock);
        servers.put(node.id, s);
        return s;
    }

    static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    List<NodeId> ids(int... indexes) {
        List<NodeId> out = new ArrayList<>();
        for (int i : indexes) out.add(cluster.node(i).id);
        return out;
    }

    List<NodeId> all() {
        return List.copyOf(cluster.memberIds());
    }

    /** Deals a key naming every member and commits it on the members at {@code storedOn} only ("missed the generation"). */
    TestKeys.Sharing seedOn(int t, Optional<DocumentKey> doc, int... storedOn) {
        TestKeys.Sharing sharing = TestKeys.deal(keyId, author, t, TestKeys.randomIds(all(), RNG), Optional.empty(), RNG);
        for (int i : storedOn) {
            KeyShare share = sharing.of(cluster.node(i).id);
            cluster.node(i).storage.prepareNewKey(doc.map(share::withDocumentKey).orElse(share));
            cluster.node(i).storage.commit(keyId);
        }
        return sharing;
    }

    /** One repair interval passes: every member's maintenance runs and the network settles. */
    void sweep() {
        cluster.advance(INTERVAL);
        servers.values().forEach(ClusterKeyServer::maintain);
        cluster.deliverAll();
    }

    AvailabilityStatus.Snapshot status(int i) {
        return servers.get(cluster.node(i).id).availabilityStatus();
    }

    SecretScalar storedShare(int i) {
        return cluster.node(i).storage.read(keyId, VersionSelector.latest()).orElseThrow().share().orElseThrow().share();
    }

    ShareRepairSession startRepair(int i, Set<NodeId> excluded) {
        InMemoryCluster.Node node = cluster.node(i);
        SessionKey key = new SessionKey(SessionType.SHARE_REPAIR, randomId(), node.id);
        return node.sessions.startMaster(key, outbox -> ShareRepairSession.startMaster(key, node, outbox, node.storage, RNG, keyId, excluded));
    }

    static SecretStoreException failure(AbstractSession<?> s) {
        assertThat(s.isFinished()).isTrue();
        try {
            s.result().join();
        } catch (CompletionException e) {
            return (SecretStoreException) e.getCause();
        }
        throw new AssertionError("session succeeded");
    }

    /** An encrypted document key (C, E) for the key's Y, and M to compare with what a decryption returns. */
    record Doc(PublicPoint m, DocumentKey stored) {}

    static Doc document(PublicPoint y) {
        PublicPoint m = SecretScalar.random(RNG).mulG();
        EncryptedDocumentKey e = dev.secretstore.crypto.threshold.DocumentKey.encrypt(m, y, RNG);
        return new Doc(m, new DocumentKey(e.commonPoint(), e.encryptedPoint()));
    }

    PublicPoint decryptThrough(int i) {
        CompletableFuture<byte[]> r = servers.get(cluster.node(i).id).retrieveDocumentKey(keyId, requester).toCompletableFuture();
        cluster.deliverAll();
        return PublicPoint.fromBytes(Ecies.decryptFromServer(requesterKeys.secret(), r.join()));
    }

    // ------------------------------------------------------------------ repair by the sweep

    @Test
    void sec40_aMemberThatMissedTheGenerationGetsItsShareAndServesWithAnotherHolderDown() {
        cluster(3);
        TestKeys.Sharing probe = TestKeys.deal(keyId, author, 1, TestKeys.randomIds(all(), RNG), Optional.empty(), RNG);
        Doc doc = document(probe.publicKey());
        for (int i : new int[] {0, 1}) { // member 2 was down during generation and store
            cluster.node(i).storage.prepareNewKey(probe.of(cluster.node(i).id).withDocumentKey(doc.stored()));
            cluster.node(i).storage.commit(keyId);
        }
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();

        sweep();

        KeyMetadata repaired = cluster.node(2).storage.metadata(keyId).orElseThrow();
        assertThat(repaired.latestVersion()).isEqualTo(probe.of(cluster.node(0).id).latestVersion().metadata());
        assertThat(repaired.documentKey()).contains(doc.stored());
        assertThat(repaired.publicKey()).isEqualTo(probe.publicKey());
        assertThat(storedShare(2)).isEqualTo(probe.of(cluster.node(2).id).latestVersion().share());
        assertThat(status(2).repairsDone()).isEqualTo(1);
        assertThat(status(2).sweepsCompleted()).isGreaterThanOrEqualTo(1);
        assertThat(status(0).repairsDone()).isZero();

        cluster.disconnect(cluster.node(0).id); // the repaired member and one other holder are enough (t+1 = 2)
        assertThat(decryptThrough(2)).isEqualTo(doc.m());
        H256 message = randomId();
        CompletableFuture<byte[]> signed = servers.get(cluster.node(2).id).signSchnorr(keyId, requester, message).toCompletableFuture();
        cluster.deliverAll();
        dev.secretstore.crypto.threshold.SchnorrSignature signature = dev.secretstore.crypto.threshold.SchnorrSignature.fromBytes(
                Ecies.decryptFromServer(requesterKeys.secret(), signed.join()));
        assertThat(dev.secretstore.crypto.threshold.Schnorr.verify(probe.publicKey(), message, signature)).isTrue();

        sweep(); // nothing missing any more: no further repair
        assertThat(status(2).repairsDone()).isEqualTo(1);
        assertThat(status(2).keysMissingHere()).isZero();
    }

    @Test
    void sec40_aMemberDownDuringARealGenerationIsRepairedAndThenSignsWithAnotherMemberDown() {
        cluster(3);
        NodeId absent = cluster.node(2).id;
        cluster.disconnect(absent);
        CompletableFuture<PublicPoint> generated = servers.get(cluster.node(0).id).generateServerKey(keyId, requester, 1).toCompletableFuture();
        cluster.deliverAll();
        PublicPoint y = generated.join(); // robust generation: t+1 = 2 members are enough
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
        assertThat(cluster.node(0).storage.metadata(keyId).orElseThrow().latestVersion().isHolder(absent)).isTrue();
        cluster.reconnect(absent);

        sweep();

        KeyMetadata repaired = cluster.node(2).storage.metadata(keyId).orElseThrow();
        assertThat(repaired.publicKey()).isEqualTo(y);
        assertThat(repaired.latestVersion()).isEqualTo(cluster.node(0).storage.metadata(keyId).orElseThrow().latestVersion());
        assertThat(status(2).repairsDone()).isEqualTo(1);
        cluster.disconnect(cluster.node(0).id);
        H256 message = randomId();
        CompletableFuture<byte[]> signed = servers.get(absent).signSchnorr(keyId, requester, message).toCompletableFuture();
        cluster.deliverAll();
        assertThat(dev.secretstore.crypto.threshold.Schnorr.verify(y, message, dev.secretstore.crypto.threshold.SchnorrSignature.fromBytes(
                Ecies.decryptFromServer(requesterKeys.secret(), signed.join())))).isTrue();
    }

    @Test
    void sec40_aMemberThatMissedTheDocumentKeyStoreReceivesTheAgreedDocumentKey() {
        cluster(3);
        TestKeys.Sharing sharing = seedOn(1, Optional.empty(), 0, 1, 2);
        Doc doc = document(sharing.publicKey());
        for (int i : new int[] {0, 1}) {
            cluster.node(i).storage.prepareDocumentKey(keyId, doc.stored());
            cluster.node(i).storage.commit(keyId);
        }
        sweep();
        assertThat(cluster.node(2).storage.metadata(keyId).orElseThrow().documentKey()).contains(doc.stored());
        assertThat(status(2).repairsDone()).isEqualTo(1);
        cluster.disconnect(cluster.node(1).id);
        assertThat(decryptThrough(2)).isEqualTo(doc.m());
    }

    @Test
    void sec40_aDocumentKeyReportedByOneHolderOnlyIsNotTaken() {
        cluster(3);
        TestKeys.Sharing sharing = seedOn(1, Optional.empty(), 0, 1, 2);
        cluster.node(0).storage.prepareDocumentKey(keyId, document(sharing.publicKey()).stored());
        cluster.node(0).storage.commit(keyId);
        sweep();
        assertThat(cluster.node(2).storage.metadata(keyId).orElseThrow().documentKey()).isEmpty();
        ShareRepairSession s = startRepair(2, Set.of());
        cluster.deliverAll();
        assertThat(s.result().join()).isEqualTo(ShareRepairSession.Outcome.NOTHING_MISSING);
        assertThat(cluster.node(2).storage.metadata(keyId).orElseThrow().documentKey()).isEmpty();
    }

    /** A new sharing of the same key to the same id numbers (as a refresh makes), committed on {@code on} only. */
    Map<NodeId, KeyVersion> refreshOn(TestKeys.Sharing sharing, int t, int... on) {
        KeyShare first = sharing.of(cluster.node(0).id);
        Map<NodeId, Scalar> ids = first.latestVersion().idNumbers();
        Polynomial g = Polynomial.randomWithConstant(sharing.secret(), t, RNG);
        VersionMetadata meta = VersionMetadata.withNonce(ids, g.feldman().points(), randomId());
        Map<NodeId, KeyVersion> out = new TreeMap<>();
        ids.forEach((h, x) -> out.put(h, new KeyVersion(meta, g.evaluate(x))));
        g.destroy();
        for (int i : on) {
            cluster.node(i).storage.prepareVersion(keyId, out.get(cluster.node(i).id));
            cluster.node(i).storage.commit(keyId);
        }
        return out;
    }

    @Test
    void sec40_aMemberThatMissedANewVersionGetsItsNewShareAndDropsTheVersionNobodyHolds() {
        cluster(3);
        TestKeys.Sharing sharing = seedOn(1, Optional.empty(), 0, 1, 2);
        H256 old = sharing.of(cluster.node(0).id).latestVersion().id();
        Map<NodeId, KeyVersion> fresh = refreshOn(sharing, 1, 0, 1);
        for (int i : new int[] {0, 1}) cluster.node(i).storage.removeVersion(keyId, old); // the others erased the old share

        sweep();

        KeyMetadata repaired = cluster.node(2).storage.metadata(keyId).orElseThrow();
        assertThat(repaired.versions()).extracting(VersionMetadata::id).containsExactly(fresh.get(cluster.node(2).id).id());
        assertThat(storedShare(2)).isEqualTo(fresh.get(cluster.node(2).id).share());
        assertThat(storedShare(2)).isNotEqualTo(sharing.of(cluster.node(2).id).latestVersion().share());
        cluster.disconnect(cluster.node(0).id);
        Doc doc = document(sharing.publicKey());
        for (int i : new int[] {1, 2}) {
            cluster.node(i).storage.prepareDocumentKey(keyId, doc.stored());
            cluster.node(i).storage.commit(keyId);
        }
        assertThat(decryptThrough(2)).isEqualTo(doc.m());
    }

    @Test
    void sec26_aVersionOtherMembersStillHoldIsKept() {
        cluster(3);
        TestKeys.Sharing sharing = seedOn(1, Optional.empty(), 0, 1, 2);
        H256 old = sharing.of(cluster.node(0).id).latestVersion().id();
        Map<NodeId, KeyVersion> fresh = refreshOn(sharing, 1, 0, 1);
        sweep();
        assertThat(cluster.node(2).storage.metadata(keyId).orElseThrow().versions()).extracting(VersionMetadata::id)
                .containsExactly(old, fresh.get(cluster.node(2).id).id());
    }

    // ------------------------------------------------------------------ faulty helpers (identifiable abort)

    /** N = 5, t = 1, the key on members 0..3; member 4 missed it. The first helpers are members 0 and 1. */
    TestKeys.Sharing fiveWithLiar() {
        cluster(5);
        return seedOn(1, Optional.empty(), 0, 1, 2, 3);
    }

    ShareRepairSession repairWith(java.util.function.Function<InMemoryCluster.Delivery, List<InMemoryCluster.Delivery>> interceptor) {
        cluster.intercept(interceptor);
        ShareRepairSession s = startRepair(4, Set.of());
        cluster.deliverAll();
        return s;
    }

    InMemoryCluster.Delivery rewrite(InMemoryCluster.Delivery d, dev.secretstore.protocol.session.SessionMessage body) {
        var e = d.envelope();
        return new InMemoryCluster.Delivery(d.from(), d.to(),
                new dev.secretstore.protocol.session.Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    void assertRepairedNaming(TestKeys.Sharing sharing, ShareRepairSession s, NodeId... culprits) {
        assertThat(s.result().join()).isEqualTo(ShareRepairSession.Outcome.SHARE_REPAIRED);
        assertThat(s.culprits()).extracting(Culprit::node).containsExactlyInAnyOrder(culprits);
        assertThat(storedShare(4)).isEqualTo(sharing.of(cluster.node(4).id).latestVersion().share());
    }

    static List<PublicPoint> shifted(List<PublicPoint> points, boolean compensate) {
        List<PublicPoint> out = new ArrayList<>(points);
        out.set(0, out.get(0).add(PublicPoint.generator()));
        if (compensate) out.set(1, out.get(1).subtract(PublicPoint.generator())); // same sum: passes the points check
        return out;
    }

    @Test
    void sec40_aHelperSendingBadPointsIsNamedAndTheRepairCompletesWithOthers() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(0).id;
        ShareRepairSession s = repairWith(d -> d.from().equals(liar) && d.envelope().body() instanceof RepairMessage.Points p
                ? List.of(rewrite(d, new RepairMessage.Points(p.attempt(), shifted(p.points(), false)))) : List.of(d));
        assertRepairedNaming(sharing, s, liar);
        assertThat(s.culprits().get(0).reason()).isEqualTo(Culprit.Reason.INVALID_CONTRIBUTION);
    }

    @Test
    void sec40_aHelperSendingABadSumIsNamed() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(1).id;
        ShareRepairSession s = repairWith(d -> d.from().equals(liar) && d.envelope().body() instanceof RepairMessage.Sum m
                ? List.of(rewrite(d, new RepairMessage.Sum(m.attempt(), m.sigma().add(SecretScalar.random(RNG)), m.column()))) : List.of(d));
        assertRepairedNaming(sharing, s, liar);
    }

    @Test
    void sec40_aBadPieceExcludesDealerAndComplainer() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(0).id;
        NodeId victim = cluster.node(1).id;
        ShareRepairSession s = repairWith(d -> d.from().equals(liar) && d.to().equals(victim) && d.envelope().body() instanceof RepairMessage.Piece p
                ? List.of(rewrite(d, new RepairMessage.Piece(p.attempt(), p.piece().add(SecretScalar.random(RNG)), p.points()))) : List.of(d));
        assertRepairedNaming(sharing, s, liar, victim);
    }

    @Test
    void sec40_aHelperShowingTheTargetOtherPointsThanTheHelpersIsNamed() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(0).id;
        ShareRepairSession s = repairWith(d -> d.from().equals(liar) && d.envelope().body() instanceof RepairMessage.Points p
                ? List.of(rewrite(d, new RepairMessage.Points(p.attempt(), shifted(p.points(), true)))) : List.of(d));
        assertRepairedNaming(sharing, s, liar);
        assertThat(s.culprits()).allSatisfy(c -> assertThat(c.reason()).isIn(Culprit.Reason.INVALID_CONTRIBUTION, Culprit.Reason.EQUIVOCATION));
    }

    @Test
    void sec40_aHelperLyingAboutTheKeyIsOutvoted() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(0).id;
        ShareRepairSession s = repairWith(d -> {
            if (d.from().equals(liar) && d.envelope().body() instanceof RepairMessage.Facts f && !f.key().isEmpty()) {
                RepairMessage.KeyFacts k = f.key().get(0);
                return List.of(rewrite(d, new RepairMessage.Facts(List.of(new RepairMessage.KeyFacts(k.author(), k.threshold(),
                        k.publicKey().add(PublicPoint.generator()), k.documentKey(), k.versions())))));
            }
            return List.of(d);
        });
        assertThat(s.result().join()).isEqualTo(ShareRepairSession.Outcome.SHARE_REPAIRED);
        assertThat(cluster.node(4).storage.metadata(keyId).orElseThrow().publicKey()).isEqualTo(sharing.publicKey());
        assertThat(storedShare(4)).isEqualTo(sharing.of(cluster.node(4).id).latestVersion().share());
    }

    @Test
    void sec40_aSilentHelperIsNamedAtTheStallAndTheNextSweepRepairsWithoutIt() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(0).id;
        Predicate<InMemoryCluster.Delivery> recovery = d -> d.envelope().body() instanceof RepairMessage.Piece
                || d.envelope().body() instanceof RepairMessage.Points || d.envelope().body() instanceof RepairMessage.Sum;
        cluster.intercept(d -> d.from().equals(liar) && recovery.test(d) ? List.of() : List.of(d));
        sweep();
        assertThat(cluster.node(4).storage.metadata(keyId)).isEmpty();
        cluster.advance(InMemoryCluster.STALL); // the stalled repair ends, naming the member that owes it points
        cluster.deliverAll();
        assertThat(status(4).repairsFailed()).isEqualTo(1);
        assertThat(status(4).underReplicated()).isTrue();
        sweep();
        assertThat(storedShare(4)).isEqualTo(sharing.of(cluster.node(4).id).latestVersion().share());
        assertThat(status(4).repairsDone()).isEqualTo(1);
    }

    @Test
    void sec40_aHelperWithholdingOnePieceIsNamedWithTheHelperThatWaitedForIt() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(0).id;
        NodeId waiting = cluster.node(1).id;
        ShareRepairSession first = repairWith(d -> d.from().equals(liar) && d.to().equals(waiting)
                && d.envelope().body() instanceof RepairMessage.Piece ? List.of() : List.of(d));
        assertThat(first.isFinished()).isFalse();
        cluster.advance(InMemoryCluster.STALL);
        cluster.deliverAll();
        assertThat(first.culprits()).extracting(Culprit::node).containsExactlyInAnyOrder(liar, waiting);
        Set<NodeId> excluded = Set.of(liar, waiting);
        ShareRepairSession second = startRepair(4, excluded);
        cluster.deliverAll();
        assertThat(second.result().join()).isEqualTo(ShareRepairSession.Outcome.SHARE_REPAIRED);
        assertThat(storedShare(4)).isEqualTo(sharing.of(cluster.node(4).id).latestVersion().share());
    }

    @Test
    void sec40_aHelperLostDuringTheRecoveryIsReplacedInTheSameRepair() {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId lost = cluster.node(1).id;
        boolean[] cut = {false};
        ShareRepairSession s = repairWith(d -> {
            if (!cut[0] && d.from().equals(lost) && d.envelope().body() instanceof RepairMessage.Points) {
                cut[0] = true;
                cluster.disconnect(lost);
                return List.of();
            }
            return List.of(d);
        });
        assertThat(s.result().join()).isEqualTo(ShareRepairSession.Outcome.SHARE_REPAIRED);
        assertThat(s.culprits()).extracting(Culprit::reason).containsExactly(Culprit.Reason.DISCONNECTED);
        assertThat(storedShare(4)).isEqualTo(sharing.of(cluster.node(4).id).latestVersion().share());
    }

    // ------------------------------------------------------------------ crashes and too little agreement

    @Test
    void sec25_aCrashDuringTheRecoveryLeavesNothingAndRepeatingCompletes() {
        cluster(3);
        TestKeys.Sharing sharing = seedOn(1, Optional.empty(), 0, 1);
        NodeId target = cluster.node(2).id;
        boolean[] crashed = {false};
        cluster.intercept(d -> {
            if (!crashed[0] && d.to().equals(target) && d.envelope().body() instanceof RepairMessage.Sum) {
                crashed[0] = true;
                cluster.crash(target); // kill -9 with the first sum in flight
                return List.of();
            }
            return List.of(d);
        });
        sweep();
        assertThat(crashed[0]).isTrue();
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
        assertThat(cluster.node(2).storage.pendingKeyIds()).isEmpty();
        cluster.intercept(List::of);
        cluster.reconnect(target);
        server(cluster.node(2)); // the restarted process: new session manager, nothing persisted by the scheduler
        cluster.advance(Duration.ofMinutes(5));
        cluster.deliverAll();
        sweep();
        assertThat(storedShare(2)).isEqualTo(sharing.of(target).latestVersion().share());
    }

    @Test
    void sec25_aRepairPreparedButNotCommittedBeforeACrashIsCommittedByTheRecoveryPath() {
        cluster(3);
        TestKeys.Sharing sharing = seedOn(1, Optional.empty(), 0, 1);
        NodeId target = cluster.node(2).id;
        cluster.node(2).storage.prepareNewKey(sharing.of(target)); // what the repair prepares, then the process died
        sweep(); // the sweep leaves the prepared row to the resolution, which finds it committed on the holders
        cluster.advance(Duration.ofSeconds(3));
        servers.values().forEach(ClusterKeyServer::maintain);
        cluster.deliverAll();
        assertThat(cluster.node(2).storage.pendingKeyIds()).isEmpty();
        assertThat(storedShare(2)).isEqualTo(sharing.of(target).latestVersion().share());
    }

    @Test
    void sec40_withFewerThanTPlusOneHoldersNothingIsRepairedAndNothingStored() {
        cluster(3);
        seedOn(1, Optional.empty(), 0); // only one holder has it
        sweep();
        sweep();
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
        assertThat(cluster.node(2).storage.pendingKeyIds()).isEmpty();
        assertThat(status(2).keysMissingHere()).isZero(); // one member's word is not enough to count it
        ShareRepairSession s = startRepair(2, Set.of());
        cluster.deliverAll();
        assertThat(failure(s).kind()).isEqualTo(SecretStoreException.Kind.CONSENSUS_UNREACHABLE);
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
        assertThat(cluster.node(2).storage.pendingKeyIds()).isEmpty();
    }

    @Test
    void sec40_twoHoldersThatDisagreeAreNotEnough() {
        cluster(3);
        Map<NodeId, Scalar> idNumbers = TestKeys.randomIds(all(), RNG);
        TestKeys.Sharing a = TestKeys.deal(keyId, author, 1, idNumbers, Optional.empty(), RNG);
        TestKeys.Sharing b = TestKeys.deal(keyId, author, 1, idNumbers, Optional.empty(), RNG); // a forged key under the same id
        cluster.node(0).storage.prepareNewKey(a.of(cluster.node(0).id));
        cluster.node(0).storage.commit(keyId);
        cluster.node(1).storage.prepareNewKey(b.of(cluster.node(1).id));
        cluster.node(1).storage.commit(keyId);
        ShareRepairSession s = startRepair(2, Set.of());
        cluster.deliverAll();
        assertThat(failure(s).kind()).isEqualTo(SecretStoreException.Kind.CONSENSUS_UNREACHABLE);
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
    }

    @Test
    void sec40_aMemberNoVersionNamesIsToldNothingAboutTheKey() {
        cluster(3);
        seedKey(keyId, 1, ids(0, 1), 0, 1);
        List<RepairMessage.Facts> told = new ArrayList<>();
        cluster.intercept(d -> {
            if (d.envelope().body() instanceof RepairMessage.Facts f) told.add(f);
            return List.of(d);
        });
        ShareRepairSession s = startRepair(2, Set.of());
        cluster.deliverAll();
        assertThat(told).hasSize(2).allSatisfy(f -> assertThat(f.key()).isEmpty());
        assertThat(failure(s).kind()).isEqualTo(SecretStoreException.Kind.CONSENSUS_UNREACHABLE);
    }

    // ------------------------------------------------------------------ the sweep

    /** Deals key {@code id} of threshold {@code t} to {@code holders} and commits it on the members at {@code storedOn}. */
    TestKeys.Sharing seedKey(H256 id, int t, List<NodeId> holders, int... storedOn) {
        TestKeys.Sharing sharing = TestKeys.deal(id, author, t, TestKeys.randomIds(holders, RNG), Optional.empty(), RNG);
        for (int i : storedOn) {
            cluster.node(i).storage.prepareNewKey(sharing.of(cluster.node(i).id));
            cluster.node(i).storage.commit(id);
        }
        return sharing;
    }

    @Test
    void sec40_theSweepReadsInventoriesPageByPageAndRunsAtMostTheConfiguredRepairsAtOnce() {
        cluster = new InMemoryCluster(3);
        server(cluster.node(0));
        server(cluster.node(1));
        InMemoryCluster.Node target = cluster.node(2);
        AvailabilityStatus st = new AvailabilityStatus();
        Availability twoAtOnce = new Availability(0, INTERVAL, 2, Duration.ZERO, 64);
        RepairScheduler scheduler = new RepairScheduler(target.sessions, target, target.storage, cluster.clock, RNG, twoAtOnce, st,
                cluster.loop, 2);
        Map<H256, TestKeys.Sharing> missing = new HashMap<>();
        for (int k = 0; k < 7; k++) {
            H256 id = randomId();
            missing.put(id, seedKey(id, 1, all(), 0, 1));
        }
        List<H256> notMine = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            H256 id = randomId();
            seedKey(id, 1, ids(0, 1), 0, 1); // holders 0 and 1 only: nothing for member 2 to repair
            notMine.add(id);
        }
        int[] most = {0};
        cluster.intercept(d -> {
            int now = (int) target.sessions.activeSessions().stream().filter(s -> s instanceof ShareRepairSession).count();
            most[0] = Math.max(most[0], now);
            return List.of(d);
        });
        scheduler.tick();
        cluster.deliverAll();
        missing.forEach((id, sharing) -> assertThat(target.storage.read(id, VersionSelector.latest()).orElseThrow().share().orElseThrow()
                .share()).isEqualTo(sharing.of(target.id).latestVersion().share()));
        notMine.forEach(id -> assertThat(target.storage.metadata(id)).isEmpty());
        assertThat(most[0]).isEqualTo(2);
        assertThat(st.snapshot().repairsDone()).isEqualTo(7);
        assertThat(st.snapshot().keysMissingHere()).isZero();
        assertThat(st.snapshot().sweepsCompleted()).isEqualTo(1);
        assertThat(scheduler.pendingRepairs()).isEmpty();
    }

    @Test
    void sec40_aSweepIsRepeatedOnlyAfterTheRepairInterval() {
        cluster(3);
        sweep();
        long sweeps = status(2).sweepsCompleted();
        seedOn(1, Optional.empty(), 0, 1);
        cluster.advance(INTERVAL.dividedBy(2));
        servers.values().forEach(ClusterKeyServer::maintain);
        cluster.deliverAll();
        assertThat(status(2).sweepsCompleted()).isEqualTo(sweeps);
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
        sweep();
        assertThat(status(2).sweepsCompleted()).isEqualTo(sweeps + 1);
        assertThat(cluster.node(2).storage.metadata(keyId)).isPresent();
    }

    /** A member that comes back sweeps a few seconds after its peers connect, not a whole interval later. */
    @Test
    void sec40_aPeerThatConnectsMakesTheNextSweepDueEarly() {
        cluster(3);
        cluster.disconnect(cluster.node(2).id);
        sweep(); // member 2 sweeps alone: nobody to ask
        long sweeps = status(2).sweepsCompleted();
        seedOn(1, Optional.empty(), 0, 1);
        cluster.reconnect(cluster.node(2).id);
        cluster.advance(RepairScheduler.EARLY_GAP);
        servers.values().forEach(ClusterKeyServer::maintain);
        cluster.deliverAll();
        assertThat(INTERVAL).isGreaterThan(RepairScheduler.EARLY_GAP);
        assertThat(status(2).sweepsCompleted()).isEqualTo(sweeps + 1);
        assertThat(cluster.node(2).storage.metadata(keyId)).isPresent();
        // with the same peers, no early sweep
        cluster.advance(RepairScheduler.EARLY_GAP);
        servers.values().forEach(ClusterKeyServer::maintain);
        cluster.deliverAll();
        assertThat(status(2).sweepsCompleted()).isEqualTo(sweeps + 1);
    }

    @Test
    void sec40_oneMemberCannotPlantAKeyByClaimingThresholdZero() {
        cluster(3);
        seedKey(keyId, 0, ids(0, 2), 0); // member 0 made up a t = 0 key "shared" with member 2
        sweep();
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
        assertThat(status(2).keysMissingHere()).isZero();
        ShareRepairSession s = startRepair(2, Set.of());
        cluster.deliverAll();
        assertThat(failure(s).kind()).isEqualTo(SecretStoreException.Kind.CONSENSUS_UNREACHABLE);
        assertThat(cluster.node(2).storage.metadata(keyId)).isEmpty();
    }

    @Test
    void sec40_aThresholdZeroKeyHeldByTwoOthersIsRepaired() {
        cluster(3);
        TestKeys.Sharing sharing = seedKey(keyId, 0, all(), 0, 1);
        sweep();
        assertThat(storedShare(2)).isEqualTo(sharing.of(cluster.node(2).id).latestVersion().share());
    }

    // ------------------------------------------------------------------ Keep-style fault matrix (issue #13 "Tests")

    enum Fault { DROP, DELAY, DUPLICATE, CORRUPT }

    /** A corrupted copy of a helper's message of each kind. */
    static dev.secretstore.protocol.session.SessionMessage corrupt(dev.secretstore.protocol.session.SessionMessage m) {
        if (m instanceof RepairMessage.Facts f && !f.key().isEmpty()) {
            RepairMessage.KeyFacts k = f.key().get(0);
            return new RepairMessage.Facts(List.of(new RepairMessage.KeyFacts(k.author(), k.threshold(), k.publicKey(), k.documentKey(),
                    k.versions().stream().map(v -> new RepairMessage.VersionFacts(v.id(), v.nonce(), v.idNumbers(),
                            shifted(v.commitments(), false))).toList())));
        }
        if (m instanceof RepairMessage.Piece p) {
            return new RepairMessage.Piece(p.attempt(), p.piece().add(SecretScalar.random(RNG)), p.points());
        }
        if (m instanceof RepairMessage.Points p) return new RepairMessage.Points(p.attempt(), shifted(p.points(), false));
        if (m instanceof RepairMessage.Sum x) return new RepairMessage.Sum(x.attempt(), x.sigma().add(SecretScalar.random(RNG)), x.column());
        return m;
    }

    static final dev.secretstore.protocol.codec.MessageCodec CODEC = dev.secretstore.protocol.codec.ClusterMessages.codec();

    static InMemoryCluster.Delivery copy(InMemoryCluster.Delivery d) {
        return new InMemoryCluster.Delivery(d.from(), d.to(), CODEC.decode(CODEC.encode(d.envelope())));
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> faults() {
        List<org.junit.jupiter.params.provider.Arguments> out = new ArrayList<>();
        for (Class<?> type : List.of(RepairMessage.Facts.class, RepairMessage.Piece.class, RepairMessage.Points.class, RepairMessage.Sum.class)) {
            for (Fault f : Fault.values()) out.add(org.junit.jupiter.params.provider.Arguments.of(type.getSimpleName(), f));
        }
        return out.stream();
    }

    /**
     * N = 5, t = 1, key on members 0..3, member 4 repairs; member 0 (a first-choice helper) drops, delays, duplicates or
     * corrupts every message of one kind. The repair completes with the correct share, after at most one stall and a
     * second repair that avoids the members the first one named; a helper whose messages were dropped or corrupted
     * (except facts, which are simply outvoted) is among the named culprits.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{1} {0}")
    @org.junit.jupiter.params.provider.MethodSource("faults")
    void sec40_faultMatrix(String kind, Fault fault) {
        TestKeys.Sharing sharing = fiveWithLiar();
        NodeId liar = cluster.node(0).id;
        List<InMemoryCluster.Delivery> held = new ArrayList<>();
        cluster.intercept(d -> {
            if (!d.from().equals(liar) || !d.envelope().body().getClass().getSimpleName().equals(kind)) return List.of(d);
            return switch (fault) {
                case DROP -> List.of();
                case DELAY -> {
                    held.add(d);
                    yield List.of();
                }
                case DUPLICATE -> List.of(d, copy(d)); // a second decoding, as the transport delivers it
                case CORRUPT -> List.of(rewrite(d, corrupt(d.envelope().body())));
            };
        });
        List<Culprit> named = new ArrayList<>();
        ShareRepairSession first = startRepair(4, Set.of());
        cluster.deliverAll();
        List<InMemoryCluster.Delivery> late = List.copyOf(held);
        held.clear();
        cluster.intercept(List::of);
        late.forEach(cluster::inject); // delayed messages arrive after everything else
        cluster.deliverAll();
        if (!first.isFinished()) {
            cluster.advance(InMemoryCluster.STALL);
            cluster.deliverAll();
        }
        named.addAll(first.culprits());
        ShareRepairSession.Outcome outcome = first.result().isCompletedExceptionally() ? null : first.result().join();
        if (outcome == null) {
            Set<NodeId> excluded = new java.util.HashSet<>();
            named.forEach(c -> excluded.add(c.node()));
            ShareRepairSession second = startRepair(4, excluded);
            cluster.deliverAll();
            named.addAll(second.culprits());
            outcome = second.result().join();
        }
        assertThat(outcome).isEqualTo(ShareRepairSession.Outcome.SHARE_REPAIRED);
        assertThat(storedShare(4)).isEqualTo(sharing.of(cluster.node(4).id).latestVersion().share());
        boolean mustBeNamed = (fault == Fault.DROP || fault == Fault.CORRUPT) && !kind.equals("Facts");
        if (mustBeNamed) assertThat(named).extracting(Culprit::node).contains(liar);
        if (fault == Fault.DUPLICATE || fault == Fault.DELAY) assertThat(named).isEmpty();
    }
}
