package dev.secretstore.protocol.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 defect 6: a send the network refuses (peer not connected, queue full) is an immediate event for
 * the session that sent it, not a silent loss that only the 60 s stall timeout (SEC-19) ends. Every request here runs
 * through {@link ClusterKeyServer} on the in-memory cluster; the fake clock never moves, so anything that
 * ends, ends because of the send failure.
 */
class SendFailureTest {
    private static final SecureRandom RNG = new SecureRandom();
    private static final AclChecker ALLOW_ALL = (requester, keyId) -> CompletableFuture.completedFuture(AclChecker.Decision.allow("test"));

    private final KeyPair requesterKeys = KeyPair.random();
    private final H256 keyId = randomId();
    private final Requester requester = TestRequesters.ofStatic(requesterKeys, keyId);

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    private static Map<NodeId, ClusterKeyServer> keyServers(InMemoryCluster c) {
        Map<NodeId, ClusterKeyServer> out = new HashMap<>();
        for (InMemoryCluster.Node n : c.nodes()) {
            out.put(n.id, new ClusterKeyServer(n.sessions, n, n.storage, ALLOW_ALL, c.loop, RNG, c.clock));
        }
        return out;
    }

    private static Kind failureKind(CompletionStage<?> stage) {
        CompletableFuture<?> f = stage.toCompletableFuture();
        assertThat(f).as("the request ended without any clock advance").isDone();
        try {
            f.join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("request succeeded");
    }

    @Test
    void generationGoesOnAtOnceWithoutAMemberTheMastersInitCannotReach() { // SEC-40: 1-of-3 needs two members
        InMemoryCluster c = new InMemoryCluster(3);
        Map<NodeId, ClusterKeyServer> servers = keyServers(c);
        NodeId master = c.node(0).id;
        NodeId unreachable = c.node(2).id;
        c.refuseSends(d -> d.from().equals(master) && d.to().equals(unreachable));

        CompletionStage<?> generation = servers.get(master).generateServerKey(keyId, requester, 1);
        c.deliverAll();

        assertThat(generation.toCompletableFuture()).as("answered without any clock advance").isCompleted();
        assertThat(c.allIdle()).isTrue();
        assertThat(c.node(0).storage.get(keyId)).isPresent();
        assertThat(c.node(1).storage.get(keyId)).isPresent();
        assertThat(c.node(2).storage.get(keyId)).as("the unreachable member gets its share by repair").isEmpty();
    }

    @Test
    void aMemberWhoseAnswerCannotReachTheMasterIsExcludedAtOnce() { // SEC-40
        InMemoryCluster c = new InMemoryCluster(3);
        Map<NodeId, ClusterKeyServer> servers = keyServers(c);
        NodeId master = c.node(0).id;
        NodeId member = c.node(1).id;
        AtomicBoolean refusedOnce = new AtomicBoolean();
        c.refuseSends(d -> d.from().equals(member) && d.to().equals(master) && refusedOnce.compareAndSet(false, true));

        CompletionStage<?> generation = servers.get(master).generateServerKey(keyId, requester, 1);
        c.deliverAll();

        assertThat(refusedOnce).isTrue();
        assertThat(c.node(1).sessions.activeSessions()).as("the member's session ended").isEmpty();
        // the member's abort reached the master, which went on with the other member without waiting for a timer
        assertThat(generation.toCompletableFuture()).isCompleted();
        assertThat(c.node(1).storage.get(keyId)).isEmpty();
        assertThat(c.node(2).storage.get(keyId)).isPresent();
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void retrievalRetriesWithAnotherGroupWhenAComputationRequestCannotBeSent() {
        InMemoryCluster c = new InMemoryCluster(3);
        Map<NodeId, ClusterKeyServer> servers = keyServers(c);
        NodeId master = c.node(0).id;
        CompletableFuture<byte[]> generated = servers.get(master).generateDocumentKey(keyId, requester, 1).toCompletableFuture();
        c.deliverAll();
        byte[] documentKey = Ecies.decryptFromServer(requesterKeys.secret(), generated.join());

        // The consensus group is the lowest ids among the yes-sayers: the master and node 1. The first message
        // of the computation to node 1 (after its consensus request) is refused.
        NodeId groupMember = c.node(1).id;
        AtomicBoolean refusedOnce = new AtomicBoolean();
        c.refuseSends(d -> d.from().equals(master) && d.to().equals(groupMember)
                && d.envelope().type() == SessionType.DECRYPTION && !d.envelope().body().isInitialization()
                && refusedOnce.compareAndSet(false, true));

        CompletableFuture<byte[]> retrieved = servers.get(master).retrieveDocumentKey(keyId, requester).toCompletableFuture();
        c.deliverAll();

        assertThat(refusedOnce).as("a computation message to node 1 was refused").isTrue();
        assertThat(retrieved).as("re-planned with node 2, without waiting for the stall timeout").isCompleted();
        assertThat(Ecies.decryptFromServer(requesterKeys.secret(), retrieved.join())).isEqualTo(documentKey);
        assertThat(c.allIdle()).isTrue();
    }
}
