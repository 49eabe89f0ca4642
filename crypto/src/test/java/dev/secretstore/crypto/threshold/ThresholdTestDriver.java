package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * In-memory test driver: runs all dealers of a verified DKG (§10.3.2 rounds 1, 2, 4, 5 without
 * faults) or a zero sharing (§10.3.6), every receiver performing every check.
 */
final class ThresholdTestDriver {
    private ThresholdTestDriver() {}

    static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Result of a DKG run. */
    record Run(IdNumbers ids, int t, Map<PublicPoint, Dkg.Dealer> dealers, Map<PublicPoint, CommitmentVector> pedersen,
            Map<PublicPoint, CommitmentVector> feldman, Map<PublicPoint, SecretScalar> shares, KeyCommitments key) {
        SecretScalar share(PublicPoint node) {
            return shares.get(node);
        }

        PublicPoint publicKey() {
            return key.publicKey();
        }
    }

    static Run run(IdNumbers ids, int t, PublicPoint h, SecureRandom rng) {
        Map<PublicPoint, Dkg.Dealer> dealers = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint node : ids.nodes()) {
            dealers.put(node, Dkg.Dealer.create(t, rng));
        }
        return run(ids, t, h, dealers);
    }

    static Run run(IdNumbers ids, int t, PublicPoint h, Map<PublicPoint, Dkg.Dealer> dealers) {
        Map<PublicPoint, CommitmentVector> pedersen = new TreeMap<>(NodeIds.ORDER);
        Map<PublicPoint, CommitmentVector> feldman = new TreeMap<>(NodeIds.ORDER);
        Map<PublicPoint, Map<PublicPoint, SharePair>> dealt = new TreeMap<>(NodeIds.ORDER);
        for (Map.Entry<PublicPoint, Dkg.Dealer> e : dealers.entrySet()) {
            pedersen.put(e.getKey(), e.getValue().pedersenCommitments(h));
            dealt.put(e.getKey(), e.getValue().deal(ids));
        }
        // round 2: every receiver checks every dealer's pair against C_i
        for (PublicPoint j : ids.nodes()) {
            for (PublicPoint i : dealers.keySet()) {
                Dkg.verifyPedersenShare(i, pedersen.get(i), t, ids.of(j), dealt.get(i).get(j), h);
            }
        }
        // round 4: Feldman extraction
        for (Map.Entry<PublicPoint, Dkg.Dealer> e : dealers.entrySet()) {
            feldman.put(e.getKey(), e.getValue().feldmanCommitments());
        }
        Map<PublicPoint, SecretScalar> shares = new TreeMap<>(NodeIds.ORDER);
        KeyCommitments key = Dkg.aggregate(feldman, t);
        for (PublicPoint j : ids.nodes()) {
            List<SecretScalar> mine = new java.util.ArrayList<>();
            for (PublicPoint i : dealers.keySet()) {
                SecretScalar f = dealt.get(i).get(j).f();
                Dkg.verifyFeldmanShare(i, feldman.get(i), t, ids.of(j), f);
                mine.add(f);
            }
            SecretScalar s = Dkg.combineShares(mine);
            Dkg.checkOwnShare(j, s, key, ids.of(j));
            shares.put(j, s);
        }
        dealt.values().forEach(m -> m.values().forEach(SharePair::destroy));
        return new Run(ids, t, dealers, pedersen, feldman, shares, key);
    }

    /** Result of a zero sharing: shares and the aggregated vector (slots 1..degree). */
    record ZeroRun(Map<PublicPoint, SecretScalar> shares, CommitmentVector aggregate) {}

    static ZeroRun runZero(IdNumbers ids, int degree, Map<PublicPoint, Polynomial> polys) {
        Map<PublicPoint, CommitmentVector> feldman = new TreeMap<>(NodeIds.ORDER);
        for (Map.Entry<PublicPoint, Polynomial> e : polys.entrySet()) {
            feldman.put(e.getKey(), e.getValue().feldman());
        }
        Map<PublicPoint, SecretScalar> shares = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint j : ids.nodes()) {
            List<SecretScalar> mine = new java.util.ArrayList<>();
            for (PublicPoint i : polys.keySet()) {
                SecretScalar f = polys.get(i).evaluate(ids.of(j));
                Dkg.verifyZeroShare(i, feldman.get(i), degree, ids.of(j), f);
                mine.add(f);
            }
            shares.put(j, Dkg.combineShares(mine));
        }
        return new ZeroRun(shares, Dkg.aggregateZero(feldman, degree));
    }

    static ZeroRun runZero(IdNumbers ids, int degree, SecureRandom rng) {
        Map<PublicPoint, Polynomial> polys = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint node : ids.nodes()) {
            polys.put(node, Polynomial.randomZeroConstant(degree, rng));
        }
        return runZero(ids, degree, polys);
    }

    /** The id numbers of {@code group} only (nested generations among a consensus group). */
    static IdNumbers restrict(IdNumbers ids, Collection<PublicPoint> group) {
        Map<PublicPoint, Scalar> m = new LinkedHashMap<>();
        for (PublicPoint p : group) {
            m.put(p, ids.of(p));
        }
        return IdNumbers.validate(group, m);
    }

    /** n random node ids. */
    static List<PublicPoint> randomNodes(int n, SecureRandom rng) {
        List<PublicPoint> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(SecretScalar.random(rng).mulG());
        }
        out.sort(NodeIds.ORDER);
        return out;
    }

    /** Σ_{i∈Q} L_i·s_i·G, for reconstruction checks (test-only: in production no node sees all shares). */
    static PublicPoint reconstructPublic(IdNumbers ids, Collection<PublicPoint> group, Map<PublicPoint, SecretScalar> shares) {
        Map<PublicPoint, Scalar> l = Lagrange.signedCoefficients(ids, group);
        SecretScalar acc = null;
        for (PublicPoint p : group) {
            SecretScalar term = shares.get(p).mul(l.get(p));
            acc = acc == null ? term : acc.add(term);
        }
        return acc.mulG();
    }
}
