package dev.secretstore.protocol.session.resolution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.AbstractSession;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.Outbox;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.store.DocumentKeyStoreSession;
import dev.secretstore.protocol.session.store.StoreMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** SEC-25: prepared writes left undecided by a crash are resolved with the other members, never guessed. */
class PendingResolutionTest {
    private final SecureRandom rng = new SecureRandom();
    private final H256 keyId = H256.keccak(new byte[] {42});
    private final KeyPair author = KeyPair.random();

    private InMemoryCluster cluster(int n) {
        InMemoryCluster c = new InMemoryCluster(n);
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.PENDING_RESOLUTION, PendingResolutionSession.factory(node, node.storage, node.sessions));
        }
        return c;
    }

    /** A consistent sharing of a fresh 1-of key {@code id} to every node (SEC-11: each storage checks its share). */
    private TestKeys.Sharing share(InMemoryCluster c, H256 id) {
        return TestKeys.deal(id, author.address(), 1, ids(c, 1), Optional.empty(), rng);
    }

    private TestKeys.Sharing share(InMemoryCluster c) {
        return share(c, keyId);
    }

    /** Id numbers first, first+1, ... for the nodes in order. */
    private static Map<NodeId, Scalar> ids(InMemoryCluster c, int first) {
        Map<NodeId, Scalar> ids = new TreeMap<>();
        for (int i = 0; i < c.nodes().size(); i++) ids.put(c.node(i).id, Scalar.of(i + first));
        return ids;
    }

    /** A resolver as a freshly restarted node would create it. */
    private PendingResolver restarted(InMemoryCluster c, InMemoryCluster.Node node) {
        return new PendingResolver(node.sessions, node, node.storage, c.clock, rng, Duration.ofSeconds(10));
    }

    @Test
    void newKeyCommittedElsewhereIsCommittedHere() {
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        for (InMemoryCluster.Node n : c.nodes()) n.storage.prepareNewKey(s.of(n.id));
        c.node(0).storage.commit(keyId); // the master committed, node 1 too; node 2 crashed before hearing it
        c.node(1).storage.commit(keyId);
        PendingResolver resolver = restarted(c, c.node(2));
        resolver.tick();
        c.deliverAll();
        assertThat(c.node(2).storage.get(keyId)).isPresent();
        assertThat(c.node(2).storage.pendingKeyIds()).isEmpty();
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void newKeyCommittedNowhereIsDiscardedEverywhere() {
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        List<PendingResolver> resolvers = new ArrayList<>();
        for (InMemoryCluster.Node n : c.nodes()) {
            n.storage.prepareNewKey(s.of(n.id)); // the master crashed before committing: the request never succeeded
            resolvers.add(restarted(c, n));
        }
        for (PendingResolver r : resolvers) r.tick();
        c.deliverAll();
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(n.storage.get(keyId)).isEmpty();
            assertThat(n.storage.pendingKeyIds()).isEmpty();
        }
    }

    @Test
    void documentKeyCommittedElsewhereIsCommittedHereAndNowhereIsDiscarded() {
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        for (InMemoryCluster.Node n : c.nodes()) {
            n.storage.prepareNewKey(s.of(n.id));
            n.storage.commit(keyId);
        }
        DocumentKey dk = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());
        for (InMemoryCluster.Node n : c.nodes()) n.storage.prepareDocumentKey(keyId, dk);
        c.node(1).storage.commit(keyId);
        PendingResolver resolver = restarted(c, c.node(0));
        resolver.tick();
        c.deliverAll();
        assertThat(c.node(0).storage.get(keyId).orElseThrow().documentKey()).contains(dk);

        H256 other = H256.keccak(new byte[] {43});
        TestKeys.Sharing s2 = share(c, other);
        for (InMemoryCluster.Node n : c.nodes()) {
            n.storage.prepareNewKey(s2.of(n.id));
            n.storage.commit(other);
            n.storage.prepareDocumentKey(other, dk);
        }
        restarted(c, c.node(2)).tick();
        c.deliverAll();
        assertThat(c.node(2).storage.get(other).orElseThrow().documentKey()).isEmpty();
        assertThat(c.node(2).storage.pendingKeyIds()).doesNotContain(other);
    }

    @Test
    void anUnreachableMemberLeavesTheRowPending() {
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        for (InMemoryCluster.Node n : c.nodes()) n.storage.prepareNewKey(s.of(n.id));
        c.disconnect(c.node(1).id);
        PendingResolver resolver = restarted(c, c.node(2));
        resolver.tick();
        c.deliverAll();
        assertThat(c.node(2).storage.pendingKeyIds()).containsExactly(keyId); // not guessed
        c.reconnect(c.node(1).id);
        c.advance(Duration.ofSeconds(10));
        resolver.tick();
        c.deliverAll();
        assertThat(c.node(2).storage.pendingKeyIds()).isEmpty();
        assertThat(c.node(2).storage.get(keyId)).isEmpty();
    }

    /**
     * SEC-40: a member that missed the commit is not held up by another member being down: a commit found among the
     * connected members is taken at once (a discard still waits for every answer, above).
     */
    @Test
    void sec40_aCommitFoundAmongTheConnectedMembersIsTakenWhileAnotherIsDown() {
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        for (InMemoryCluster.Node n : c.nodes()) n.storage.prepareNewKey(s.of(n.id));
        c.node(0).storage.commit(keyId); // the master committed; node 1 then went down, node 2 missed the decision
        c.node(1).storage.commit(keyId);
        c.disconnect(c.node(1).id);
        PendingResolver resolver = restarted(c, c.node(2));
        resolver.tick();
        c.deliverAll();
        assertThat(c.node(2).storage.pendingKeyIds()).isEmpty();
        assertThat(c.node(2).storage.get(keyId)).isPresent();
    }

    @Test
    void aLiveSessionIsNeverSecondGuessedAndAnOrphanCommitsWhenTheMasterDoes() {
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        for (InMemoryCluster.Node n : c.nodes()) {
            n.storage.prepareNewKey(s.of(n.id));
            n.storage.commit(keyId);
            n.sessions.registerFactory(SessionType.DOCUMENT_KEY_STORE, DocumentKeyStoreSession.factory(n.id, n.storage, n.requesters()));
        }
        InMemoryCluster.Node master = c.node(0);
        InMemoryCluster.Node holder = c.node(1);
        List<InMemoryCluster.Delivery> held = new ArrayList<>();
        c.intercept(d -> {
            if (d.from().equals(c.node(2).id) && d.envelope().body() instanceof StoreMessage.Prepared) {
                held.add(d); // the master waits for this one
                return List.of();
            }
            return List.of(d);
        });
        DocumentKey dk = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());
        SessionKey storeKey = new SessionKey(SessionType.DOCUMENT_KEY_STORE, H256.keccak(new byte[] {7}), master.id);
        master.sessions.startMaster(storeKey, outbox ->
                DocumentKeyStoreSession.startMaster(storeKey, master, outbox, master.storage, master.requesters(), keyId,
                        TestRequesters.ofStatic(author, keyId), dk, dev.secretstore.protocol.Availability.DEFAULTS));
        c.deliverAll();
        assertThat(holder.storage.pendingKeyIds()).containsExactly(keyId);

        PendingResolver resolver = restarted(c, holder);
        resolver.tick(); // the holder's own session is live: nothing to resolve
        assertThat(c.pending()).isEmpty();

        holder.sessions.onNodeDisconnected(master.id); // the holder loses the master: its row is orphaned
        resolver.tick();
        c.deliverAll();
        // the master (and node 2) still run the store: they answer "undecided", so nothing is concluded
        assertThat(holder.storage.pendingKeyIds()).containsExactly(keyId);

        c.intercept(List::of);
        held.forEach(c::inject); // the master now gets every Prepared and commits; its Commit finds no session on the holder
        c.deliverAll();
        assertThat(master.storage.get(keyId).orElseThrow().documentKey()).contains(dk);
        assertThat(holder.storage.pendingKeyIds()).containsExactly(keyId);

        c.advance(Duration.ofSeconds(10));
        resolver.tick();
        c.deliverAll();
        assertThat(holder.storage.pendingKeyIds()).isEmpty();
        assertThat(holder.storage.get(keyId).orElseThrow().documentKey()).contains(dk);
    }

    @Test
    void singleMemberDiscardsWhatItNeverCommitted() {
        InMemoryCluster c = cluster(1);
        c.node(0).storage.prepareNewKey(share(c).of(c.node(0).id));
        restarted(c, c.node(0)).tick();
        c.deliverAll();
        assertThat(c.node(0).storage.pendingKeyIds()).isEmpty();
        assertThat(c.node(0).storage.get(keyId)).isEmpty();
    }

    /** A session that only occupies the manager, as a running servers set change does (exclusive). */
    private static final class ExclusiveStub extends AbstractSession<Void> {
        ExclusiveStub(SessionKey key, NodeId self, Outbox outbox) {
            super(key, self, Set.of(self), outbox);
        }

        @Override
        public void onMessage(NodeId from, SessionMessage message) {}

        @Override
        public void onNodeDisconnected(NodeId node) {}
    }

    @Test
    void issue12_defect4_aKeyRefusedAtTheSessionLimitIsResolvedAfterwards() { // SEC-25, SEC-28
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        for (InMemoryCluster.Node n : c.nodes()) n.storage.prepareNewKey(s.of(n.id));
        c.node(0).storage.commit(keyId);
        c.node(1).storage.commit(keyId);
        InMemoryCluster.Node node = c.node(2);
        for (int i = 0; node.sessions.activeSessions().size() < InMemoryCluster.MAX_SESSIONS; i++) {
            SessionKey busy = new SessionKey(SessionType.DECRYPTION, H256.keccak(new byte[] {9, (byte) i, (byte) (i >> 8)}), node.id);
            node.sessions.startMaster(busy, outbox -> new ExclusiveStub(busy, node.id, outbox));
        }
        PendingResolver resolver = restarted(c, node);
        resolver.tick(); // the session limit refuses the resolution session (startMaster throws)
        c.deliverAll();
        assertThat(node.storage.pendingKeyIds()).containsExactly(keyId);
        c.advance(InMemoryCluster.STALL); // the busy sessions end (stall) and the retry interval passes
        assertThat(node.sessions.activeSessions()).isEmpty();
        resolver.tick();
        c.deliverAll();
        assertThat(node.storage.pendingKeyIds()).as("the key was not lost by the resolver").isEmpty();
        assertThat(node.storage.get(keyId)).isPresent();
    }

    @Test
    void resolutionRunsBesideAnExclusiveSession_issue12_defect1() {
        // a servers set change repeated after a crash waits for exactly these rows: refusing their
        // resolution while the (exclusive) change runs let the client's retries starve it
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        for (InMemoryCluster.Node n : c.nodes()) n.storage.prepareNewKey(s.of(n.id));
        c.node(0).storage.commit(keyId);
        c.node(1).storage.commit(keyId);
        InMemoryCluster.Node node = c.node(2);
        SessionKey exclusive = new SessionKey(SessionType.SERVERS_SET_CHANGE, H256.keccak(new byte[] {9}), node.id);
        node.sessions.startMaster(exclusive, outbox -> new ExclusiveStub(exclusive, node.id, outbox));
        SessionKey other = new SessionKey(SessionType.SERVERS_SET_CHANGE, H256.keccak(new byte[] {10}), c.node(0).id);
        c.node(0).sessions.startMaster(other, outbox -> new ExclusiveStub(other, c.node(0).id, outbox));
        restarted(c, node).tick();
        c.deliverAll();
        assertThat(node.storage.pendingKeyIds()).isEmpty();
        assertThat(node.storage.get(keyId)).isPresent();
        assertThat(node.sessions.isActive(exclusive)).as("the exclusive session is untouched").isTrue();
    }

    /** Every node holds {@code s} committed and has prepared a second sharing of the same secret to holders 0..n-1. */
    private KeyVersion prepareSecondVersion(InMemoryCluster c, TestKeys.Sharing s) {
        Map<NodeId, KeyVersion> v2 = TestKeys.versions(s.secret(), 1, ids(c, 11), rng);
        for (InMemoryCluster.Node n : c.nodes()) {
            n.storage.prepareNewKey(s.of(n.id));
            n.storage.commit(keyId);
            n.storage.prepareVersion(keyId, v2.get(n.id));
        }
        return v2.get(c.node(0).id);
    }

    @Test
    void issue12_defect1_aSetChangeVersionCommittedElsewhereIsCommittedHere() { // SEC-25, SEC-26
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        KeyVersion v2 = prepareSecondVersion(c, s);
        c.node(0).storage.commit(keyId); // the master decided and committed; node 2 never heard it
        c.node(1).storage.commit(keyId);
        restarted(c, c.node(2)).tick();
        c.deliverAll();
        assertThat(c.node(2).storage.pendingKeyIds()).isEmpty();
        assertThat(c.node(2).storage.get(keyId).orElseThrow().versions()).extracting(KeyVersion::hash)
                .containsExactly(s.of(c.node(0).id).latestVersion().hash(), v2.hash());
    }

    @Test
    void issue12_defect1_aSetChangeVersionCommittedNowhereIsDiscarded() { // SEC-25, SEC-26
        InMemoryCluster c = cluster(3);
        TestKeys.Sharing s = share(c);
        DocumentKey dk = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());
        for (InMemoryCluster.Node n : c.nodes()) {
            n.storage.prepareNewKey(s.of(n.id).withDocumentKey(dk));
            n.storage.commit(keyId);
        }
        c.node(2).storage.prepareVersion(keyId, TestKeys.versions(s.secret(), 1, ids(c, 11), rng).get(c.node(2).id));
        restarted(c, c.node(2)).tick();
        c.deliverAll();
        assertThat(c.node(2).storage.pendingKeyIds()).isEmpty();
        assertThat(c.node(2).storage.get(keyId).orElseThrow().versions()).hasSize(1);
    }
}
