package dev.secretstore.protocol.session.decryption;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Decryption;
import dev.secretstore.crypto.threshold.EncryptedDocumentKey;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.TestRequesters;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Test fixture: an {@link InMemoryCluster} whose holders store a committed key version produced by
 * the real threshold math (a degree-{@code t} polynomial, Feldman commitments, shares at random id
 * numbers) and a document key (C, E) = encrypt(M, Y); a scriptable ACL per node.
 */
final class DecryptionFixture {
    static final SecureRandom RNG = new SecureRandom();

    /** Test ACL: an allow-list, or deny everything, or fail, or stay pending until released. */
    static final class TestAcl implements AclChecker {
        enum Mode { LIST, DENY, THROW, PENDING }

        final Set<Address> allowed = new HashSet<>();
        Mode mode = Mode.LIST;
        int calls;
        final List<CompletableFuture<Decision>> pending = new ArrayList<>();

        /** Chain simulation: this node's head, the first block with the grant, and the blocks it was asked at. */
        java.util.OptionalLong head = java.util.OptionalLong.empty();
        boolean headFails;
        long grantedFrom = -1;
        final List<java.util.OptionalLong> blocksAsked = new ArrayList<>();

        @Override
        public CompletionStage<java.util.OptionalLong> chainHead() {
            if (headFails) return CompletableFuture.failedFuture(new IllegalStateException("chain endpoint down"));
            return CompletableFuture.completedFuture(head);
        }

        @Override
        public CompletionStage<Decision> check(Address requester, H256 keyId, java.util.OptionalLong block) {
            blocksAsked.add(block);
            if (grantedFrom >= 0 && mode == Mode.LIST) {
                calls++;
                long at = block.isPresent() ? block.getAsLong() : head.orElseThrow();
                return CompletableFuture.completedFuture(new Decision(allowed.contains(requester) && at >= grantedFrom, "block " + at));
            }
            return check(requester, keyId);
        }

        @Override
        public CompletionStage<Decision> check(Address requester, H256 keyId) {
            calls++;
            switch (mode) {
                case DENY:
                    return CompletableFuture.completedFuture(Decision.deny("block 7"));
                case THROW:
                    return CompletableFuture.failedFuture(new IllegalStateException("chain endpoint down"));
                case PENDING: {
                    CompletableFuture<Decision> f = new CompletableFuture<>();
                    pending.add(f);
                    return f;
                }
                default:
                    return CompletableFuture.completedFuture(new Decision(allowed.contains(requester), "block 7"));
            }
        }

        /** Completes every pending check (the completion is posted to the node's loop, not run here). */
        void release(boolean allow) {
            for (CompletableFuture<Decision> f : List.copyOf(pending)) f.complete(new Decision(allow, "block 8"));
            pending.clear();
        }
    }

    final InMemoryCluster cluster;
    final int n;
    final int t;
    final H256 keyId = randomId();
    final KeyPair requesterKeys = KeyPair.random();
    final Requester requester = TestRequesters.ofStatic(requesterKeys, keyId);
    final PublicPoint documentKey = SecretScalar.random(RNG).mulG();
    final EncryptedDocumentKey encrypted;
    final Map<NodeId, TestAcl> acls = new HashMap<>();
    final List<NodeId> holders;
    /** The key's secret, kept to deal further versions ({@link #addVersion}). */
    private final SecretScalar keySecret;

    /** {@code n} nodes, all holders of a {@code t}-of key with a document key, every ACL allowing the requester. */
    DecryptionFixture(int n, int t) {
        this(n, n, t, true);
    }

    /** {@code size} nodes, the first {@code holderCount} (by node id) holding the key. */
    DecryptionFixture(int size, int holderCount, int t, boolean withDocumentKey) {
        this.cluster = new InMemoryCluster(size);
        this.n = holderCount;
        this.t = t;
        List<NodeId> hs = new ArrayList<>();
        for (int i = 0; i < holderCount; i++) hs.add(cluster.node(i).id);
        this.holders = List.copyOf(hs);
        Map<NodeId, Scalar> ids = TestKeys.randomIds(holders, RNG);
        Polynomial f = Polynomial.random(t, RNG);
        List<PublicPoint> commitments = f.feldman().points();
        PublicPoint y = commitments.get(0);
        this.encrypted = dev.secretstore.crypto.threshold.DocumentKey.encrypt(documentKey, y, RNG);
        this.keySecret = f.constantTerm();
        for (InMemoryCluster.Node node : cluster.nodes()) {
            TestAcl acl = new TestAcl();
            acl.allowed.add(requester.address());
            acls.put(node.id, acl);
            node.sessions.registerFactory(SessionType.DECRYPTION,
                    DecryptionSession.factory(node, node.sessions, node.storage, acl, node.requesters(), RNG));
            if (!ids.containsKey(node.id)) continue;
            KeyVersion v = new KeyVersion(ids, f.evaluate(ids.get(node.id)), commitments);
            node.storage.prepareNewKey(new KeyShare(keyId, requester.address(), t, y, Optional.empty(), List.of(v)));
            node.storage.commit(keyId);
            if (withDocumentKey) {
                node.storage.prepareDocumentKey(keyId, new DocumentKey(encrypted.commonPoint(), encrypted.encryptedPoint()));
                node.storage.commit(keyId);
            }
        }
        f.destroy();
    }

    /** Deals a new version of the key; only the holders at {@code committedOn} commit it ({@link TestKeys#addVersion}). */
    H256 addVersion(Set<Integer> committedOn) {
        return TestKeys.addVersion(cluster, keyId, holders, t, keySecret, committedOn, RNG);
    }

    static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    InMemoryCluster.Node node(int i) {
        return cluster.node(i);
    }

    TestAcl acl(int i) {
        return acls.get(node(i).id);
    }

    DecryptionSession start(int masterIndex, boolean shadow) {
        return start(masterIndex, shadow, keyId, requester);
    }

    DecryptionSession start(int masterIndex, boolean shadow, H256 key, Requester who) {
        InMemoryCluster.Node master = cluster.node(masterIndex);
        SessionKey sk = new SessionKey(SessionType.DECRYPTION, randomId(), master.id);
        return master.sessions.startMaster(sk, outbox -> DecryptionSession.startMaster(sk, master, outbox,
                master.sessions.reentry(sk), master.sessions.offload(sk), master.storage, acls.get(master.id), master.requesters(), key,
                who, shadow, RNG, master.storage.metadata(key), java.util.Set.of(), java.util.Optional.empty()));
    }

    /** A shadow retrieval whose groups never contain a node of {@code excluded} (SEC-33). */
    DecryptionSession startShadowsWithout(int masterIndex, Set<NodeId> excluded) {
        InMemoryCluster.Node master = cluster.node(masterIndex);
        SessionKey sk = new SessionKey(SessionType.DECRYPTION, randomId(), master.id);
        return master.sessions.startMaster(sk, outbox -> DecryptionSession.startMaster(sk, master, outbox,
                master.sessions.reentry(sk), master.storage, acls.get(master.id), master.requesters(), keyId, requester, true, RNG,
                master.storage.metadata(keyId), excluded));
    }

    /** Runs the session to the end and returns the document key the requester recovers from the result. */
    PublicPoint run(DecryptionSession s) {
        cluster.deliverAll();
        return recover(s);
    }

    /** What the requester computes from the HTTP result (endpoint 5 or 6). */
    PublicPoint recover(DecryptionSession s) {
        DecryptionSession.Result r = s.result().getNow(null);
        if (r == null) throw new AssertionError("session did not finish successfully: " + s.failure());
        if (r instanceof DecryptionSession.Plain p) {
            if (p.encryptedDocumentKey().length != 177) throw new AssertionError("blob length " + p.encryptedDocumentKey().length);
            return PublicPoint.fromBytes(Ecies.decryptFromServer(requesterKeys.secret(), p.encryptedDocumentKey()));
        }
        KeyServer.ShadowRetrieval sr = ((DecryptionSession.Shadows) r).retrieval();
        if (sr.decryptShadows().size() != t + 1) throw new AssertionError("shadows: " + sr.decryptShadows().size());
        PublicPoint expectedCommon = t % 2 == 0 ? encrypted.commonPoint() : encrypted.commonPoint().negate();
        if (!sr.commonPoint().equals(expectedCommon)) throw new AssertionError("common point must be C for even t, −C for odd t");
        List<SecretScalar> ds = new ArrayList<>();
        for (byte[] blob : sr.decryptShadows()) {
            if (blob.length != 145) throw new AssertionError("shadow blob length " + blob.length);
            ds.add(SecretScalar.fromBytes(Ecies.decryptFromServer(requesterKeys.secret(), blob)));
        }
        return Decryption.clientCombine(sr.decryptedSecret(), sr.commonPoint(), ds);
    }

    static SecretStoreException.Kind failureKind(DecryptionSession s) {
        if (!s.isFinished()) throw new AssertionError("session still running");
        try {
            s.result().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("session succeeded");
    }
}
