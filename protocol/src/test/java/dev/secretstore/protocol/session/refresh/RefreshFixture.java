package dev.secretstore.protocol.session.refresh;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.Lagrange;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.admin.AdminPolicy;
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
import java.util.concurrent.CompletionStage;

/**
 * An {@link InMemoryCluster} of {@code n} nodes, each with its {@link ClusterKeyServer} (every session factory,
 * the refresh's included), an administrator key, and one key of threshold {@code t} dealt to every node with a
 * document key, so that decryption and Schnorr signing can be checked before and after a refresh.
 */
final class RefreshFixture {
    static final SecureRandom RNG = new SecureRandom();
    static final AclChecker ALLOW_ALL = (requester, keyId) -> CompletableFuture.completedFuture(AclChecker.Decision.allow("test"));

    final InMemoryCluster cluster;
    final int t;
    final KeyPair admin = KeyPair.random();
    final KeyPair requesterKeys = KeyPair.random();
    final H256 keyId = randomId();
    final Requester requester = TestRequesters.ofStatic(requesterKeys, keyId);
    final PublicPoint serverKey;
    final PublicPoint documentKey;
    final Availability availability;
    final Map<NodeId, ClusterKeyServer> servers = new HashMap<>();

    RefreshFixture(int n, int t) {
        this(n, t, Availability.DEFAULTS);
    }

    RefreshFixture(int n, int t, Availability availability) {
        this.cluster = new InMemoryCluster(n);
        this.t = t;
        this.availability = availability;
        for (InMemoryCluster.Node node : cluster.nodes()) servers.put(node.id, newServer(node));
        TestKeys.Sharing sharing = TestKeys.seed(cluster, keyId, requester.address(), t,
                TestKeys.randomIds(List.copyOf(cluster.memberIds()), RNG), Optional.empty(), RNG);
        serverKey = sharing.publicKey();
        DocumentKey.Generated doc = DocumentKey.generate(serverKey, RNG);
        documentKey = doc.documentKey();
        for (InMemoryCluster.Node node : cluster.nodes()) {
            node.storage.prepareDocumentKey(keyId, new dev.secretstore.protocol.key.DocumentKey(doc.encrypted().commonPoint(),
                    doc.encrypted().encryptedPoint()));
            node.storage.commit(keyId);
        }
    }

    private ClusterKeyServer newServer(InMemoryCluster.Node node) {
        return new ClusterKeyServer(node.sessions, node, node.storage, ALLOW_ALL, new AdminPolicy(Optional.of(admin.publicKey()), false),
                availability, cluster.loop, RNG, cluster.clock);
    }

    static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    InMemoryCluster.Node node(int i) {
        return cluster.node(i);
    }

    ClusterKeyServer server(int i) {
        return servers.get(node(i).id);
    }

    /** Kills node {@code id} (kill -9) and gives it a fresh session manager and key server over the same storage; it stays cut off. */
    void crash(NodeId id) {
        cluster.crash(id);
        servers.put(id, newServer(cluster.node(id)));
    }

    /** Starts a refresh session of the fixture's key directly on node {@code master}. */
    KeyRefreshSession refresh(int master) {
        return refresh(master, Set.of());
    }

    KeyRefreshSession refresh(int master, Set<NodeId> exclude) {
        InMemoryCluster.Node m = node(master);
        SessionKey key = new SessionKey(SessionType.KEY_REFRESH, randomId(), m.id);
        return m.sessions.startMaster(key, outbox -> KeyRefreshSession.startMaster(key, m, outbox, m.storage, keyId, exclude,
                m.sessions::isWriting, RNG));
    }

    /** Refreshes the key through node 0 while {@code absent} is cut off, then reconnects it; returns the version it missed. */
    H256 refreshedWhileAway(NodeId absent) {
        cluster.disconnect(absent);
        KeyRefreshSession s = refresh(0);
        cluster.deliverAll();
        H256 fresh = s.result().join().newVersion();
        cluster.reconnect(absent);
        return fresh;
    }

    /** The key as node {@code id} holds it committed (unsealed: tests only). */
    Optional<KeyShare> stored(NodeId id) {
        return cluster.node(id).storage.get(keyId);
    }

    /** Node {@code id}'s share and version of its newest committed version. */
    KeyVersion latest(NodeId id) {
        return stored(id).orElseThrow().latestVersion();
    }

    /** Versions node {@code id} holds committed, oldest first. */
    List<H256> versions(NodeId id) {
        return stored(id).map(k -> k.versions().stream().map(KeyVersion::id).toList()).orElse(List.of());
    }

    /** Σ L_i·s_i over the given shares (holder → (x_i, s_i)): the value a reconstruction from them yields. */
    static Scalar interpolate(Map<NodeId, Scalar> ids, Map<NodeId, Scalar> shares) {
        Map<PublicPoint, Scalar> byPoint = new TreeMap<>(dev.secretstore.crypto.threshold.NodeIds.ORDER);
        ids.forEach((n, x) -> byPoint.put(n.publicKey(), x));
        List<PublicPoint> group = new ArrayList<>();
        shares.keySet().forEach(n -> group.add(n.publicKey()));
        Map<PublicPoint, Scalar> l = Lagrange.signedCoefficients(dev.secretstore.crypto.threshold.IdNumbers.validate(byPoint.keySet(), byPoint),
                group);
        Scalar sum = Scalar.ZERO;
        for (Map.Entry<NodeId, Scalar> e : shares.entrySet()) sum = sum.add(l.get(e.getKey().publicKey()).mul(e.getValue()));
        return sum;
    }

    /** Endpoint 5 through node {@code i}: the document key the requester decrypts, or the failure. */
    PublicPoint retrieveDocumentKey(int i) {
        byte[] blob = done(server(i).retrieveDocumentKey(keyId, requester));
        return PublicPoint.fromBytes(Ecies.decryptFromServer(requesterKeys.secret(), blob));
    }

    /** Endpoint 7 through node {@code i}; true if the signature verifies under Y. */
    boolean schnorrVerifies(int i) {
        H256 mh = randomId();
        byte[] blob = done(server(i).signSchnorr(keyId, requester, mh));
        SchnorrSignature sig = SchnorrSignature.fromBytes(Ecies.decryptFromServer(requesterKeys.secret(), blob));
        return Schnorr.verify(serverKey, mh, sig);
    }

    /** Runs the cluster until idle and returns the stage's value. */
    <T> T done(CompletionStage<T> stage) {
        cluster.deliverAll();
        CompletableFuture<T> f = stage.toCompletableFuture();
        if (!f.isDone()) throw new AssertionError("not finished");
        return f.join();
    }

    static SecretStoreException failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return (SecretStoreException) e.getCause();
        }
        throw new AssertionError("succeeded");
    }

    /** Runs every node's maintenance (resolution of prepared writes, scheduled refresh) a few times, {@code step} apart. */
    void maintain(int rounds, Duration step) {
        for (int i = 0; i < rounds; i++) {
            cluster.advance(step);
            for (ClusterKeyServer s : servers.values()) s.maintain();
            cluster.deliverAll();
        }
    }
}
