package dev.secretstore.protocol.session.signing;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.consensus.KeyUseSession;
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
 * Test fixture: an {@link InMemoryCluster} whose first {@code holderCount} nodes store a committed
 * {@code t}-of key version produced by the real threshold math (degree-{@code t} polynomial, Feldman
 * commitments, shares at random id numbers), a scriptable ACL per node, and the signing factories.
 */
final class SigningFixture {
    static final SecureRandom RNG = new SecureRandom();

    /** Test ACL: an allow-list or deny everything or fail, or stay pending until {@link #release}d. */
    static final class TestAcl implements AclChecker {
        enum Mode { LIST, DENY, THROW, PENDING }

        final List<CompletableFuture<Decision>> pending = new ArrayList<>();

        final Set<Address> allowed = new HashSet<>();
        Mode mode = Mode.LIST;
        int calls;

        /** Chain simulation: this node's head, the first block with the grant, and the blocks it was asked at. */
        java.util.OptionalLong head = java.util.OptionalLong.empty();
        boolean headFails;
        long grantedFrom = -1;
        final java.util.List<java.util.OptionalLong> blocksAsked = new java.util.ArrayList<>();

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
            return switch (mode) {
                case DENY -> CompletableFuture.completedFuture(Decision.deny("block 7"));
                case THROW -> CompletableFuture.failedFuture(new IllegalStateException("chain endpoint down"));
                case PENDING -> {
                    CompletableFuture<Decision> f = new CompletableFuture<>();
                    pending.add(f);
                    yield f;
                }
                default -> CompletableFuture.completedFuture(new Decision(allowed.contains(requester), "block 7"));
            };
        }
    }

    /** Completes every pending check of {@code acl} (the completion is posted to its node's loop, not run here). */
    static void release(TestAcl acl, boolean allow) {
        for (CompletableFuture<AclChecker.Decision> f : List.copyOf(acl.pending)) f.complete(new AclChecker.Decision(allow, "block 8"));
        acl.pending.clear();
    }

    final InMemoryCluster cluster;
    final int t;
    /** Masters started from now on verify and combine through their session manager's offload, not inline. */
    boolean offloaded;
    final H256 keyId = randomId();
    final KeyPair requesterKeys = KeyPair.random();
    final Requester requester = TestRequesters.ofStatic(requesterKeys, keyId);
    final PublicPoint serverKey;
    final Map<NodeId, TestAcl> acls = new HashMap<>();
    final List<NodeId> holders;
    /** The key's secret, kept to deal further versions ({@link #addVersion}). */
    private final SecretScalar keySecret;

    SigningFixture(int n, int t) {
        this(n, n, t);
    }

    SigningFixture(int size, int holderCount, int t) {
        this.cluster = new InMemoryCluster(size);
        this.t = t;
        List<NodeId> hs = new ArrayList<>();
        for (int i = 0; i < holderCount; i++) hs.add(cluster.node(i).id);
        this.holders = List.copyOf(hs);
        Map<NodeId, Scalar> ids = TestKeys.randomIds(holders, RNG);
        Polynomial f = Polynomial.random(t, RNG);
        List<PublicPoint> commitments = f.feldman().points();
        this.serverKey = commitments.get(0);
        this.keySecret = f.constantTerm();
        for (InMemoryCluster.Node node : cluster.nodes()) {
            TestAcl acl = new TestAcl();
            acl.allowed.add(requester.address());
            acls.put(node.id, acl);
            node.sessions.registerFactory(SessionType.SCHNORR_SIGNING,
                    SchnorrSigningSession.factory(node, node.sessions, node.storage, acl, node.requesters(), RNG));
            node.sessions.registerFactory(SessionType.ECDSA_SIGNING,
                    EcdsaSigningSession.factory(node, node.sessions, node.storage, acl, node.requesters(), RNG));
            if (!ids.containsKey(node.id)) continue;
            KeyVersion v = new KeyVersion(ids, f.evaluate(ids.get(node.id)), commitments);
            node.storage.prepareNewKey(new KeyShare(keyId, requester.address(), t, serverKey, Optional.empty(), List.of(v)));
            node.storage.commit(keyId);
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

    SchnorrSigningSession startSchnorr(int masterIndex, H256 messageHash) {
        return startSchnorr(masterIndex, messageHash, keyId, requester);
    }

    SchnorrSigningSession startSchnorr(int masterIndex, H256 messageHash, H256 key, Requester who) {
        InMemoryCluster.Node master = cluster.node(masterIndex);
        SessionKey sk = new SessionKey(SessionType.SCHNORR_SIGNING, randomId(), master.id);
        if (offloaded) {
            return master.sessions.startMaster(sk, outbox -> SchnorrSigningSession.startMaster(sk, master, outbox,
                    master.sessions.reentry(sk), master.sessions.offload(sk), master.storage, acls.get(master.id), master.requesters(), key,
                    who, messageHash, RNG, master.storage.metadata(key), Optional.empty()));
        }
        return master.sessions.startMaster(sk, outbox -> SchnorrSigningSession.startMaster(sk, master, outbox,
                master.sessions.reentry(sk), master.storage, acls.get(master.id), master.requesters(), key, who, messageHash, RNG));
    }

    EcdsaSigningSession startEcdsa(int masterIndex, H256 messageHash) {
        return startEcdsa(masterIndex, messageHash, keyId, requester);
    }

    EcdsaSigningSession startEcdsa(int masterIndex, H256 messageHash, H256 key, Requester who) {
        InMemoryCluster.Node master = cluster.node(masterIndex);
        SessionKey sk = new SessionKey(SessionType.ECDSA_SIGNING, randomId(), master.id);
        if (offloaded) {
            return master.sessions.startMaster(sk, outbox -> EcdsaSigningSession.startMaster(sk, master, outbox,
                    master.sessions.reentry(sk), master.sessions.offload(sk), master.storage, acls.get(master.id), master.requesters(), key,
                    who, messageHash, RNG, master.storage.metadata(key), Optional.empty()));
        }
        return master.sessions.startMaster(sk, outbox -> EcdsaSigningSession.startMaster(sk, master, outbox,
                master.sessions.reentry(sk), master.storage, acls.get(master.id), master.requesters(), key, who, messageHash, RNG));
    }

    /** Starts a session of {@code scheme} ({@code "schnorr"} or {@code "ecdsa"}) mastered by node {@code masterIndex}. */
    KeyUseSession<byte[]> start(String scheme, int masterIndex, H256 messageHash) {
        return scheme.equals("schnorr") ? startSchnorr(masterIndex, messageHash) : startEcdsa(masterIndex, messageHash);
    }

    /** The requester's side of {@link #start}: the blob decrypts to a signature of {@code messageHash} under {@code Y}. */
    void assertSigned(String scheme, KeyUseSession<byte[]> s, H256 messageHash) {
        boolean valid;
        if (scheme.equals("schnorr")) {
            byte[] sig = open(s, SchnorrSigningSession.SIGNATURE_BLOB_LENGTH);
            valid = dev.secretstore.crypto.threshold.Schnorr.verify(serverKey, messageHash,
                    dev.secretstore.crypto.threshold.SchnorrSignature.fromBytes(sig));
        } else {
            byte[] sig = open(s, EcdsaSigningSession.SIGNATURE_BLOB_LENGTH);
            valid = serverKey.equals(dev.secretstore.crypto.Ecdsa.recover(dev.secretstore.crypto.RecoverableSignature.fromBytes(sig),
                    messageHash));
        }
        if (!valid) throw new AssertionError(scheme + " signature does not verify under the server key");
    }

    /** {@code d} with another body. */
    static InMemoryCluster.Delivery with(InMemoryCluster.Delivery d, dev.secretstore.protocol.session.SessionMessage body) {
        dev.secretstore.protocol.session.Envelope e = d.envelope();
        return new InMemoryCluster.Delivery(d.from(), d.to(),
                new dev.secretstore.protocol.session.Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    /** An interceptor: every partial signature (Schnorr) and {@code u_i} (ECDSA) that {@code liar} sends is off by one. */
    static java.util.function.Function<InMemoryCluster.Delivery, List<InMemoryCluster.Delivery>> lying(NodeId liar) {
        return d -> {
            dev.secretstore.protocol.session.SessionMessage b = d.envelope().body();
            if (d.from().equals(liar) && b instanceof SchnorrMessage.Partial p) {
                return List.of(with(d, new SchnorrMessage.Partial(p.attemptId(), p.partial().add(Scalar.ONE))));
            }
            if (d.from().equals(liar) && b instanceof EcdsaMessage.UShare u) {
                return List.of(with(d, new EcdsaMessage.UShare(u.attemptId(), u.u().add(Scalar.ONE), u.proof())));
            }
            return List.of(d);
        };
    }

    /** What the requester does with the HTTP result: decrypts the blob of the expected length. */
    byte[] open(KeyUseSession<byte[]> s, int expectedBlobLength) {
        byte[] blob = s.result().getNow(null);
        if (blob == null) throw new AssertionError("session did not finish successfully: " + s.failure());
        if (blob.length != expectedBlobLength) throw new AssertionError("blob length " + blob.length);
        return Ecies.decryptFromServer(requesterKeys.secret(), blob);
    }

    static SecretStoreException.Kind failureKind(KeyUseSession<?> s) {
        if (!s.isFinished()) throw new AssertionError("session still running");
        try {
            s.result().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("session succeeded");
    }
}
