package dev.secretstore.protocol.session.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.InMemoryKeyStorage;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.crypto.auth.Operation;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Document key store (endpoint 2): two-phase commit everywhere or nowhere (SEC-25), replay and sender rules (SEC-18). */
class DocumentKeyStoreSessionTest {
    private static final SecureRandom RNG = new SecureRandom();
    private final KeyPair author = KeyPair.random();
    private final H256 keyId = randomId();
    private final DocumentKey documentKey = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    private InMemoryCluster cluster(int n, int t) {
        InMemoryCluster c = new InMemoryCluster(n);
        Map<NodeId, Scalar> ids = new TreeMap<>();
        for (int i = 0; i < n; i++) ids.put(c.node(i).id, Scalar.of(i + 1));
        TestKeys.seed(c, keyId, author.address(), t, ids, Optional.empty(), RNG);
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.DOCUMENT_KEY_STORE, DocumentKeyStoreSession.factory(node.id, node.storage, node.requesters()));
        }
        return c;
    }

    private DocumentKeyStoreSession start(InMemoryCluster c, int masterIndex, KeyPair requester) {
        return start(c, masterIndex, requester, Availability.DEFAULTS);
    }

    private DocumentKeyStoreSession start(InMemoryCluster c, int masterIndex, KeyPair requester, Availability availability) {
        InMemoryCluster.Node master = c.node(masterIndex);
        SessionKey key = new SessionKey(SessionType.DOCUMENT_KEY_STORE, randomId(), master.id);
        return master.sessions.startMaster(key, outbox ->
                DocumentKeyStoreSession.startMaster(key, master, outbox, master.storage, master.requesters(), keyId,
                        TestRequesters.ofStatic(requester, keyId), documentKey, availability));
    }

    private static Kind failureKind(DocumentKeyStoreSession s) {
        assertThat(s.isFinished()).isTrue();
        try {
            s.result().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("session succeeded");
    }

    private static void assertStoredEverywhere(InMemoryCluster c, DocumentKey expected) {
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(n.storage.get(n.storage.keyIds().iterator().next()).orElseThrow().documentKey()).as(n.id.shortId()).contains(expected);
            assertThat(n.storage.pendingKeyIds()).isEmpty();
        }
    }

    private void assertStoredNowhere(InMemoryCluster c) {
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(n.storage.get(keyId).orElseThrow().documentKey()).as(n.id.shortId()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{1}-of-{0}")
    @CsvSource({"1,0", "3,1", "5,2", "7,3"})
    void storesOnEveryHolder(int n, int t) {
        InMemoryCluster c = cluster(n, t);
        DocumentKeyStoreSession s = start(c, n - 1, author);
        c.deliverAll();
        assertThat(s.result()).isCompleted();
        s.result().join();
        assertStoredEverywhere(c, documentKey);
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void unknownKeyIsNotFoundAndSendsNothing() {
        InMemoryCluster c = cluster(3, 1);
        InMemoryCluster.Node master = c.node(0);
        SessionKey key = new SessionKey(SessionType.DOCUMENT_KEY_STORE, randomId(), master.id);
        DocumentKeyStoreSession s = master.sessions.startMaster(key, outbox ->
                DocumentKeyStoreSession.startMaster(key, master, outbox, master.storage, master.requesters(), randomId(),
                        TestRequesters.ofStatic(author, keyId), documentKey, Availability.DEFAULTS));
        assertThat(failureKind(s)).isEqualTo(Kind.SERVER_KEY_IS_NOT_FOUND);
        assertThat(c.pending()).isEmpty();
    }

    @Test
    void secondStoreIsAlreadyStored() {
        InMemoryCluster c = cluster(3, 1);
        start(c, 0, author);
        c.deliverAll();
        DocumentKeyStoreSession again = start(c, 1, author);
        assertThat(failureKind(again)).isEqualTo(Kind.DOCUMENT_KEY_ALREADY_STORED);
    }

    @Test
    void onlyTheAuthorMayStore() {
        InMemoryCluster c = cluster(3, 1);
        DocumentKeyStoreSession s = start(c, 0, KeyPair.random());
        assertThat(failureKind(s)).isEqualTo(Kind.ACCESS_DENIED);
        c.deliverAll();
        assertStoredNowhere(c);
    }

    /** SEC-40: a store succeeds with the holders that are up, as long as max(t+1, generation_min_members) are. */
    @ParameterizedTest(name = "{1}-of-{0}, {2} down")
    @CsvSource({"3,1,1", "5,2,2", "5,2,1"})
    void sec40_storesWithTheHoldersThatAreUp(int n, int t, int down) {
        InMemoryCluster c = cluster(n, t);
        for (int i = 1; i <= down; i++) c.disconnect(c.node(n - i).id);
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverAll();
        s.result().join();
        for (int i = 0; i < n; i++) {
            InMemoryCluster.Node node = c.node(i);
            if (i < n - down) {
                assertThat(node.storage.get(keyId).orElseThrow().documentKey()).as(node.id.shortId()).contains(documentKey);
            } else {
                assertThat(node.storage.get(keyId).orElseThrow().documentKey()).as("absent " + node.id.shortId()).isEmpty();
            }
            assertThat(node.storage.pendingKeyIds()).isEmpty();
        }
    }

    @Test
    void sec40_belowTheFloorIsDisconnectedBeforeAnythingIsPrepared() {
        InMemoryCluster c = cluster(3, 1);
        c.disconnect(c.node(1).id);
        c.disconnect(c.node(2).id);
        assertThat(failureKind(start(c, 0, author))).isEqualTo(Kind.NODE_DISCONNECTED);
        c.reconnect(c.node(1).id);
        // generation_min_members = 3 raises the floor above t+1 = 2
        assertThat(failureKind(start(c, 0, author, Availability.DEFAULTS.withGenerationFloor(3))))
                .isEqualTo(Kind.NODE_DISCONNECTED);
        c.deliverAll();
        for (InMemoryCluster.Node n : c.nodes()) assertThat(n.storage.pendingKeyIds()).isEmpty();
        assertStoredNowhere(c);
    }

    @Test
    void sec40_aHolderLostAfterInitIsLeftOutAndItsPreparedRowWaitsForResolution() { // SEC-25
        InMemoryCluster c = cluster(3, 1);
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverOne(); // Init to the first holder
        c.deliverOne(); // Init to the second holder
        c.disconnect(c.node(2).id);
        c.deliverAll();
        s.result().join();
        assertThat(c.node(0).storage.get(keyId).orElseThrow().documentKey()).contains(documentKey);
        assertThat(c.node(1).storage.get(keyId).orElseThrow().documentKey()).contains(documentKey);
        // The cut-off holder prepared and never heard the decision: its row stays invisible until resolved.
        assertThat(c.node(2).storage.get(keyId).orElseThrow().documentKey()).isEmpty();
        assertThat(c.node(2).storage.pendingKeyIds()).containsExactly(keyId);
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void holderLostAfterInitAbortsEverywhereWhenTheFloorIsNoLongerMet() { // SEC-25
        InMemoryCluster c = cluster(3, 1);
        DocumentKeyStoreSession s = start(c, 0, author, Availability.DEFAULTS.withGenerationFloor(3));
        c.deliverOne();
        c.deliverOne();
        c.disconnect(c.node(2).id);
        c.deliverAll();
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        assertStoredNowhere(c);
        assertThat(c.node(0).storage.pendingKeyIds()).isEmpty();
        assertThat(c.node(1).storage.pendingKeyIds()).isEmpty();
        assertThat(c.allIdle()).isTrue();
    }

    /** SEC-40: a holder that missed the generation answers that it lacks the key; the store goes on without it. */
    @Test
    void sec40_aHolderWithoutTheKeyIsLeftOut() {
        InMemoryCluster c = cluster(3, 1);
        c.node(2).storage.removeKey(keyId);
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverAll();
        s.result().join();
        assertThat(c.node(1).storage.get(keyId).orElseThrow().documentKey()).contains(documentKey);
        assertThat(c.node(2).storage.metadata(keyId)).isEmpty();
        for (InMemoryCluster.Node n : c.nodes()) assertThat(n.storage.pendingKeyIds()).isEmpty();
    }

    @Test
    void holderRefusalAbortsEverywhere() {
        InMemoryCluster c = cluster(3, 1);
        DocumentKey other = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());
        c.node(2).storage.prepareDocumentKey(keyId, other); // an inconsistent holder
        c.node(2).storage.commit(keyId);
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverAll();
        assertThat(failureKind(s)).isEqualTo(Kind.DOCUMENT_KEY_ALREADY_STORED);
        assertThat(c.node(0).storage.get(keyId).orElseThrow().documentKey()).isEmpty();
        assertThat(c.node(1).storage.get(keyId).orElseThrow().documentKey()).isEmpty();
        assertThat(c.node(1).storage.pendingKeyIds()).isEmpty();
        assertThat(c.node(2).storage.get(keyId).orElseThrow().documentKey()).contains(other);
    }

    @Test
    void duplicatedMessagesCommitOnce() { // SEC-18
        InMemoryCluster c = cluster(5, 2);
        c.intercept(d -> List.of(d, d, d));
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverAll();
        s.result().join();
        assertStoredEverywhere(c, documentKey);
    }

    @Test
    void reorderedMessagesStillCommit() {
        InMemoryCluster c = cluster(5, 2);
        DocumentKeyStoreSession s = start(c, 4, author);
        // deliver the Init messages in reverse order
        List<InMemoryCluster.Delivery> inits = c.pending();
        c.intercept(d -> List.of());
        c.deliverAll();
        c.intercept(List::of);
        for (int i = inits.size() - 1; i >= 0; i--) c.inject(inits.get(i));
        c.deliverAll();
        s.result().join();
        assertStoredEverywhere(c, documentKey);
    }

    @Test
    void stalledSessionTimesOutAndDiscards() { // SEC-19
        InMemoryCluster c = cluster(3, 1);
        c.intercept(d -> d.envelope().body() instanceof StoreMessage.Prepared ? List.of() : List.of(d));
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverAll();
        c.advance(InMemoryCluster.STALL.minusSeconds(1));
        assertThat(s.isFinished()).isFalse();
        c.advance(Duration.ofSeconds(1));
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        c.intercept(List::of);
        c.deliverAll(); // the Abort reaches the holders, whose own timers run twice as long
        assertStoredNowhere(c);
        for (InMemoryCluster.Node n : c.nodes()) assertThat(n.storage.pendingKeyIds()).isEmpty();
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void clockGoingBackwardsNeverUnderflows() { // SEC-19
        InMemoryCluster c = cluster(3, 1);
        c.intercept(d -> List.of());
        DocumentKeyStoreSession s = start(c, 0, author);
        c.clock.set(c.clock.nanoTime() - Duration.ofHours(1).toNanos());
        c.advance(Duration.ZERO);
        assertThat(s.isFinished()).isFalse();
        c.advance(InMemoryCluster.STALL.plusHours(1));
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
    }

    @Test
    void messagesFromNonParticipantsAndForgedSendersAreDropped() { // SEC-18
        InMemoryCluster c = cluster(3, 1);
        DocumentKeyStoreSession s = start(c, 0, author);
        InMemoryCluster.Delivery init = c.pending().get(0);
        c.deliverAll();
        s.result().join();
        // a replayed Init after completion starts nothing
        c.inject(init);
        c.deliverAll();
        assertThat(c.allIdle()).isTrue();
        // an envelope whose claimed sender is not the authenticated peer is dropped
        InMemoryCluster.Delivery forged = new InMemoryCluster.Delivery(c.node(1).id, c.node(2).id,
                new dev.secretstore.protocol.session.Envelope(SessionType.DOCUMENT_KEY_STORE, randomId(), c.node(0).id, c.node(0).id,
                        new StoreMessage.Init(keyId, TestRequesters.ofStatic(author, keyId).credential(), Operation.STORE_DOCUMENT_KEY,
                                documentKey.commonPoint(), documentKey.encryptedPoint())));
        c.inject(forged);
        c.deliverAll();
        assertThat(c.allIdle()).isTrue();
        assertThat(c.node(2).storage.pendingKeyIds()).isEmpty();
    }

    // ------------------------------------------------------------------ issue #12: the two-phase commit's rules

    @Test
    void issue12_defect2_theMasterAnswersOnlyAfterEveryHolderCommitted() { // SEC-25, read-your-writes
        InMemoryCluster c = cluster(3, 1);
        NodeId slow = c.node(2).id;
        List<InMemoryCluster.Delivery> held = new java.util.ArrayList<>();
        c.intercept(d -> {
            if (d.to().equals(slow) && d.envelope().body() instanceof StoreMessage.Commit) {
                held.add(d);
                return List.of();
            }
            return List.of(d);
        });
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverAll();
        assertThat(held).hasSize(1);
        assertThat(c.node(2).storage.get(keyId).orElseThrow().documentKey()).isEmpty();
        assertThat(s.result()).isNotDone(); // a retrieval through node 2 would find no document key yet
        c.intercept(List::of);
        held.forEach(c::inject);
        c.deliverAll();
        assertThat(s.result()).isCompleted();
        assertStoredEverywhere(c, documentKey);
        assertThat(c.allIdle()).isTrue();
    }

    @ParameterizedTest(name = "holder {0} cannot write")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void issue12_defect3_aHoldersDiskErrorAbortsEverywhereAtOnceAndARetrySucceeds(int failing) { // SEC-25
        InMemoryCluster c = cluster(3, 1);
        InMemoryKeyStorage disk = (InMemoryKeyStorage) c.node(failing).storage;
        disk.failPrepares(true);
        DocumentKeyStoreSession s = start(c, 0, author);
        c.deliverAll(); // no clock advance
        assertThat(failureKind(s)).isEqualTo(Kind.DATABASE);
        assertThat(c.allIdle()).isTrue();
        assertStoredNowhere(c);
        for (InMemoryCluster.Node n : c.nodes()) assertThat(n.storage.pendingKeyIds()).as(n.id.shortId()).isEmpty();
        disk.failPrepares(false);
        DocumentKeyStoreSession retry = start(c, 0, author);
        c.deliverAll();
        assertThat(retry.result()).isCompleted();
        assertStoredEverywhere(c, documentKey);
    }
}
