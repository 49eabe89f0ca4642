package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Parity's threshold Schnorr signature (crypto.md §10.7) with the master-side checks of §11.4
 * (SEC-13). Node side: {@link SchnorrNonce#partialSign}. Everything here is public (variable time).
 */
public final class Schnorr {
    private Schnorr() {}

    /** {@code c = keccak256(mh ‖ R.X) mod n}; {@code ZERO_RESULT} if 0 (crypto.md §8). */
    public static Scalar challenge(H256 messageHash, PublicPoint r) {
        Scalar c = Scalar.reduce(Keccak256.hash(messageHash.toBytes(), r.x()));
        if (c.isZero()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "Schnorr challenge is zero");
        }
        return c;
    }

    /**
     * {@code R_i = A^{nonce}_{i,0}} per member from the nested nonce generation's Feldman vectors
     * (§10.3.5), each checked to have exactly {@code t+1} entries (SEC-03, dealer named).
     */
    public static Map<PublicPoint, PublicPoint> nonceCommitments(Map<PublicPoint, CommitmentVector> nestedFeldmanByDealer, int t) {
        Map<PublicPoint, PublicPoint> out = new java.util.TreeMap<>(NodeIds.ORDER);
        for (Map.Entry<PublicPoint, CommitmentVector> e : nestedFeldmanByDealer.entrySet()) {
            out.put(e.getKey(), e.getValue().requireDegree(t, false, e.getKey()).get(0));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** {@code R = Σ_{i∈Q} R_i}. */
    public static PublicPoint aggregateNonce(Collection<PublicPoint> nonceCommitments) {
        PointSum acc = new PointSum();
        for (PublicPoint p : nonceCommitments) {
            acc.add(p);
        }
        return acc.toPoint();
    }

    /** §11.4 check: {@code ps_i·G = R_i − c·L_i·Y_i} (L_i signed); failure names {@code node}. */
    public static void verifyPartial(PublicPoint node, Scalar partial, PublicPoint nonceCommitment, PublicPoint publicShare, Scalar c,
            Scalar signedLagrange) {
        PointSum acc = new PointSum().addMulGAndMul(partial, c.mul(signedLagrange), publicShare).subtract(nonceCommitment);
        if (!acc.isInfinity()) {
            throw NodeIds.fault(node, "Schnorr partial signature does not verify");
        }
    }

    /**
     * Master check of member {@code node}'s partial with {@code λ'_i} from the version's id numbers
     * and the group, {@code Y_i} from the stored commitments and {@code R_i = A^{nonce}_{i,0}} from the
     * nested generation (SEC-11).
     */
    public static void verifyPartial(PublicPoint node, Scalar partial, IdNumbers ids, Collection<PublicPoint> group, KeyCommitments key,
            PublicPoint nonceCommitment, Scalar c) {
        List<PublicPoint> g = ids.requireGroup(group, key.threshold() + 1);
        Scalar signedLagrange = Lagrange.signed(Lagrange.unsigned(ids, g, node), g.size());
        verifyPartial(node, partial, nonceCommitment, key.publicShare(ids.of(node)), c, signedLagrange);
    }

    /**
     * Master: verifies every partial (§11.4), sums them ({@code s = Σ ps_i}) and checks the full
     * signature under {@code Y} before it may be released.
     *
     * @param partials partial signature per member (exactly the group)
     * @param nonceCommitments {@code R_i} per member
     */
    public static SchnorrSignature combine(H256 messageHash, IdNumbers ids, Collection<PublicPoint> group, KeyCommitments key,
            Map<PublicPoint, Scalar> partials, Map<PublicPoint, PublicPoint> nonceCommitments) {
        List<PublicPoint> g = ids.requireGroup(group, key.threshold() + 1);
        for (PublicPoint node : g) {
            if (!partials.containsKey(node)) {
                throw NodeIds.invalid(node, "no partial signature");
            }
            if (!nonceCommitments.containsKey(node)) {
                throw NodeIds.invalid(node, "no nonce commitment");
            }
        }
        if (partials.size() != g.size() || nonceCommitments.size() != g.size()) {
            throw NodeIds.invalid("partials from outside the group (SEC-03)");
        }
        PublicPoint r = aggregateNonce(g.stream().map(nonceCommitments::get).toList());
        Scalar c = challenge(messageHash, r);
        Scalar s = Scalar.ZERO;
        for (PublicPoint node : g) {
            verifyPartial(node, partials.get(node), ids, g, key, nonceCommitments.get(node), c);
            s = s.add(partials.get(node));
        }
        SchnorrSignature sig = new SchnorrSignature(c, s);
        if (!verify(key.publicKey(), messageHash, sig)) {
            throw new CryptoException(CryptoException.Reason.VERIFICATION_FAILED, "combined Schnorr signature does not verify");
        }
        return sig;
    }

    /** {@code verify_schnorr_signature}: {@code R' = s·G + c·Y}; valid iff {@code keccak256(mh ‖ R'.X) mod n = c}. */
    public static boolean verify(PublicPoint serverKey, H256 messageHash, SchnorrSignature sig) {
        PointSum r = new PointSum().addMulGAndMul(sig.s(), sig.c(), serverKey);
        if (r.isInfinity()) {
            return false;
        }
        return Scalar.reduce(Keccak256.hash(messageHash.toBytes(), r.toPoint().x())).equals(sig.c());
    }
}
