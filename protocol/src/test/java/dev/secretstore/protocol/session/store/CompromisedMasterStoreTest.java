package dev.secretstore.protocol.session.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.MemberOutcomes;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * SEC-31: a modified master (node 0) stores a document key of its choosing on a key whose author never asked for it.
 * Its own session runs with the author's genuine credential for another (C, E); the holders receive a credential
 * that does not authorize this store. Every holder derives the requester itself, refuses and blames node 0; no
 * holder commits the document key.
 */
class CompromisedMasterStoreTest {
    private static final SecureRandom RNG = new SecureRandom();
    private final KeyPair author = KeyPair.random();
    private final H256 keyId = H256.keccak(new byte[] {3, 1});

    private InMemoryCluster cluster() {
        InMemoryCluster c = new InMemoryCluster(3);
        Map<NodeId, Scalar> ids = new TreeMap<>();
        for (int i = 0; i < 3; i++) ids.put(c.node(i).id, Scalar.of(i + 1));
        TestKeys.seed(c, keyId, author.address(), 1, ids, Optional.empty(), RNG);
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.DOCUMENT_KEY_STORE, DocumentKeyStoreSession.factory(node.id, node.storage, node.requesters()));
        }
        return c;
    }

    private static DocumentKey randomKey() {
        return new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());
    }

    private DocumentKeyStoreSession start(InMemoryCluster c, Requester who, DocumentKey dk) {
        InMemoryCluster.Node master = c.node(0);
        SessionKey key = new SessionKey(SessionType.DOCUMENT_KEY_STORE, H256.keccak(new byte[] {9}), master.id);
        return master.sessions.startMaster(key, outbox -> DocumentKeyStoreSession.startMaster(key, master, outbox, master.storage,
                master.requesters(), keyId, who, Operation.STORE_DOCUMENT_KEY, dk, Availability.DEFAULTS, master.storage.metadata(keyId)));
    }

    /** The holders receive {@code forged} (and {@code operation}) instead of what the master's own session runs with. */
    private static void forgeInit(InMemoryCluster c, Credential forged, Operation operation) {
        NodeId master = c.node(0).id;
        c.intercept(d -> {
            if (d.from().equals(master) && d.envelope().body() instanceof StoreMessage.Init init) {
                Envelope e = d.envelope();
                StoreMessage.Init f = new StoreMessage.Init(init.keyId(), forged, operation, init.commonPoint(), init.encryptedPoint());
                return List.of(new InMemoryCluster.Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), f)));
            }
            return List.of(d);
        });
    }

    private static Kind failureKind(DocumentKeyStoreSession s) {
        try {
            s.result().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("the store succeeded");
    }

    private void assertNothingStoredAndMasterBlamed(InMemoryCluster c, MemberOutcomes outcomes, DocumentKeyStoreSession s) {
        c.deliverAll();
        assertThat(s.isFinished()).isTrue();
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED); // every holder refused: fewer than the floor remain
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(n.storage.metadata(keyId).orElseThrow().documentKey()).as(n.id.shortId()).isEmpty();
        }
        for (int i = 1; i < 3; i++) {
            assertThat(outcomes.culprits(c.node(i).id, SessionType.DOCUMENT_KEY_STORE)).as("holder %d blames the master", i)
                    .extracting(Culprit::node, Culprit::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(c.node(0).id, Culprit.Reason.UNAUTHORIZED_REQUEST));
        }
    }

    @Test
    void theAuthorsAuthorizationOfAnotherDocumentKeyStoresNothing_SEC31() {
        InMemoryCluster c = cluster();
        DocumentKey wanted = randomKey();
        DocumentKey authorized = randomKey();
        Credential other = TestRequesters.fresh(author, c, Operation.STORE_DOCUMENT_KEY, keyId,
                Operation.storeParams(authorized.commonPoint(), authorized.encryptedPoint())).credential();
        forgeInit(c, other, Operation.STORE_DOCUMENT_KEY);
        MemberOutcomes outcomes = MemberOutcomes.watch(c);
        assertNothingStoredAndMasterBlamed(c, outcomes, start(c, TestRequesters.ofStatic(author, keyId), wanted));
    }

    @Test
    void anAuthorizationOfEndpoint3ForAnotherThresholdStoresNothing_SEC31() {
        InMemoryCluster c = cluster();
        Credential generation = TestRequesters.fresh(author, c, Operation.GENERATE_DOCUMENT_KEY, keyId, Operation.thresholdParams(2))
                .credential();
        forgeInit(c, generation, Operation.GENERATE_DOCUMENT_KEY);
        MemberOutcomes outcomes = MemberOutcomes.watch(c);
        assertNothingStoredAndMasterBlamed(c, outcomes, start(c, TestRequesters.ofStatic(author, keyId), randomKey()));
    }

    @Test
    void aStrangersSignatureIsNotTheAuthors_SEC31() {
        // The master cannot name the author: a stranger's own signature is refused as not the author's (403), as for a client.
        InMemoryCluster c = cluster();
        forgeInit(c, TestRequesters.ofStatic(KeyPair.random(), keyId).credential(), Operation.STORE_DOCUMENT_KEY);
        DocumentKeyStoreSession s = start(c, TestRequesters.ofStatic(author, keyId), randomKey());
        c.deliverAll();
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        for (InMemoryCluster.Node n : c.nodes()) assertThat(n.storage.metadata(keyId).orElseThrow().documentKey()).isEmpty();
    }

    @Test
    void theAuthorsFreshAuthorizationStoresOnEveryHolder_SEC32() {
        InMemoryCluster c = cluster();
        DocumentKey dk = randomKey();
        DocumentKeyStoreSession s = start(c, TestRequesters.fresh(author, c, Operation.STORE_DOCUMENT_KEY, keyId,
                Operation.storeParams(dk.commonPoint(), dk.encryptedPoint())), dk);
        c.deliverAll();
        s.result().join();
        for (InMemoryCluster.Node n : c.nodes()) assertThat(n.storage.metadata(keyId).orElseThrow().documentKey()).contains(dk);
    }
}
