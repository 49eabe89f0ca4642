package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Lagrange convention of crypto.md §10.2 (public values, variable time).
 *
 * <p>Parity's <em>unsigned</em> coefficient {@code λ'_i = Π_{j≠i} x_j / (x_i − x_j)}; the true
 * coefficient at zero is {@code L_i = (−1)^(|Q|−1)·λ'_i}, i.e. {@code (−1)^t·λ'_i} for a group of
 * {@code t+1} and {@code λ'_i} itself for the {@code 2t+1} group of ECDSA.
 */
public final class Lagrange {
    private Lagrange() {}

    /**
     * λ'_i for {@code xi} against the other members' id numbers. Every difference must be non-zero
     * ({@code ZERO_RESULT}, crypto.md §9).
     */
    public static Scalar unsigned(Scalar xi, Collection<Scalar> others) {
        Scalar num = Scalar.ONE;
        Scalar den = Scalar.ONE;
        for (Scalar xj : others) {
            Scalar diff = xi.sub(xj);
            if (diff.isZero()) {
                throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "two group members have the same id number");
            }
            num = num.mul(xj);
            den = den.mul(diff);
        }
        return num.mul(den.inverse());
    }

    /** λ'_i for every member of {@code group} (holders of {@code ids}), keyed by node id, ascending. */
    public static Map<PublicPoint, Scalar> unsignedCoefficients(IdNumbers ids, Collection<PublicPoint> group) {
        List<PublicPoint> g = ids.requireGroup(group, group.size());
        TreeMap<PublicPoint, Scalar> out = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint i : g) {
            out.put(i, unsigned(ids, g, i));
        }
        return Collections.unmodifiableMap(out);
    }

    /** λ'_i of {@code member} within {@code group}. */
    public static Scalar unsigned(IdNumbers ids, Collection<PublicPoint> group, PublicPoint member) {
        Scalar xi = ids.of(member);
        List<Scalar> others = new java.util.ArrayList<>();
        boolean found = false;
        for (PublicPoint j : group) {
            if (j.equals(member)) {
                found = true;
            } else {
                others.add(ids.of(j));
            }
        }
        if (!found) {
            throw NodeIds.invalid(member, "is not a member of the group");
        }
        return unsigned(xi, others);
    }

    /** L_i = (−1)^(groupSize−1)·λ'_i, the true Lagrange coefficient at zero. */
    public static Scalar signed(Scalar unsignedCoefficient, int groupSize) {
        return ((groupSize - 1) & 1) == 0 ? unsignedCoefficient : unsignedCoefficient.negate();
    }

    /** L_i for every member of {@code group}. */
    public static Map<PublicPoint, Scalar> signedCoefficients(IdNumbers ids, Collection<PublicPoint> group) {
        TreeMap<PublicPoint, Scalar> out = new TreeMap<>(NodeIds.ORDER);
        for (Map.Entry<PublicPoint, Scalar> e : unsignedCoefficients(ids, group).entrySet()) {
            out.put(e.getKey(), signed(e.getValue(), group.size()));
        }
        return Collections.unmodifiableMap(out);
    }

    /** "Negate if t is odd", the sign Parity applies at the end of every reconstruction (§10.2). */
    public static boolean negateForThreshold(int t) {
        return (t & 1) == 1;
    }
}
