package dev.secretstore.protocol.session.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.Lagrange;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.session.TestRequesters;
import java.util.concurrent.CompletionException;

/** Shared helpers of the generation tests: a cluster with the generation factory, starting, settling, and the outcome checks. */
final class GenerationFixture {
    private GenerationFixture() {}

    static InMemoryCluster cluster(int n, SecureRandom rng) {
        InMemoryCluster c = new InMemoryCluster(n);
        for (InMemoryCluster.Node node : c.nodes()) {
            node.sessions.registerFactory(SessionType.KEY_GENERATION,
                    KeyGenerationSession.factory(node, node.sessions, node.storage, node.requesters(), rng));
        }
        return c;
    }

    static H256 randomId(SecureRandom rng) {
        byte[] b = new byte[32];
        rng.nextBytes(b);
        return H256.fromBytes(b);
    }

    /** Endpoint 1 on {@code masterIndex} for {@code author}, who signs the key id (Parity's static credential). */
    static KeyGenerationSession start(InMemoryCluster c, int masterIndex, long t, Availability availability, H256 keyId, KeyPair author,
                                      SecureRandom rng) {
        return start(c, masterIndex, t, availability, keyId, TestRequesters.ofStatic(author, keyId), Operation.GENERATE_SERVER_KEY, rng);
    }

    static KeyGenerationSession start(InMemoryCluster c, int masterIndex, long t, Availability availability, H256 keyId,
                                      Requester requester, Operation operation, SecureRandom rng) {
        InMemoryCluster.Node master = c.node(masterIndex);
        SessionKey key = new SessionKey(SessionType.KEY_GENERATION, randomId(rng), master.id);
        return master.sessions.startMaster(key, outbox ->
                KeyGenerationSession.startMaster(key, master, outbox, master.sessions.offload(key), master.storage, master.requesters(),
                        keyId, requester, operation, t, availability, rng));
    }

    /** Delivers everything and lets stall timeouts pass until the master's session ended and every node is idle. */
    static void settle(InMemoryCluster c, KeyGenerationSession s) {
        c.deliverAll();
        for (int i = 0; i < 12 && !(s.isFinished() && c.allIdle()); i++) {
            c.advance(InMemoryCluster.STALL);
            c.deliverAll();
        }
        assertThat(s.isFinished()).as("the master's session ended").isTrue();
        assertThat(c.allIdle()).as("every session ended").isTrue();
    }

    static Kind failureKind(KeyGenerationSession s) {
        assertThat(s.isFinished()).isTrue();
        try {
            s.result().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("session succeeded");
    }

    /**
     * Exactly {@code holders} store the same committed key: Y, t, author, one version that names every configured
     * member with the same id numbers and commitments, an own share matching them (SEC-11); any t+1 holders give Y;
     * every other member has no row at all (SEC-40: they get theirs by repair).
     */
    static PublicPoint assertGeneratedBy(InMemoryCluster c, KeyGenerationSession s, H256 keyId, Address author, int t, Set<NodeId> holders) {
        assertThat(s.result()).as("the generation succeeded").isCompleted();
        PublicPoint y = s.result().join();
        KeyVersion first = null;
        for (InMemoryCluster.Node n : c.nodes()) {
            if (!holders.contains(n.id)) {
                assertThat(n.storage.get(keyId)).as("no committed row on excluded %s", n.id.shortId()).isEmpty();
                assertThat(n.storage.pendingKeyIds()).as("no pending row on excluded %s", n.id.shortId()).doesNotContain(keyId);
                continue;
            }
            KeyShare share = n.storage.get(keyId).orElseThrow(() -> new AssertionError("no key on holder " + n.id.shortId()));
            assertThat(n.storage.pendingKeyIds()).as(n.id.shortId()).isEmpty();
            assertThat(share.publicKey()).isEqualTo(y);
            assertThat(share.threshold()).isEqualTo(t);
            assertThat(share.author()).isEqualTo(author);
            assertThat(share.versions()).hasSize(1);
            KeyVersion v = share.latestVersion();
            assertThat(v.commitments()).hasSize(t + 1);
            assertThat(v.commitments().get(0)).isEqualTo(y);
            assertThat(v.idNumbers().keySet()).as("the version names every configured member").isEqualTo(c.memberIds());
            assertThat(v.share().mulG()).isEqualTo(v.publicShare(n.id)); // SEC-11
            if (first != null) {
                assertThat(v.idNumbers()).isEqualTo(first.idNumbers());
                assertThat(v.commitments()).isEqualTo(first.commitments());
            } else {
                first = v;
            }
        }
        List<InMemoryCluster.Node> holding = c.nodes().stream().filter(n -> holders.contains(n.id)).toList();
        assertThat(holding.size()).isGreaterThanOrEqualTo(t + 1);
        assertThat(reconstruct(holding.subList(0, t + 1), keyId)).isEqualTo(y);
        assertThat(reconstruct(holding.subList(holding.size() - t - 1, holding.size()), keyId)).isEqualTo(y);
        // the public shares of the members that missed the key follow from the stored commitments (repair checks against them)
        for (NodeId absent : c.memberIds()) {
            if (!holders.contains(absent)) assertThat(first.publicShare(absent)).isNotNull();
        }
        return y;
    }

    /** Y from the shares of {@code group} (Lagrange at 0). */
    static PublicPoint reconstruct(List<InMemoryCluster.Node> group, H256 keyId) {
        Map<PublicPoint, Scalar> idMap = new HashMap<>();
        group.get(0).storage.get(keyId).orElseThrow().latestVersion().idNumbers().forEach((n, x) -> idMap.put(n.publicKey(), x));
        IdNumbers ids = IdNumbers.validate(idMap.keySet(), idMap);
        Map<PublicPoint, Scalar> lambda = Lagrange.signedCoefficients(ids, group.stream().map(n -> n.id.publicKey()).toList());
        SecretScalar sum = null;
        for (InMemoryCluster.Node n : group) {
            SecretScalar term = n.storage.get(keyId).orElseThrow().latestVersion().share().mul(lambda.get(n.id.publicKey()));
            sum = sum == null ? term : sum.add(term);
        }
        return sum.mulG();
    }

    /** Nobody has a committed or pending row of {@code keyId}. */
    static void assertNoRowAnywhere(InMemoryCluster c, H256 keyId) {
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(n.storage.get(keyId)).as(n.id.shortId()).isEmpty();
            assertThat(n.storage.pendingKeyIds()).as(n.id.shortId()).doesNotContain(keyId);
        }
    }

    /** An interceptor that replaces each {@code type} message {@code which} matches by {@code change} of it. */
    static java.util.function.Function<InMemoryCluster.Delivery, List<InMemoryCluster.Delivery>> modify(
            Class<? extends GenerationMessage> type, java.util.function.Predicate<InMemoryCluster.Delivery> which,
            java.util.function.Function<GenerationMessage, GenerationMessage> change) {
        return d -> {
            dev.secretstore.protocol.session.SessionMessage body = d.envelope().body();
            if (type.isInstance(body) && which.test(d)) {
                dev.secretstore.protocol.session.Envelope e = d.envelope();
                return List.of(new InMemoryCluster.Delivery(d.from(), d.to(), new dev.secretstore.protocol.session.Envelope(e.type(),
                        e.sessionId(), e.master(), e.sender(), change.apply((GenerationMessage) body))));
            }
            return List.of(d);
        };
    }

    static Availability floor(int generationFloor) {
        return Availability.DEFAULTS.withGenerationFloor(generationFloor);
    }
}
