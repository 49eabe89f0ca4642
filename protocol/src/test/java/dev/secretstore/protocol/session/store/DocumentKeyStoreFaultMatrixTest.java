package dev.secretstore.protocol.session.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keep-style fault matrix for the document-key store (issue #13 "Tests"; SEC-40, SEC-25): one holder (not the
 * master) drops, delays, duplicates, corrupts or equivocates each message it sends, with and without slack above
 * the floor. With slack the store completes with the honest holders, names the faulty one when it was at fault
 * (silence: {@code NO_ANSWER}; a refusal the master's checks contradict: {@code REFUSED}) and every honest holder
 * stores the same document key; without slack it fails naming it and nobody keeps the document key.
 */
class DocumentKeyStoreFaultMatrixTest {
    enum Message { PREPARED, COMMITTED }

    enum Fault { DROP, DELAY, DUPLICATE, CORRUPT, EQUIVOCATE }

    private static final int FAULTY = 1;
    private final Random seeded = new Random(13);
    private final KeyPair author = KeyPair.fromSecretBytes(bytes(32));
    private final H256 keyId = H256.fromBytes(bytes(32));
    private final DocumentKey documentKey = new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG());

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        seeded.nextBytes(b);
        b[0] = 1; // a valid scalar for the author key
        return b;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int[] nt : new int[][] {{3, 1}, {5, 2}}) {
            for (Message m : Message.values()) {
                for (Fault f : Fault.values()) {
                    for (boolean slack : new boolean[] {true, false}) out.add(Arguments.of(nt[0], nt[1], m, f, slack));
                }
            }
        }
        return out.stream();
    }

    private static boolean is(SessionMessage body, Message m) {
        return m == Message.PREPARED ? body instanceof StoreMessage.Prepared : body instanceof StoreMessage.Committed;
    }

    private static InMemoryCluster.Delivery with(InMemoryCluster.Delivery d, StoreMessage body) {
        Envelope e = d.envelope();
        return new InMemoryCluster.Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    @ParameterizedTest(name = "{1}-of-{0}: holder {2} {3}, slack {4}")
    @MethodSource("cases")
    void storeWithOneFaultyHolder(int n, int t, Message message, Fault fault, boolean slack) {
        InMemoryCluster c = new InMemoryCluster(n);
        Map<NodeId, Scalar> ids = new TreeMap<>();
        for (int i = 0; i < n; i++) ids.put(c.node(i).id, Scalar.of(i + 1));
        TestKeys.seed(c, keyId, author.address(), t, ids, Optional.empty(), new java.security.SecureRandom());
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.DOCUMENT_KEY_STORE, DocumentKeyStoreSession.factory(node.id, node.storage, node.requesters()));
        }
        NodeId faulty = c.node(FAULTY).id;
        List<InMemoryCluster.Delivery> late = new ArrayList<>();
        boolean[] released = {false};
        c.intercept(d -> {
            if (!d.from().equals(faulty) || !is(d.envelope().body(), message) || released[0]) return List.of(d);
            StoreMessage garbage = new StoreMessage.Refused(Kind.INVALID_MESSAGE);
            return switch (fault) {
                case DROP -> List.of();
                case DELAY -> {
                    late.add(d);
                    yield List.of();
                }
                case DUPLICATE -> List.of(d, d);
                case CORRUPT -> List.of(with(d, garbage));
                case EQUIVOCATE -> List.of(d, with(d, garbage)); // two different copies: the first counts
            };
        });
        Availability availability = Availability.DEFAULTS.withGenerationFloor(slack ? 0 : n);
        InMemoryCluster.Node master = c.node(0);
        SessionKey key = new SessionKey(SessionType.DOCUMENT_KEY_STORE, H256.fromBytes(bytes(32)), master.id);
        DocumentKeyStoreSession s = master.sessions.startMaster(key, outbox ->
                DocumentKeyStoreSession.startMaster(key, master, outbox, master.storage, master.requesters(), keyId,
                        TestRequesters.ofStatic(author, keyId), documentKey, availability));
        c.deliverAll();
        released[0] = true;
        late.forEach(c::inject); // the delayed message arrives after everything else
        c.deliverAll();
        for (int round = 0; round < 3 && !c.allIdle(); round++) {
            c.advance(InMemoryCluster.STALL.plusSeconds(1)); // the master's stall timeout (members wait twice as long)
            c.deliverAll();
        }
        assertThat(s.isFinished()).isTrue();

        boolean faultyFails = message == Message.PREPARED && (fault == Fault.DROP || fault == Fault.CORRUPT);
        if (faultyFails && !slack) {
            SecretStoreException e = failure(s);
            assertThat(e.kind()).isEqualTo(Kind.NODE_DISCONNECTED);
            assertThat(e.culprits()).extracting(cu -> cu.node()).containsExactly(faulty);
            for (InMemoryCluster.Node node : c.nodes()) {
                assertThat(node.storage.metadata(keyId).orElseThrow().documentKey()).as(node.id.shortId()).isEmpty();
                assertThat(node.storage.pendingKeyIds()).as(node.id.shortId()).isEmpty();
            }
            return;
        }
        s.result().join();
        for (InMemoryCluster.Node node : c.nodes()) {
            if (node.id.equals(faulty) && faultyFails) continue; // left out: gets the document key from repair or resolution
            assertThat(node.storage.metadata(keyId).orElseThrow().documentKey()).as(node.id.shortId()).contains(documentKey);
        }
        if (faultyFails) {
            assertThat(s.blamed()).containsExactly(faulty);
        } else {
            assertThat(s.blamed()).isEmpty();
        }
    }

    private static SecretStoreException failure(DocumentKeyStoreSession s) {
        try {
            s.result().join();
        } catch (CompletionException e) {
            return (SecretStoreException) e.getCause();
        }
        throw new AssertionError("the store succeeded");
    }
}
