package dev.secretstore.protocol.session.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.CountingKeyStorage;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.Subshare;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage.Subshares;
import dev.secretstore.protocol.session.refresh.KeyRefreshSession;
import dev.secretstore.protocol.session.resolution.PendingResolutionSession;
import dev.secretstore.protocol.session.resolution.PendingResolver;
import java.time.Duration;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Endpoint 9 over an in-memory cluster that sends every message through the real codec (SEC-20, SEC-24, SEC-26). */
class ServersSetChangeSessionTest {
    private static final SecureRandom RNG = new SecureRandom();
    private static final Address AUTHOR = Address.fromBytes(new byte[20]);

    private final KeyPair admin = KeyPair.random();

    private InMemoryCluster cluster(int n, boolean allowKeyLoss) {
        return cluster(new InMemoryCluster(n), allowKeyLoss);
    }

    private InMemoryCluster cluster(InMemoryCluster c, boolean allowKeyLoss) {
        AdminPolicy policy = new AdminPolicy(Optional.of(admin.publicKey()), allowKeyLoss);
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.SERVERS_SET_CHANGE,
                    ServersSetChangeSession.factory(node, node.storage, policy, RNG, node.sessions::hasActiveSessions));
        }
        return c;
    }

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    /** A committed t-of key on {@code holders}, dealt by a trusted dealer (the test's shortcut for a DKG). */
    private static H256 seed(InMemoryCluster c, List<Integer> holders, int t, boolean withDocumentKey) {
        H256 keyId = randomId();
        Optional<DocumentKey> doc = withDocumentKey
                ? Optional.of(new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG())) : Optional.empty();
        TestKeys.seed(c, keyId, AUTHOR, t, TestKeys.randomIds(holders.stream().map(h -> c.node(h).id).toList(), RNG), doc, RNG);
        return keyId;
    }

    private byte[] sign(KeyPair signer, Collection<NodeId> set) {
        return Ecdsa.sign(signer.secret(), NodeSetHash.of(set.stream().map(n -> n.publicKey()).toList())).toBytes();
    }

    private ServersSetChangeSession start(InMemoryCluster c, int master, List<Integer> newSet, KeyPair signer, boolean allowKeyLoss) {
        InMemoryCluster.Node m = c.node(master);
        Set<NodeId> oldSet = new TreeSet<>(m.connected());
        oldSet.add(m.id);
        Set<NodeId> next = new TreeSet<>();
        newSet.forEach(i -> next.add(c.node(i).id));
        SessionKey key = new SessionKey(SessionType.SERVERS_SET_CHANGE, randomId(), m.id);
        AdminPolicy policy = new AdminPolicy(Optional.of(admin.publicKey()), allowKeyLoss);
        return m.sessions.startMaster(key, outbox -> ServersSetChangeSession.startMaster(key, m, outbox, m.storage, policy,
                sign(signer, oldSet), sign(signer, next), next, RNG));
    }

    private static Kind failure(ServersSetChangeSession s) {
        assertThat(s.result()).isCompletedExceptionally();
        try {
            s.result().join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
    }

    /** Every new holder's share lies on the new commitment vector, whose constant term is the server key. */
    private static void assertConsistentSharing(InMemoryCluster c, H256 keyId, List<Integer> holders) {
        KeyVersion reference = c.node(holders.get(0)).storage.get(keyId).orElseThrow().latestVersion();
        Set<NodeId> expected = new HashSet<>();
        holders.forEach(i -> expected.add(c.node(i).id));
        assertThat(reference.idNumbers().keySet()).isEqualTo(expected);
        for (int i : holders) {
            KeyShare share = c.node(i).storage.get(keyId).orElseThrow();
            assertThat(share.versions()).as("old versions removed").hasSize(1);
            KeyVersion v = share.latestVersion();
            assertThat(v.hash()).isEqualTo(reference.hash());
            assertThat(v.commitments()).isEqualTo(reference.commitments());
            assertThat(v.commitments().get(0)).isEqualTo(share.publicKey());
            assertThat(v.share().mulG()).isEqualTo(v.publicShare(c.node(i).id));
        }
    }

    @Test
    void addsANodeWhichReceivesAValidShareAndTheDocumentKey() {
        InMemoryCluster c = cluster(4, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, true);
        KeyShare before = c.node(0).storage.get(keyId).orElseThrow();
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(s.result()).isCompleted();
        assertThat(s.result().join()).isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1, 2, 3));
        KeyShare added = c.node(3).storage.get(keyId).orElseThrow();
        assertThat(added.publicKey()).isEqualTo(before.publicKey());
        assertThat(added.documentKey()).isEqualTo(before.documentKey());
        assertThat(added.author()).isEqualTo(AUTHOR);
        // staying holders keep their id numbers (crypto.md §10.9)
        KeyVersion after = c.node(0).storage.get(keyId).orElseThrow().latestVersion();
        for (int i = 0; i < 3; i++) {
            assertThat(after.idNumbers().get(c.node(i).id)).isEqualTo(before.latestVersion().idNumbers().get(c.node(i).id));
        }
        c.nodes().forEach(n -> assertThat(n.storage.pendingKeyIds()).isEmpty());
    }

    /** A key generated while member 2 was down (SEC-40): its version names member 2, which holds no share yet. */
    private H256 seedMissedBy2(InMemoryCluster c) {
        H256 keyId = randomId();
        TestKeys.Sharing sharing = TestKeys.deal(keyId, AUTHOR, 1, TestKeys.randomIds(List.of(c.node(0).id, c.node(1).id, c.node(2).id), RNG),
                Optional.empty(), RNG);
        for (int i : List.of(0, 1)) {
            c.node(i).storage.prepareNewKey(sharing.of(c.node(i).id));
            c.node(i).storage.commit(keyId);
        }
        return keyId;
    }

    @Test
    void sec40_aKeyAMemberWasNeverGivenMovesOffThatMember() {
        InMemoryCluster c = cluster(3, false);
        H256 keyId = seedMissedBy2(c);
        ServersSetChangeSession s = start(c, 0, List.of(0, 1), admin, false);
        c.deliverAll();
        assertThat(s.result().join()).isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1));
    }

    /**
     * A set that keeps a member which has not been repaired for a key yet waits for that repair: the retryable
     * "too early" answer (http-api.md §6.2), nothing changed; repeated once share repair gave the member its share.
     */
    @Test
    void sec40_aSetKeepingAMemberNotYetRepairedIsRetryable() {
        InMemoryCluster c = cluster(3, false);
        H256 keyId = seedMissedBy2(c);
        KeyShare before = c.node(0).storage.get(keyId).orElseThrow();
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(failure(s)).isEqualTo(Kind.TOO_EARLY_FOR_REQUEST);
        assertThat(c.node(0).storage.get(keyId).orElseThrow().latestVersion().hash()).isEqualTo(before.latestVersion().hash());
        assertThat(c.node(2).storage.metadata(keyId)).isEmpty();
    }

    @Test
    void removesANodeAndItsOldShareNoLongerFitsTheNewSharing() {
        InMemoryCluster c = cluster(3, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        KeyVersion removedOld = c.node(2).storage.get(keyId).orElseThrow().latestVersion();
        PublicPoint removedOldShare = removedOld.share().mulG();
        Scalar removedX = removedOld.idNumbers().get(c.node(2).id);
        ServersSetChangeSession s = start(c, 0, List.of(0, 1), admin, false);
        c.deliverAll();
        assertThat(s.result().join()).isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1));
        assertThat(c.node(2).storage.get(keyId)).as("a node outside the new set forgets the key").isEmpty();
        // the polynomial is fresh: the removed node's old share is not a point of the new sharing
        KeyVersion now = c.node(0).storage.get(keyId).orElseThrow().latestVersion();
        PublicPoint onNewPolynomial = dev.secretstore.crypto.threshold.KeyCommitments.of(now.commitments()).publicShare(removedX);
        assertThat(onNewPolynomial).isNotEqualTo(removedOldShare);
    }

    @Test
    void replacesNodesWhenTheMasterHoldsNothing() {
        InMemoryCluster c = cluster(5, false);
        H256 a = seed(c, List.of(0, 1, 2), 1, true);
        H256 b = seed(c, List.of(1, 2, 3), 2, false);
        ServersSetChangeSession s = start(c, 4, List.of(1, 2, 3, 4), admin, false);
        c.deliverAll();
        assertThat(s.result().join()).isNull();
        assertConsistentSharing(c, a, List.of(1, 2, 3, 4));
        assertConsistentSharing(c, b, List.of(1, 2, 3, 4));
        assertThat(c.node(0).storage.get(a)).isEmpty();
    }

    @Test
    void sameSetTwiceChangesNothingTheSecondTime() {
        InMemoryCluster c = cluster(3, false);
        H256 keyId = seed(c, List.of(0, 1), 1, false);
        start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        H256 version = c.node(2).storage.get(keyId).orElseThrow().latestVersion().hash();
        ServersSetChangeSession again = start(c, 1, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(again.result().join()).isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(c.node(i).storage.get(keyId).orElseThrow().versions()).extracting(KeyVersion::hash).containsExactly(version);
        }
    }

    @Test
    void sec26_refusedWhenAKeyWouldHaveFewerThanTPlusOneHolders() {
        InMemoryCluster c = cluster(3, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        ServersSetChangeSession s = start(c, 0, List.of(0), admin, false); // removes N − t = 2 holders
        c.deliverAll();
        assertThat(failure(s)).isEqualTo(Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD);
        for (int i = 0; i < 3; i++) {
            assertThat(c.node(i).storage.get(keyId).orElseThrow().versions()).hasSize(1);
            assertThat(c.node(i).storage.get(keyId).orElseThrow().latestVersion().idNumbers()).hasSize(3);
        }
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void sec26_allowKeyLossLeavesTheKeyAsItIsAndChangesTheOthers() {
        InMemoryCluster c = cluster(3, true);
        H256 atRisk = seed(c, List.of(0, 1, 2), 1, false);
        H256 fine = seed(c, List.of(0, 1, 2), 0, false);
        ServersSetChangeSession s = start(c, 0, List.of(0), admin, true);
        c.deliverAll();
        assertThat(s.result().join()).isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(c.node(i).storage.get(atRisk).orElseThrow().latestVersion().idNumbers()).hasSize(3);
        }
        assertConsistentSharing(c, fine, List.of(0));
        assertThat(c.node(1).storage.get(fine)).isEmpty();
    }

    @Test
    void sec24_signaturesByANodeKeyAreRefused() {
        InMemoryCluster c = cluster(3, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        ServersSetChangeSession s = start(c, 0, List.of(0, 1), c.node(0).keyPair, false);
        c.deliverAll();
        assertThat(failure(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(c.node(2).storage.get(keyId)).isPresent();
        assertThat(c.deliveredCount()).as("nothing sent").isZero();
    }

    @Test
    void sec24_aNodeWhoseViewDiffersFromTheSignedOldSetRefuses() {
        InMemoryCluster c = cluster(4, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        NodeId victim = c.node(1).id;
        // The Init reaching node 1 names an old set without node 3, correctly signed by the administrator.
        Set<NodeId> forgedOld = new TreeSet<>(List.of(c.node(0).id, c.node(1).id, c.node(2).id));
        c.intercept(d -> {
            if (d.to().equals(victim) && d.envelope().body() instanceof ServersSetChangeMessage.Init init) {
                var forged = new ServersSetChangeMessage.Init(List.copyOf(forgedOld), init.newSet(), sign(admin, forgedOld),
                        init.newSetSignature(), init.authorization());
                Envelope e = d.envelope();
                return List.of(new InMemoryCluster.Delivery(d.from(), d.to(),
                        new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), forged)));
            }
            return List.of(d);
        });
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(failure(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(c.node(3).storage.get(keyId)).isEmpty();
        assertThat(c.node(0).storage.get(keyId).orElseThrow().versions()).hasSize(1);
    }

    @Test
    void aNewNodeThatIsNotConnectedFailsAtOnce() {
        InMemoryCluster c = cluster(4, false);
        seed(c, List.of(0, 1, 2), 1, false);
        c.disconnect(c.node(3).id);
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        assertThat(failure(s)).isEqualTo(Kind.NODE_DISCONNECTED);
    }

    @Test
    void sec15_aDealerSendingABadSubshareIsNamedAndTheOldVersionStays() {
        InMemoryCluster c = cluster(4, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        H256 oldVersion = c.node(0).storage.get(keyId).orElseThrow().latestVersion().hash();
        c.intercept(d -> {
            if (d.envelope().body() instanceof Subshares s && d.to().equals(c.node(3).id)) {
                List<Subshare> bad = new ArrayList<>();
                for (Subshare i : s.items()) {
                    bad.add(new Subshare(i.keyId(), i.feldman(), SecretScalar.random(), i.author(), i.publicKey(), i.documentKey(),
                            i.oldCommitments(), i.oldIdNumbers(), i.oldNonce()));
                }
                Envelope e = d.envelope();
                return List.of(new InMemoryCluster.Delivery(d.from(), d.to(),
                        new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), new Subshares(s.batch(), bad))));
            }
            return List.of(d);
        });
        List<Set<NodeId>> observed = new ArrayList<>();
        c.node(0).sessions.observe((session, nanos) -> observed.add(session.blamed()));
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(failure(s)).isEqualTo(Kind.INTERNAL);
        assertThat(s.blamed()).hasSize(1).doesNotContain(c.node(3).id); // node 3 names the first dealer whose subshare fails
        assertThat(observed).as("the session manager reports the blame when the session ends").containsExactly(s.blamed());
        assertThat(s.failure().orElseThrow().getMessage()).contains("blamed nodes").contains("1 key(s) kept their old version");
        for (int i = 0; i < 3; i++) {
            assertThat(c.node(i).storage.get(keyId).orElseThrow().versions()).extracting(KeyVersion::hash).containsExactly(oldVersion);
        }
        assertThat(c.node(3).storage.get(keyId)).isEmpty();
        c.nodes().forEach(n -> assertThat(n.storage.pendingKeyIds()).isEmpty());
        // the same request again, without the fault, re-shares the key
        c.intercept(List::of);
        ServersSetChangeSession again = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(again.result().join()).isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1, 2, 3));
    }

    /** Registers the recovery path (pending-write resolution) on every node. */
    private static void withResolution(InMemoryCluster c) {
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.PENDING_RESOLUTION, PendingResolutionSession.factory(node, node.storage, node.sessions));
        }
    }

    /** One pass of the recovery path on a node, as its resolver runs it after a restart. */
    private static void resolve(InMemoryCluster c, int node) {
        InMemoryCluster.Node n = c.node(node);
        new PendingResolver(n.sessions, n, n.storage, c.clock, RNG, Duration.ofSeconds(10)).tick();
        c.deliverAll();
    }

    @Test
    void sec26_issue12_masterLostAfterDecidingLeavesTheOldVersionServingUntilResolved() { // SEC-25, SEC-26
        InMemoryCluster c = cluster(4, false);
        withResolution(c);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        // the master's Commit reaches only itself (it comes back through its queue): the others never hear it
        c.intercept(d -> d.envelope().body() instanceof ServersSetChangeMessage.Commit && !d.to().equals(d.from()) ? List.of() : List.of(d));
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(s.isFinished()).isFalse();
        assertThat(c.node(0).storage.get(keyId).orElseThrow().versions()).as("the master's commit is the decision").hasSize(2);
        c.disconnect(c.node(0).id);
        c.deliverAll();
        for (int i = 1; i < 3; i++) {
            KeyShare share = c.node(i).storage.get(keyId).orElseThrow();
            assertThat(share.versions()).as("the old version alone is visible and serves").hasSize(1);
            assertThat(share.latestVersion().idNumbers()).hasSize(3);
        }
        assertThat(c.node(3).storage.get(keyId)).isEmpty();
        for (int i = 1; i < 4; i++) {
            assertThat(c.node(i).storage.pendingKeyIds()).as("kept for the recovery path").containsExactly(keyId);
        }
        c.reconnect(c.node(0).id);
        c.intercept(List::of);
        for (int i = 1; i < 4; i++) resolve(c, i); // committed anywhere -> commit
        for (int i = 0; i < 4; i++) {
            assertThat(c.node(i).storage.pendingKeyIds()).isEmpty();
            assertThat(c.node(i).storage.get(keyId).orElseThrow().latestVersion().idNumbers()).hasSize(4);
        }
        ServersSetChangeSession again = start(c, 0, List.of(0, 1, 2, 3), admin, false); // only cleans up now
        c.deliverAll();
        assertThat(again.result().join()).isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1, 2, 3));
    }

    @Test
    void sec26_issue12_masterLostBeforeDecidingKeepsTheOldVersionAndResolutionDiscards() { // SEC-25, SEC-26
        InMemoryCluster c = cluster(4, false);
        withResolution(c);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        NodeId late = c.node(2).id;
        c.intercept(d -> d.from().equals(late) && d.envelope().body() instanceof ServersSetChangeMessage.Prepared ? List.of() : List.of(d));
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(s.isFinished()).isFalse();
        assertThat(c.node(1).storage.pendingKeyIds()).contains(keyId);
        c.disconnect(c.node(0).id);
        c.deliverAll();
        assertThat(c.node(0).storage.pendingKeyIds()).as("the master aborted its own rows").isEmpty();
        c.reconnect(c.node(0).id);
        c.intercept(List::of);
        for (int i = 1; i < 4; i++) resolve(c, i); // committed nowhere, nobody deciding -> discard
        for (int i = 0; i < 4; i++) assertThat(c.node(i).storage.pendingKeyIds()).isEmpty();
        for (int i = 0; i < 3; i++) {
            assertThat(c.node(i).storage.get(keyId).orElseThrow().versions()).hasSize(1);
        }
        assertThat(c.node(3).storage.get(keyId)).isEmpty();
    }

    /** A staying member of {0,1,2,3} restarts after a crash mid-change (kill -9: sessions gone, storage kept). */
    private ClusterSessions crashAndRestart(InMemoryCluster c, int index) {
        InMemoryCluster.Node node = c.node(index);
        ClusterSessions restarted = c.crash(node.id);
        restarted.registerFactory(SessionType.SERVERS_SET_CHANGE, ServersSetChangeSession.factory(node, node.storage,
                new AdminPolicy(Optional.of(admin.publicKey()), false), RNG, restarted::hasActiveSessions));
        restarted.registerFactory(SessionType.PENDING_RESOLUTION, PendingResolutionSession.factory(node, node.storage, restarted));
        return restarted;
    }

    @Test
    void issue12_defect1_aStayingMemberCrashedAfterPreparingThenTheSameRequestCompletesTheChange() { // SEC-25, SEC-26
        InMemoryCluster c = cluster(4, false);
        withResolution(c);
        H256 a = seed(c, List.of(0, 1, 2, 3), 1, true);
        H256 b = seed(c, List.of(0, 1, 2, 3), 2, false);
        NodeId crashing = c.node(1).id;
        c.intercept(d -> d.from().equals(crashing) && d.envelope().body() instanceof ServersSetChangeMessage.Prepared
                ? List.of() : List.of(d)); // it prepared, then died before its report left
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(c.node(1).storage.pendingKeyIds()).containsExactlyInAnyOrder(a, b);
        crashAndRestart(c, 1);
        c.deliverAll();
        assertThat(failure(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        c.intercept(List::of);
        c.reconnect(crashing);
        resolve(c, 1); // on restart: committed nowhere -> discard
        assertThat(c.node(1).storage.pendingKeyIds()).isEmpty();
        ServersSetChangeSession again = start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(again.result().join()).isNull();
        assertConsistentSharing(c, a, List.of(0, 1, 2));
        assertConsistentSharing(c, b, List.of(0, 1, 2));
        assertThat(c.node(3).storage.get(a)).isEmpty();
        c.nodes().forEach(n -> assertThat(n.storage.pendingKeyIds()).isEmpty());
    }

    @Test
    void issue12_defect1_aStayingMemberCrashedBeforeItsCommitThenTheSameRequestCompletesTheChange() { // SEC-25, SEC-26
        InMemoryCluster c = cluster(4, false);
        withResolution(c);
        H256 a = seed(c, List.of(0, 1, 2, 3), 1, true);
        NodeId crashing = c.node(1).id;
        c.intercept(d -> d.to().equals(crashing) && d.envelope().body() instanceof ServersSetChangeMessage.Commit
                ? List.of() : List.of(d)); // the master decided; the member died before the Commit arrived
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(s.isFinished()).as("the answer waits for every acknowledgement").isFalse();
        crashAndRestart(c, 1);
        c.deliverAll();
        assertThat(failure(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        c.intercept(List::of);
        c.reconnect(crashing);
        resolve(c, 1); // on restart: committed anywhere -> commit
        assertThat(c.node(1).storage.pendingKeyIds()).isEmpty();
        ServersSetChangeSession again = start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(again.result().join()).isNull();
        assertConsistentSharing(c, a, List.of(0, 1, 2));
        assertThat(c.node(3).storage.get(a)).isEmpty();
    }

    @Test
    void exclusive_otherSessionsAreRefusedWhileItRuns() {
        InMemoryCluster c = cluster(3, false);
        seed(c, List.of(0, 1, 2), 1, false);
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2), admin, false);
        assertThat(s.isFinished()).isFalse();
        try {
            start(c, 0, List.of(0, 1), admin, false);
            throw new AssertionError("second exclusive session started");
        } catch (SecretStoreException e) {
            assertThat(e.kind()).isEqualTo(Kind.EXCLUSIVE_SESSION_ACTIVE);
        }
        c.deliverAll();
        assertThat(s.result().join()).isNull();
    }

    @Test
    void exclusive_aMemberWithActiveSessionsRefuses() {
        InMemoryCluster c = cluster(3, false);
        seed(c, List.of(0, 1, 2), 1, false);
        // node 1 starts its own change first; node 0's change then meets an active session there
        ServersSetChangeSession first = start(c, 1, List.of(0, 1, 2), admin, false);
        ServersSetChangeSession second = start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(first.isFinished() && second.isFinished()).isTrue();
        assertThat(List.of(first, second)).anySatisfy(x -> assertThat(x.result()).isCompletedExceptionally());
        Kind k = first.result().isCompletedExceptionally() ? failure(first) : failure(second);
        assertThat(k).isIn(Kind.HAS_ACTIVE_SESSIONS, Kind.EXCLUSIVE_SESSION_ACTIVE);
    }

    @Test
    void sec20_tenThousandKeysInPagesAndBatches() {
        InMemoryCluster c = cluster(3, false);
        List<H256> keys = IntStream.range(0, 10_000).mapToObj(i -> seed(c, List.of(0, 1), 0, false)).toList();
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(s.result().join()).isNull();
        for (H256 k : List.of(keys.get(0), keys.get(4_999), keys.get(9_999))) {
            assertConsistentSharing(c, k, List.of(0, 1, 2));
        }
        assertThat(c.node(2).storage.keyIds()).hasSize(10_000);
    }

    @Test
    void subsharesArrivingBeforeThePlanAreKept() {
        InMemoryCluster c = cluster(4, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, true);
        NodeId late = c.node(3).id;
        List<InMemoryCluster.Delivery> held = new ArrayList<>();
        c.intercept(d -> {
            if (d.to().equals(late) && d.envelope().body() instanceof ServersSetChangeMessage.Plan) {
                held.add(d);
                return List.of();
            }
            return List.of(d);
        });
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(held).hasSize(1);
        assertThat(s.isFinished()).isFalse();
        c.intercept(List::of);
        held.forEach(c::inject);
        c.deliverAll();
        assertThat(s.result().join()).isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1, 2, 3));
    }

    /**
     * Issue #12, storage port: inventories and cleanup never unseal a share, and each dealer unseals exactly the one
     * share of each key it deals (one read per member per key). Every storage refuses {@code get} (all shares of a
     * key) during the change, as a store would that can only hand out the share a computation needs.
     */
    @Test
    void issue12_inventoryAndCleanupNeverUnsealAndEachDealerReadsOneShareOfEachKeyItDeals() {
        InMemoryCluster c = cluster(new InMemoryCluster(5, CountingKeyStorage::new), false);
        H256 moved = seed(c, List.of(0, 1, 2), 1, true); // node 0 leaves, 3 and 4 join
        H256 grown = seed(c, List.of(1, 2, 3), 2, false); // node 4 joins
        // only an old version to remove: its newest version is already on exactly the new set
        List<NodeId> newHolders = IntStream.of(1, 2, 3, 4).mapToObj(i -> c.node(i).id).toList();
        H256 cleanOnly = randomId();
        TestKeys.Sharing sharing = TestKeys.seed(c, cleanOnly, AUTHOR, 1, TestKeys.randomIds(newHolders, RNG), Optional.empty(), RNG);
        H256 newest = TestKeys.addVersion(c, cleanOnly, newHolders, 1, sharing.secret(), Set.of(0, 1, 2, 3), RNG);

        java.util.Map<Integer, ServersSetChangeMessage.Plan> plans = new java.util.HashMap<>();
        c.intercept(d -> {
            if (d.envelope().body() instanceof ServersSetChangeMessage.Plan p) plans.putIfAbsent(p.batch(), p);
            return List.of(d);
        });
        c.nodes().forEach(n -> counting(n).refuseGet(true));
        ServersSetChangeSession s = start(c, 1, List.of(1, 2, 3, 4), admin, false);
        c.deliverAll();
        c.nodes().forEach(n -> counting(n).refuseGet(false));
        java.util.Map<NodeId, List<H256>> dealt = new java.util.HashMap<>();
        plans.values().forEach(p -> p.keys().forEach(kp ->
                kp.dealers().forEach(n -> dealt.computeIfAbsent(n, x -> new ArrayList<>()).add(kp.keyId()))));

        assertThat(s.result().join()).isNull();
        assertThat(dealt.values().stream().flatMap(List::stream)).as("the plan re-shares exactly the keys whose holders change")
                .containsOnly(moved, grown);
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(counting(n).gets()).as("every share of a key unsealed on " + n.id.shortId()).isZero();
            assertThat(counting(n).reads()).as("shares unsealed on " + n.id.shortId())
                    .containsExactlyInAnyOrderElementsOf(dealt.getOrDefault(n.id, List.of()));
        }
        assertConsistentSharing(c, moved, List.of(1, 2, 3, 4));
        assertConsistentSharing(c, grown, List.of(1, 2, 3, 4));
        for (int i = 1; i <= 4; i++) {
            assertThat(c.node(i).storage.metadata(cleanOnly).orElseThrow().versions()).extracting(v -> v.id()).containsExactly(newest);
        }
        assertThat(c.node(0).storage.contains(moved)).isFalse();
    }

    private static CountingKeyStorage counting(InMemoryCluster.Node n) {
        return (CountingKeyStorage) n.storage;
    }

    // ------------------------------------------------------------------ issue #17 defect 1: keys whose version came from a refresh

    /** Refreshes {@code keyId} through node {@code master} (SEC-40) and returns the new version, whose id is derived with a nonce. */
    private static H256 refresh(InMemoryCluster c, int master, H256 keyId) {
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.KEY_REFRESH, KeyRefreshSession.factory(node, node.sessions, node.storage, RNG));
        }
        InMemoryCluster.Node m = c.node(master);
        SessionKey key = new SessionKey(SessionType.KEY_REFRESH, randomId(), m.id);
        KeyRefreshSession s = m.sessions.startMaster(key, outbox -> KeyRefreshSession.startMaster(key, m, outbox, m.storage, keyId,
                Set.of(), m.sessions::isWriting, RNG));
        c.deliverAll();
        H256 version = s.result().join().newVersion();
        assertThat(m.storage.metadata(keyId).orElseThrow().latestVersion().nonce()).as("a refreshed version's id has a nonce").isPresent();
        return version;
    }

    /**
     * Issue #17 defect 1: after a share refresh (its version id derived with a nonce) a set change removing a member
     * moved no key ("old id numbers do not hash to the planned version" on every new holder, on every repeat). It
     * moves the key now, and so does every later step of a chain of set changes and refreshes (SEC-15, SEC-26, SEC-40).
     */
    @Test
    void issue17_defect1_aRefreshedKeyMovesAndKeepsMovingThroughChainsOfChangesAndRefreshes() {
        InMemoryCluster c = cluster(3, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, true);
        KeyShare before = c.node(0).storage.get(keyId).orElseThrow();
        refresh(c, 0, keyId);
        ServersSetChangeSession removal = start(c, 0, List.of(0, 1), admin, false);
        c.deliverAll();
        assertThat(removal.result().join()).as("removing a member after a refresh").isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1));
        assertThat(c.node(2).storage.get(keyId)).isEmpty();

        ServersSetChangeSession back = start(c, 1, List.of(0, 1, 2), admin, false);
        c.deliverAll();
        assertThat(back.result().join()).as("adding it back after the change").isNull();
        assertConsistentSharing(c, keyId, List.of(0, 1, 2));
        refresh(c, 2, keyId);
        refresh(c, 1, keyId);
        ServersSetChangeSession again = start(c, 2, List.of(1, 2), admin, false);
        c.deliverAll();
        assertThat(again.result().join()).as("a change after two refreshes in a row").isNull();
        assertConsistentSharing(c, keyId, List.of(1, 2));
        KeyShare after = c.node(1).storage.get(keyId).orElseThrow();
        assertThat(after.publicKey()).isEqualTo(before.publicKey());
        assertThat(after.documentKey()).isEqualTo(before.documentKey());
        c.nodes().forEach(n -> assertThat(n.storage.pendingKeyIds()).isEmpty());
    }

    /**
     * Issue #17 defect 1, the check the fix keeps: a new holder derives the old version's id from the id numbers and the
     * nonce the dealers send and takes nothing unless it is the planned version, so a dealer sending another nonce (or
     * none) is named, nothing moves, and the refreshed version keeps serving (SEC-15, SEC-26).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"another nonce", "no nonce"})
    void issue17_defect1_aDealerSendingAnotherNonceIsNamedAndTheRefreshedVersionStays_SEC15(String lie) {
        InMemoryCluster c = cluster(4, false);
        H256 keyId = seed(c, List.of(0, 1, 2), 1, false);
        H256 refreshed = refresh(c, 0, keyId);
        NodeId added = c.node(3).id;
        List<NodeId> liar = new ArrayList<>();
        c.intercept(d -> {
            if (d.envelope().body() instanceof Subshares s && d.to().equals(added) && !s.items().isEmpty()
                    && (liar.isEmpty() || liar.contains(d.from()))) {
                if (liar.isEmpty()) liar.add(d.from());
                List<H256> nonce = lie.equals("no nonce") ? List.of() : List.of(randomId());
                List<Subshare> forged = new ArrayList<>();
                for (Subshare i : s.items()) {
                    forged.add(new Subshare(i.keyId(), i.feldman(), i.value(), i.author(), i.publicKey(), i.documentKey(),
                            i.oldCommitments(), i.oldIdNumbers(), nonce));
                }
                Envelope e = d.envelope();
                return List.of(new InMemoryCluster.Delivery(d.from(), d.to(),
                        new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), new Subshares(s.batch(), forged))));
            }
            return List.of(d);
        });
        ServersSetChangeSession s = start(c, 0, List.of(0, 1, 2, 3), admin, false);
        c.deliverAll();
        assertThat(liar).hasSize(1);
        assertThat(failure(s)).isEqualTo(Kind.INTERNAL);
        assertThat(s.blamed()).containsExactly(liar.get(0));
        for (int i = 0; i < 3; i++) {
            assertThat(c.node(i).storage.get(keyId).orElseThrow().versions()).extracting(KeyVersion::hash).containsExactly(refreshed);
        }
        assertThat(c.node(3).storage.get(keyId)).isEmpty();
        c.nodes().forEach(n -> assertThat(n.storage.pendingKeyIds()).isEmpty());
    }
}
