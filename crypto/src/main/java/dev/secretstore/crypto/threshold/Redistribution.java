package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.security.auth.Destroyable;

/**
 * Verifiable share redistribution (crypto.md §10.9 with the checks of §11.5, SEC-15). A group
 * {@code Q} of exactly {@code t+1} old holders each re-shares its share {@code s_i} with a fresh
 * degree-{@code t} polynomial {@code f_i}, {@code f_i(0) = s_i}, to the new node map {@code X'};
 * receivers combine with the signed Lagrange coefficients of {@code Q} over the old id numbers.
 * {@code Y} does not change; the threshold does not change.
 */
public final class Redistribution {
    private Redistribution() {}

    /** Old holder {@code i ∈ Q}: the re-sharing polynomial. Destroy after dealing. */
    public static final class Dealer implements Destroyable {
        private final Polynomial f;

        private Dealer(Polynomial f) {
            this.f = f;
        }

        /** {@code f_i} of degree {@code t} with {@code f_i(0) = share} (copied). */
        public static Dealer create(SecretScalar share, int t, SecureRandom rng) {
            return new Dealer(Polynomial.randomWithConstant(share, t, rng));
        }

        /** Injected polynomial (tests); takes ownership. */
        static Dealer of(Polynomial f) {
            return new Dealer(f);
        }

        /** Feldman vector {@code F_{i,k} = f_i[k]·G}, {@code F_{i,0} = Y_i}. */
        public CommitmentVector commitments() {
            return f.feldman();
        }

        /** {@code f_i(x'_j)} for every holder of the new map. */
        public Map<PublicPoint, SecretScalar> deal(IdNumbers newIds) {
            Map<PublicPoint, SecretScalar> out = new TreeMap<>(NodeIds.ORDER);
            for (PublicPoint node : newIds.nodes()) {
                out.put(node, f.evaluate(newIds.of(node)));
            }
            return out;
        }

        @Override
        public void destroy() {
            f.destroy();
        }

        @Override
        public boolean isDestroyed() {
            return f.isDestroyed();
        }

        @Override
        public String toString() {
            return "Redistribution.Dealer[t=" + f.degree() + ", redacted]";
        }
    }

    /**
     * Every receiver, per dealer: {@code len(F_i) = t+1} (SEC-03) and {@code F_{i,0} = Y_i}, the
     * dealer's public share in the old version's stored commitments (SEC-11).
     */
    public static void verifyDealerCommitments(PublicPoint dealer, CommitmentVector f, IdNumbers oldIds, KeyCommitments oldKey) {
        f.requireDegree(oldKey.threshold(), false, dealer);
        if (!f.get(0).equals(oldKey.publicShare(oldIds.of(dealer)))) {
            throw NodeIds.fault(dealer, "redistribution commitment F_0 is not the dealer's public share");
        }
    }

    /** Receiver {@code j}: {@link #verifyDealerCommitments} and {@code f_i(x'_j)·G = Σ_k x'^k_j·F_{i,k}}. */
    public static void verifySubshare(PublicPoint dealer, CommitmentVector f, IdNumbers oldIds, KeyCommitments oldKey, Scalar newX,
            SecretScalar subshare) {
        verifyDealerCommitments(dealer, f, oldIds, oldKey);
        if (!Dkg.feldmanHolds(f, newX, subshare)) {
            throw NodeIds.fault(dealer, "redistributed subshare does not match its Feldman commitments");
        }
    }

    private static Map<PublicPoint, Scalar> signedLagrange(IdNumbers oldIds, Collection<PublicPoint> group, int t, Map<PublicPoint, ?> byDealer) {
        List<PublicPoint> g = oldIds.requireGroup(group, t + 1);
        for (PublicPoint d : g) {
            if (!byDealer.containsKey(d)) {
                throw NodeIds.invalid(d, "no redistribution value from group member");
            }
        }
        if (byDealer.size() != g.size()) {
            throw NodeIds.invalid("redistribution values from outside the group (SEC-03)");
        }
        return Lagrange.signedCoefficients(oldIds, g);
    }

    /**
     * New commitment vector {@code A'_k = Σ_{i∈Q} L_i·F_{i,k}} after checking every dealer's vector;
     * then {@code A'_0 = Y} is required.
     */
    public static KeyCommitments newCommitments(IdNumbers oldIds, Collection<PublicPoint> group, KeyCommitments oldKey,
            Map<PublicPoint, CommitmentVector> commitmentsByDealer) {
        int t = oldKey.threshold();
        Map<PublicPoint, Scalar> l = signedLagrange(oldIds, group, t, commitmentsByDealer);
        List<PublicPoint> out = new ArrayList<>();
        for (int k = 0; k <= t; k++) {
            List<Scalar> coefficients = new ArrayList<>();
            List<PublicPoint> points = new ArrayList<>();
            for (Map.Entry<PublicPoint, Scalar> e : l.entrySet()) {
                CommitmentVector f = commitmentsByDealer.get(e.getKey());
                if (k == 0) {
                    verifyDealerCommitments(e.getKey(), f, oldIds, oldKey);
                }
                coefficients.add(e.getValue());
                points.add(f.get(k));
            }
            out.add(new PointSum().addSumOfProducts(coefficients, points).toPoint()); // one multi-scalar multiplication
        }
        KeyCommitments key = KeyCommitments.of(out);
        if (!key.publicKey().equals(oldKey.publicKey())) {
            throw new dev.secretstore.crypto.CryptoException(dev.secretstore.crypto.CryptoException.Reason.VERIFICATION_FAILED,
                    "redistributed commitments do not preserve the server key");
        }
        return key;
    }

    /** New share {@code s'_j = Σ_{i∈Q} L_i·f_i(x'_j)} (secret × public, constant time). Does not consume the inputs. */
    public static SecretScalar newShare(IdNumbers oldIds, Collection<PublicPoint> group, int t, Map<PublicPoint, SecretScalar> subsharesByDealer) {
        Map<PublicPoint, Scalar> l = signedLagrange(oldIds, group, t, subsharesByDealer);
        List<SecretScalar> terms = new ArrayList<>();
        try {
            for (Map.Entry<PublicPoint, Scalar> e : l.entrySet()) {
                terms.add(subsharesByDealer.get(e.getKey()).mul(e.getValue()));
            }
            return Dkg.combineShares(terms);
        } finally {
            terms.forEach(SecretScalar::destroy);
        }
    }

    /** Own-share check of a new holder: {@code s'_j·G = Y'_j} from the new commitments. */
    public static void checkOwnShare(PublicPoint self, SecretScalar newShare, KeyCommitments newKey, Scalar newX) {
        Dkg.checkOwnShare(self, newShare, newKey, newX);
    }
}
