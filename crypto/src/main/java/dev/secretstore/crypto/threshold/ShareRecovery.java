package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.security.auth.Destroyable;

/**
 * Verifiable share recovery ("enrollment", SEC-40): a holder {@code j} of a key version that lacks its share
 * {@code s_j = F(x_j)} gets it from a group {@code Q} of exactly {@code t+1} other holders of the same version,
 * without anyone, {@code j} included, learning another holder's share or the key.
 *
 * <p>Each helper {@code i ∈ Q} computes {@code δ_i = λ_i(x_j)·s_i} with the Lagrange coefficient at {@code x_j}
 * over {@code Q}, {@code λ_i(x_j) = Π_{m∈Q, m≠i} (x_j − x_m)/(x_i − x_m)}, so {@code Σ_i δ_i = F(x_j)}. It splits
 * {@code δ_i} into {@code t+1} random additive pieces {@code r_{i,k}} (one per {@code k ∈ Q}) and publishes the
 * points {@code R_{i,k} = r_{i,k}·G}; everybody checks {@code Σ_k R_{i,k} = λ_i(x_j)·Y_i} with {@code Y_i} from the
 * version's stored commitments (SEC-11). Helper {@code k} checks each piece it receives against its point, sums
 * {@code σ_k = Σ_i r_{i,k}} and sends it to {@code j}, which checks {@code σ_k·G = Σ_i R_{i,k}} and finally
 * {@code s_j·G = Y_j}. Pieces are masks: {@code j} sees only column sums, so {@code j} together with fewer than
 * {@code t} helpers learns nothing about another helper's {@code δ_i} (Stinson and Wei, "Unconditionally secure
 * proactive secret sharing scheme with combinatorial structures", SAC 1999; Laing and Stinson, "A survey and
 * refinement of repairable threshold schemes", JMC 2018, §3 "enrollment").
 *
 * <p>Every check failure names its culprit ({@link dev.secretstore.crypto.CryptoException#culprit()}).
 * Secrets are {@link SecretScalar}s (constant time); the helper's pieces are destroyed with it.
 */
public final class ShareRecovery {
    private ShareRecovery() {}

    /**
     * The helper group in ascending node-id order after checking it (SEC-03): exactly {@code t+1} distinct
     * holders of {@code ids}, {@code target} a holder and not in the group.
     */
    public static List<PublicPoint> requireHelpers(IdNumbers ids, Collection<PublicPoint> helpers, PublicPoint target, int t) {
        if (!ids.contains(target)) {
            throw NodeIds.invalid(target, "is not a holder of the version to recover");
        }
        List<PublicPoint> group = ids.requireGroup(helpers, t + 1);
        if (group.contains(target)) {
            throw NodeIds.invalid(target, "cannot help recover its own share");
        }
        return group;
    }

    /** {@code λ_i(x_j) = Π_{m∈Q, m≠i} (x_j − x_m)/(x_i − x_m)} (public). */
    public static Scalar coefficient(IdNumbers ids, List<PublicPoint> helpers, PublicPoint helper, PublicPoint target) {
        Scalar xi = ids.of(helper);
        Scalar xj = ids.of(target);
        Scalar num = Scalar.ONE;
        Scalar den = Scalar.ONE;
        boolean found = false;
        for (PublicPoint m : helpers) {
            if (m.equals(helper)) {
                found = true;
                continue;
            }
            Scalar xm = ids.of(m);
            num = num.mul(xj.sub(xm));
            den = den.mul(xi.sub(xm));
        }
        if (!found) {
            throw NodeIds.invalid(helper, "is not a member of the helper group");
        }
        if (den.isZero() || num.isZero()) {
            throw NodeIds.invalid("two members of the recovery have the same id number");
        }
        return num.mul(den.inverse());
    }

    /** Helper {@code i}: its masked contribution {@code δ_i} as {@code t+1} pieces, one per helper. Destroy after use. */
    public static final class Helper implements Destroyable {
        private final List<PublicPoint> helpers;
        private final List<SecretScalar> pieces;
        private final List<PublicPoint> points;

        private Helper(List<PublicPoint> helpers, List<SecretScalar> pieces) {
            this.helpers = helpers;
            this.pieces = pieces;
            List<PublicPoint> r = new ArrayList<>();
            for (SecretScalar p : pieces) {
                r.add(p.mulG());
            }
            this.points = List.copyOf(r);
        }

        /**
         * Splits {@code δ_i = λ_i(x_j)·share} for helper {@code self} ({@code share} is its own, not consumed) into
         * non-zero random pieces summing to {@code δ_i}.
         */
        public static Helper create(PublicPoint self, SecretScalar share, IdNumbers ids, Collection<PublicPoint> helperGroup,
                PublicPoint target, int t, SecureRandom rng) {
            List<PublicPoint> group = requireHelpers(ids, helperGroup, target, t);
            Scalar lambda = coefficient(ids, group, self, target);
            SecretScalar delta = share.mul(lambda);
            List<SecretScalar> pieces = new ArrayList<>();
            try {
                while (true) {
                    SecretScalar rest = delta.copy();
                    for (int k = 0; k < group.size() - 1; k++) {
                        SecretScalar r = SecretScalar.random(rng); // non-zero
                        SecretScalar next = rest.sub(r);
                        rest.destroy();
                        rest = next;
                        pieces.add(r);
                    }
                    if (!rest.isZero()) { // probability 1/n of a redraw; only the redraw is revealed
                        pieces.add(rest);
                        return new Helper(group, pieces);
                    }
                    rest.destroy();
                    pieces.forEach(SecretScalar::destroy);
                    pieces.clear();
                }
            } finally {
                delta.destroy();
            }
        }

        /** {@code R_{i,k}} for every helper {@code k}, in the group's order. Public. */
        public List<PublicPoint> points() {
            return points;
        }

        /** A copy of the piece {@code r_{i,k}} for helper {@code k}; the caller destroys it after sending. */
        public SecretScalar pieceFor(PublicPoint k) {
            int index = helpers.indexOf(k);
            if (index < 0) {
                throw NodeIds.invalid(k, "is not a member of the helper group");
            }
            return pieces.get(index).copy();
        }

        @Override
        public void destroy() {
            pieces.forEach(SecretScalar::destroy);
        }

        @Override
        public boolean isDestroyed() {
            return pieces.stream().allMatch(SecretScalar::isDestroyed);
        }

        @Override
        public String toString() {
            return "ShareRecovery.Helper[" + helpers.size() + " pieces, redacted]";
        }
    }

    /**
     * Everybody, on helper {@code dealer}'s points: exactly {@code t+1} of them (SEC-03) and
     * {@code Σ_k R_{i,k} = λ_i(x_j)·Y_i} with {@code Y_i} from the stored commitments (SEC-11).
     */
    public static void verifyPoints(PublicPoint dealer, List<PublicPoint> points, IdNumbers ids, List<PublicPoint> helpers,
            PublicPoint target, KeyCommitments key) {
        if (points.size() != helpers.size() || helpers.size() != key.threshold() + 1) {
            throw NodeIds.invalid(dealer, "sent " + points.size() + " recovery points, expected exactly " + (key.threshold() + 1)
                    + " (SEC-03)");
        }
        PointSum acc = key.scaledPublicShare(ids.of(dealer), coefficient(ids, helpers, dealer, target));
        for (PublicPoint r : points) {
            acc.subtract(r);
        }
        if (!acc.isInfinity()) {
            throw NodeIds.fault(dealer, "recovery points do not sum to its scaled public share");
        }
    }

    /** Helper {@code k}: the piece {@code dealer} sent it matches {@code R_{i,k}} (its own index in the group). */
    public static void verifyPiece(PublicPoint dealer, List<PublicPoint> points, List<PublicPoint> helpers, PublicPoint self,
            SecretScalar piece) {
        int index = helpers.indexOf(self);
        if (index < 0 || points.size() != helpers.size()) {
            throw NodeIds.invalid(dealer, "recovery points of the wrong length or for another group (SEC-03)");
        }
        if (piece.isZero() || !piece.mulG().equals(points.get(index))) {
            throw NodeIds.fault(dealer, "recovery piece does not match its point");
        }
    }

    /** Helper {@code k}: {@code σ_k = Σ_i r_{i,k}}. Does not consume the pieces. */
    public static SecretScalar sumPieces(Collection<SecretScalar> pieces) {
        return Dkg.combineShares(pieces);
    }

    /** Target: {@code σ_k·G = Σ_i R_{i,k}} over the column of points the target holds for helper {@code k}. */
    public static void verifySum(PublicPoint helper, SecretScalar sigma, List<PublicPoint> column) {
        PointSum acc = new PointSum();
        for (PublicPoint r : column) {
            acc.add(r);
        }
        Dkg.subtractSecretMul(acc, sigma, null);
        if (!acc.isInfinity()) {
            throw NodeIds.fault(helper, "recovery sum does not match the pieces' points");
        }
    }

    /**
     * Target: {@code s_j = Σ_k σ_k} over exactly the helper group, then the own-share check
     * {@code s_j·G = Y_j} (SEC-11). Does not consume the sums.
     */
    public static SecretScalar recover(PublicPoint target, Map<PublicPoint, SecretScalar> sums, List<PublicPoint> helpers,
            IdNumbers ids, KeyCommitments key) {
        if (sums.size() != helpers.size() || !sums.keySet().containsAll(helpers) || helpers.size() != key.threshold() + 1) {
            throw NodeIds.invalid("recovery sums from exactly the helper group are required (SEC-03)");
        }
        SecretScalar share = Dkg.combineShares(sums.values());
        try {
            Dkg.checkOwnShare(target, share, key, ids.of(target));
        } catch (RuntimeException e) {
            share.destroy();
            throw e;
        }
        return share;
    }

    /** The column {@code R_{i,k}} for helper {@code k} from every helper's points, in the group's order. */
    public static List<PublicPoint> column(Map<PublicPoint, List<PublicPoint>> pointsByDealer, List<PublicPoint> helpers, PublicPoint k) {
        int index = helpers.indexOf(k);
        if (index < 0) {
            throw NodeIds.invalid(k, "is not a member of the helper group");
        }
        List<PublicPoint> out = new ArrayList<>();
        for (PublicPoint i : helpers) {
            List<PublicPoint> points = pointsByDealer.get(i);
            if (points == null || points.size() != helpers.size()) {
                throw NodeIds.invalid(i, "no recovery points of the right length");
            }
            out.add(points.get(index));
        }
        return Collections.unmodifiableList(out);
    }
}
