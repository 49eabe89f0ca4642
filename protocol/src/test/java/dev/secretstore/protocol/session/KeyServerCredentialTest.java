package dev.secretstore.protocol.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * SEC-31, SEC-32 through {@link ClusterKeyServer}: fresh authorizations for each endpoint, checked by every member of
 * the sessions the endpoint runs (endpoint 3's generation and store spend one authorization on one request).
 */
class KeyServerCredentialTest {
    private static final SecureRandom RNG = new SecureRandom();
    private static final AclChecker ALLOW_ALL = (requester, keyId) -> CompletableFuture.completedFuture(AclChecker.Decision.allow("test"));

    private final KeyPair requesterKeys = KeyPair.random();
    private final H256 keyId = H256.keccak(new byte[] {3, 3});

    private static Map<NodeId, ClusterKeyServer> keyServers(InMemoryCluster c) {
        Map<NodeId, ClusterKeyServer> out = new HashMap<>();
        for (InMemoryCluster.Node n : c.nodes()) {
            RequesterCheck check = new RequesterCheck(RequesterCheck.Settings.parityCompatible(c.clusterId()), c.wallClock, new ReplayGuard());
            out.put(n.id, new ClusterKeyServer(n.sessions, n, n.storage, ALLOW_ALL, dev.secretstore.protocol.session.admin.AdminPolicy.NONE,
                    dev.secretstore.protocol.Availability.DEFAULTS, check, c.loop, RNG, c.clock));
        }
        return out;
    }

    private Requester fresh(InMemoryCluster c, Operation operation, H256 params) {
        return TestRequesters.fresh(requesterKeys, c, operation, keyId, params);
    }

    private static <T> T done(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static Kind failureKind(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("request succeeded");
    }

    @Test
    void endpoint3SpendsOneAuthorizationOnItsGenerationAndItsStore_SEC32() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = keyServers(c).get(c.node(0).id);
        Requester once = fresh(c, Operation.GENERATE_DOCUMENT_KEY, Operation.thresholdParams(1));
        CompletionStage<byte[]> generated = master.generateDocumentKey(keyId, once, 1);
        c.deliverAll();
        PublicPoint documentKey = PublicPoint.fromBytes(Ecies.decryptFromServer(requesterKeys.secret(), done(generated)));
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(n.storage.metadata(keyId).orElseThrow().author()).isEqualTo(requesterKeys.address());
            assertThat(n.storage.metadata(keyId).orElseThrow().documentKey()).as("stored on %s", n.id.shortId()).isPresent();
        }
        // the document key through endpoint 5 needs its own authorization; endpoint 3's is not one
        CompletionStage<byte[]> withEndpoint3s = master.retrieveDocumentKey(keyId, once);
        c.deliverAll();
        assertThat(failureKind(withEndpoint3s)).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        CompletionStage<byte[]> retrieved = master.retrieveDocumentKey(keyId, fresh(c, Operation.RETRIEVE_DOCUMENT_KEY, Operation.NO_PARAMS));
        c.deliverAll();
        assertThat(PublicPoint.fromBytes(Ecies.decryptFromServer(requesterKeys.secret(), done(retrieved)))).isEqualTo(documentKey);
    }

    @Test
    void endpoints1And2WithFreshAuthorizations_SEC32() {
        InMemoryCluster c = new InMemoryCluster(3);
        Map<NodeId, ClusterKeyServer> servers = keyServers(c);
        CompletionStage<PublicPoint> y = servers.get(c.node(1).id).generateServerKey(keyId,
                fresh(c, Operation.GENERATE_SERVER_KEY, Operation.thresholdParams(1)), 1);
        c.deliverAll();
        PublicPoint serverKey = done(y);
        dev.secretstore.crypto.threshold.DocumentKey.Generated dk = dev.secretstore.crypto.threshold.DocumentKey.generate(serverKey, RNG);
        PublicPoint cp = dk.encrypted().commonPoint();
        PublicPoint ep = dk.encrypted().encryptedPoint();
        CompletionStage<Void> wrongPoints = servers.get(c.node(2).id).storeDocumentKey(keyId,
                fresh(c, Operation.STORE_DOCUMENT_KEY, Operation.storeParams(ep, cp)), cp, ep);
        c.deliverAll();
        assertThat(failureKind(wrongPoints)).as("an authorization of other points").isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        CompletionStage<Void> stored = servers.get(c.node(2).id).storeDocumentKey(keyId,
                fresh(c, Operation.STORE_DOCUMENT_KEY, Operation.storeParams(cp, ep)), cp, ep);
        c.deliverAll();
        done(stored);
        CompletionStage<PublicPoint> y4 = servers.get(c.node(0).id).retrieveServerKey(keyId,
                fresh(c, Operation.RETRIEVE_SERVER_KEY, Operation.NO_PARAMS));
        c.deliverAll();
        assertThat(done(y4)).isEqualTo(serverKey);
    }

    @Test
    void theMastersOwnWallClockRefusesAnExpiredAuthorization_SEC32() {
        InMemoryCluster c = new InMemoryCluster(3);
        ClusterKeyServer master = keyServers(c).get(c.node(0).id);
        Requester expired = TestRequesters.fresh(requesterKeys, c.clusterId(), Operation.GENERATE_SERVER_KEY, keyId,
                Operation.thresholdParams(1), c.wallClock.now - RequesterCheck.Settings.DEFAULT_CLOCK_SKEW.toSeconds() - 1);
        CompletionStage<PublicPoint> y = master.generateServerKey(keyId, expired, 1);
        c.deliverAll();
        assertThat(failureKind(y)).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(c.node(1).storage.metadata(keyId)).isEmpty();
    }
}
