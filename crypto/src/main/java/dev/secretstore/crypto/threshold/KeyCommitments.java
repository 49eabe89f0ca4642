package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregated commitment vector {@code A_0..A_t} of a key version (crypto.md §10.3.2 results),
 * persisted with the version. {@code Y = A_0}; the public share of holder {@code m} is
 * {@code Y_m = Σ_k x_m^k·A_k}. Every later verification takes {@code Y_m} from here, never from a
 * message (SEC-11). Immutable; public.
 *
 * @param vector {@code A_0..A_t}
 */
public record KeyCommitments(CommitmentVector vector) {
    public KeyCommitments {
        if (vector.zeroConstant() || vector.points().isEmpty()) {
            throw NodeIds.invalid("a key's commitment vector has a constant term");
        }
    }

    public static KeyCommitments of(List<PublicPoint> points) {
        return new KeyCommitments(CommitmentVector.of(points));
    }

    /** The threshold {@code t} (degree of the shared polynomial). */
    public int threshold() {
        return vector.degree();
    }

    /** The server key {@code Y = A_0}. */
    public PublicPoint publicKey() {
        return vector.get(0);
    }

    /** {@code Y_m = Σ_k x_m^k·A_k} (public, variable time). */
    public PublicPoint publicShare(Scalar x) {
        return vector.evaluatePoint(x);
    }

    /** {@code factor·Y_m = Σ_k (factor·x_m^k)·A_k} as one multi-scalar multiplication (public, variable time); may be infinity. */
    public PointSum scaledPublicShare(Scalar x, Scalar factor) {
        return vector.evaluate(x, factor);
    }

    /** Public shares of every holder of {@code ids}. */
    public List<PublicPoint> publicShares(IdNumbers ids) {
        List<PublicPoint> out = new ArrayList<>();
        for (PublicPoint node : ids.nodes()) {
            out.add(publicShare(ids.of(node)));
        }
        return out;
    }
}
