package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A public commitment vector (Pedersen {@code C_i}, Feldman {@code A_i}, redistribution {@code F_i},
 * or an aggregate). Entries are validated points (never infinity). For a sharing of zero
 * ({@code zeroConstant}), the entries are slots {@code 1..d} and slot 0 is implicitly infinity
 * (crypto.md §10.3.6). Immutable.
 *
 * @param points the entries as transmitted
 * @param zeroConstant whether slot 0 is omitted (zero sharing)
 */
public record CommitmentVector(List<PublicPoint> points, boolean zeroConstant) {
    /** Tag of {@link #hash()} (the round-2 per-dealer verdict hash; to be registered in crypto.md §11.7). */
    public static final String HASH_TAG = "secretstore/v1/commitment-vector";

    public CommitmentVector {
        points = List.copyOf(points);
    }

    public static CommitmentVector of(List<PublicPoint> points) {
        return new CommitmentVector(points, false);
    }

    /** Degree of the committed polynomial. */
    public int degree() {
        return zeroConstant ? points.size() : points.size() - 1;
    }

    /** Slot {@code k} (for a zero sharing, {@code k ≥ 1}). */
    public PublicPoint get(int k) {
        return points.get(zeroConstant ? k - 1 : k);
    }

    /**
     * Checks the exact length for degree {@code degree} (SEC-03: {@code t+1} entries, or {@code 2t}
     * for a zero sharing) and the expected kind; names {@code sender} on failure.
     */
    public CommitmentVector requireDegree(int degree, boolean expectZeroConstant, PublicPoint sender) {
        if (zeroConstant != expectZeroConstant) {
            throw NodeIds.invalid(sender, "commitment vector of the wrong kind");
        }
        int expected = expectZeroConstant ? degree : degree + 1;
        if (points.size() != expected) {
            throw NodeIds.invalid(sender, "commitment vector has " + points.size() + " entries, expected exactly " + expected + " (SEC-03)");
        }
        return this;
    }

    /** {@code Σ_k x^k·V_k} (public, variable time); may be infinity. */
    public PointSum evaluate(Scalar x) {
        return evaluate(x, Scalar.ONE);
    }

    /** {@code factor·Σ_k x^k·V_k = Σ_k (factor·x^k)·V_k}, one multi-scalar multiplication (public, variable time); may be infinity. */
    public PointSum evaluate(Scalar x, Scalar factor) {
        List<Scalar> powers = new java.util.ArrayList<>(points.size());
        Scalar pow = zeroConstant ? x.mul(factor) : factor;
        for (int k = 0; k < points.size(); k++) {
            powers.add(pow);
            pow = pow.mul(x);
        }
        return new PointSum().addSumOfProducts(powers, points);
    }

    /** {@code Σ_k x^k·V_k} as a point; {@code ZERO_RESULT} if it is infinity. */
    public PublicPoint evaluatePoint(Scalar x) {
        return evaluate(x).toPoint();
    }

    /**
     * {@code keccak256(enc(tag) ‖ enc(kind) ‖ enc(V_0) ‖ … )} with 4-byte length prefixes: the
     * per-dealer hash nodes compare to detect equivocation (§10.3.2 round 2).
     */
    public H256 hash() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcript.append(out, HASH_TAG.getBytes(StandardCharsets.US_ASCII));
        Transcript.append(out, new byte[] {(byte) (zeroConstant ? 1 : 0)});
        for (PublicPoint p : points) {
            Transcript.append(out, p.toBytes());
        }
        return H256.fromBytes(Keccak256.hash(out.toByteArray()));
    }

    @Override
    public String toString() {
        return "CommitmentVector[degree=" + degree() + (zeroConstant ? ", zero constant" : "") + ", " + points + "]";
    }
}
