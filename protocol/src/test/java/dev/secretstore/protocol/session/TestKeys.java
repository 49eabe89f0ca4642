package dev.secretstore.protocol.session;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.Polynomial;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyVersion;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
        Map<NodeId, Scalar> ids = randomIds(holders, rng);
        Polynomial g = Polynomial.randomWithConstant(secret, t, rng);
        List<PublicPoint> commitments = g.feldman().points();
        H256 hash = null;
        try {
            for (int i = 0; i < holders.size(); i++) {
                NodeId h = holders.get(i);
                KeyVersion v = new KeyVersion(ids, g.evaluate(ids.get(h)), commitments);
                hash = v.hash();
                cluster.node(h).storage.prepareVersion(keyId, v);
                if (committedOn.contains(i)) cluster.node(h).storage.commit(keyId);
            }
        } finally {
            g.destroy();
        }
        return hash;
    }
}
