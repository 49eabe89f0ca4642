package dev.secretstore.protocol.session;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Test fixture: key versions dealt with the real threshold math onto an {@link InMemoryCluster}'s storages. */
public final class TestKeys {
    private TestKeys() {}

    /** Distinct random id numbers for {@code holders}. */
    public static Map<NodeId, Scalar> randomIds(List<NodeId> holders, SecureRandom rng) {
        Map<NodeId, Scalar> ids = new TreeMap<>();
        Set<Scalar> used = new HashSet<>();
        for (NodeId h : holders) {
            Scalar x;
            do {
                SecretScalar r = SecretScalar.random(rng);
                x = r.reveal();
                r.destroy();
            } while (!used.add(x));
            ids.put(h, x);
        }
        return ids;
    }

    /**
     * Deals a new version of a committed key (fresh id numbers, a fresh degree-{@code t} polynomial with the
     * key's {@code secret}) to {@code holders}: the holders at the indexes {@code committedOn} commit it, the
     * others only prepare it, as after an interrupted share redistribution (issue #12 defect 1).
     *
     * @return the new version's hash
     */
    public static H256 addVersion(InMemoryCluster cluster, H256 keyId, List<NodeId> holders, int t, SecretScalar secret,
                                  Set<Integer> committedOn, SecureRandom rng) {
        Map<NodeId, KeyVersion> versions = versions(secret, t, randomIds(holders, rng), rng);
        for (int i = 0; i < holders.size(); i++) {
            NodeId h = holders.get(i);
            cluster.node(h).storage.prepareVersion(keyId, versions.get(h));
            if (committedOn.contains(i)) cluster.node(h).storage.commit(keyId);
        }
        return versions.get(holders.get(0)).hash();
    }

    /**
     * One consistent sharing of {@code secret} to the holders of {@code ids}: a fresh degree-{@code t}
     * polynomial g with g(0) = secret, each holder's version carrying g(x_h) and the commitments g_k·G, so it
     * passes the SEC-11 own-share check of every storage.
     */
    public static Map<NodeId, KeyVersion> versions(SecretScalar secret, int t, Map<NodeId, Scalar> ids, SecureRandom rng) {
        Polynomial g = Polynomial.randomWithConstant(secret, t, rng);
        try {
            List<PublicPoint> commitments = g.feldman().points();
            Map<NodeId, KeyVersion> out = new TreeMap<>();
            ids.forEach((h, x) -> out.put(h, new KeyVersion(ids, g.evaluate(x), commitments)));
            return out;
        } finally {
            g.destroy();
        }
    }

    /** A fresh key shared by a trusted dealer (the tests' shortcut for a DKG): its secret and each holder's {@link KeyShare}. */
    public record Sharing(SecretScalar secret, Map<NodeId, KeyShare> shares) {
        public KeyShare of(NodeId holder) {
            KeyShare s = shares.get(holder);
            if (s == null) throw new IllegalArgumentException("not a holder: " + holder.shortId());
            return s;
        }

        /** The public key Y = secret·G. */
        public PublicPoint publicKey() {
            return shares.values().iterator().next().publicKey();
        }
    }

    /** Deals a fresh random key of threshold {@code t} to the holders of {@code ids} (nothing is stored). */
    public static Sharing deal(H256 keyId, Address author, int t, Map<NodeId, Scalar> ids, Optional<DocumentKey> documentKey,
                               SecureRandom rng) {
        SecretScalar secret = SecretScalar.random(rng);
        PublicPoint y = secret.mulG();
        Map<NodeId, KeyShare> shares = new TreeMap<>();
        versions(secret, t, ids, rng).forEach((h, v) -> shares.put(h, new KeyShare(keyId, author, t, y, documentKey, List.of(v))));
        return new Sharing(secret, shares);
    }

    /** {@link #deal}s a fresh key and commits it on every holder's storage. */
    public static Sharing seed(InMemoryCluster cluster, H256 keyId, Address author, int t, Map<NodeId, Scalar> ids,
                               Optional<DocumentKey> documentKey, SecureRandom rng) {
        Sharing sharing = deal(keyId, author, t, ids, documentKey, rng);
        sharing.shares().forEach((h, share) -> {
            cluster.node(h).storage.prepareNewKey(share);
            cluster.node(h).storage.commit(keyId);
        });
        return sharing;
    }
}
