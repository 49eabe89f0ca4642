package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.H256;
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
 * Verified distributed key generation math (crypto.md §10.3.2, Pedersen phase then Feldman
 * extraction after Gennaro–Jarecki–Krawczyk–Rabin; SEC-09, SEC-10, SEC-11). The multi-round session
 * is the node protocol's job; this class holds the dealer and receiver computations it needs.
 *
 * <p>Secret arithmetic (polynomials, shares, {@code s·G}, {@code s·H}) is constant time; the
 * right-hand sides {@code Σ x^k·V_k} are public and computed with {@link PointSum} (variable time,
 * may be infinity on hostile input).
 */
public final class Dkg {
    private Dkg() {}

    /** Who a Feldman-phase complaint puts at fault (§10.3.2 round 4). */
    public enum Blame { DEALER, COMPLAINER }

    /**
     * Outcome of judging a Feldman complaint.
     *
     * @param culprit the node at fault
     * @param blame whether that is the dealer or the complainer
     */
    public record ComplaintVerdict(PublicPoint culprit, Blame blame) {
        @Override
        public String toString() {
            return "ComplaintVerdict[" + blame + " " + NodeIds.label(culprit) + "]";
        }
    }

    /** Dealer {@code i}'s secret polynomials {@code f_i}, {@code g_i} (round 1). Destroy after the session. */
    public static final class Dealer implements Destroyable {
        private final Polynomial f;
        private final Polynomial g;
        /** {@code f_k·G}, computed once: inside the Pedersen vector (round 1) and as the Feldman vector (round 4). */
        private CommitmentVector feldman;

        private Dealer(Polynomial f, Polynomial g) {
            this.f = f;
            this.g = g;
        }

        /** Draws {@code f_i}, {@code g_i} of degree {@code t} with {@code f_i[0] ≠ 0}. */
        public static Dealer create(int t, SecureRandom rng) {
            return new Dealer(Polynomial.random(t, rng), Polynomial.random(t, rng));
        }

        /**
         * As {@link #create} with hedged coefficients (SEC-08): for nested nonce generations
         * ({@code r_i}, {@code k}, {@code e}). {@code context} must differ per purpose and attempt.
         */
        public static Dealer createHedged(int t, SecretScalar longTermSecret, byte[] context, SecureRandom rng) {
            byte[] gContext = java.util.Arrays.copyOf(context, context.length + 1);
            gContext[context.length] = 'g';
            return new Dealer(Polynomial.randomHedged(t, false, longTermSecret, context, rng),
                    Polynomial.randomHedged(t, false, longTermSecret, gContext, rng));
        }

        /** Injected polynomials (known-answer vectors); the dealer takes ownership. */
        static Dealer of(Polynomial f, Polynomial g) {
            if (f.degree() != g.degree()) {
                throw NodeIds.invalid("f and g must have the same degree");
            }
            return new Dealer(f, g);
        }

        public int threshold() {
            return f.degree();
        }

        /** Pedersen vector {@code C_i}, broadcast in round 1. */
        public CommitmentVector pedersenCommitments(PublicPoint h) {
            return f.pedersen(g, h, feldmanCommitments());
        }

        /** Feldman vector {@code A_i}, broadcast in round 4 (public once computed). */
        public CommitmentVector feldmanCommitments() {
            if (feldman == null) {
                feldman = f.feldman();
            }
            return feldman;
        }

        /** The pair {@code (f_i(x), g_i(x))} for the receiver with id number {@code x}. */
        public SharePair shareFor(Scalar x) {
            if (x.isZero()) {
                throw NodeIds.invalid("refusing to evaluate at id number 0 (SEC-02)");
            }
            return new SharePair(f.evaluate(x), g.evaluate(x));
        }

        /** Pairs for every holder of {@code ids} (including the dealer itself). */
        public Map<PublicPoint, SharePair> deal(IdNumbers ids) {
            Map<PublicPoint, SharePair> out = new TreeMap<>(NodeIds.ORDER);
            for (PublicPoint node : ids.nodes()) {
                out.put(node, shareFor(ids.of(node)));
            }
            return out;
        }

        /** A copy of the free coefficient {@code f_i[0]} (Schnorr's {@code r_i}, §10.3.5). */
        public SecretScalar freeCoefficient() {
            return f.constantTerm();
        }

        @Override
        public void destroy() {
            f.destroy();
            g.destroy();
        }

        @Override
        public boolean isDestroyed() {
            return f.isDestroyed();
        }

        @Override
        public String toString() {
            return "Dkg.Dealer[t=" + threshold() + ", redacted]";
        }
    }

    // ---------------------------------------------------------------- receiver side

    /** True iff {@code f·G + g·H = Σ x^k·C_k} (public check of secret values; no exception). */
    static boolean pedersenHolds(CommitmentVector c, Scalar x, SharePair pair, PublicPoint h) {
        PointSum acc = c.evaluate(x);
        subtractSecretMul(acc, pair.f(), null);
        subtractSecretMul(acc, pair.g(), h);
        return acc.isInfinity();
    }

    /** True iff {@code f·G = Σ x^k·A_k}. */
    static boolean feldmanHolds(CommitmentVector a, Scalar x, SecretScalar f) {
        PointSum acc = a.evaluate(x);
        subtractSecretMul(acc, f, null);
        return acc.isInfinity();
    }

    /** acc −= s·base (base null = G), constant time in s; a zero s contributes nothing. */
    static void subtractSecretMul(PointSum acc, SecretScalar s, PublicPoint base) {
        if (s.isZero()) {
            return; // only the zero-ness of a received value is revealed
        }
        acc.subtract(base == null ? s.mulG() : s.mul(base));
    }

    /**
     * Round 2, receiver {@code j}: checks {@code len(C_i) = t+1} exactly (SEC-03) and
     * {@code f_i(x_j)·G + g_i(x_j)·H = Σ_k x_j^k·C_{i,k}}. Failure (→ complaint) names the dealer.
     */
    public static void verifyPedersenShare(PublicPoint dealer, CommitmentVector c, int t, Scalar xj, SharePair pair, PublicPoint h) {
        c.requireDegree(t, false, dealer);
        if (!pedersenHolds(c, xj, pair, h)) {
            throw NodeIds.fault(dealer, "share pair does not match its Pedersen commitments");
        }
    }

    /**
     * Round 3, every node: checks a pair dealer {@code i} revealed in clear for a round-2 complaint.
     * Passing resolves the complaint without blame (the complainer then uses the revealed pair);
     * failing puts the dealer at fault (exception naming it).
     */
    public static void resolvePedersenComplaint(PublicPoint dealer, CommitmentVector c, int t, Scalar complainerX, SharePair revealed, PublicPoint h) {
        c.requireDegree(t, false, dealer);
        if (!pedersenHolds(c, complainerX, revealed, h)) {
            throw NodeIds.fault(dealer, "revealed share pair does not match its Pedersen commitments");
        }
    }

    /**
     * Round 4, receiver {@code j}: checks {@code len(A_i) = t+1} (SEC-03) and
     * {@code f_i(x_j)·G = Σ_k x_j^k·A_{i,k}}. Failure (→ Feldman complaint) names the dealer.
     */
    public static void verifyFeldmanShare(PublicPoint dealer, CommitmentVector a, int t, Scalar xj, SecretScalar f) {
        a.requireDegree(t, false, dealer);
        if (!feldmanHolds(a, xj, f)) {
            throw NodeIds.fault(dealer, "share does not match its Feldman commitments");
        }
    }

    /**
     * Round 4, every node: judges a Feldman complaint by {@code complainer} against {@code dealer},
     * carrying the pair in clear. The dealer is at fault iff the pair passes the Pedersen check
     * against {@code C_i} and fails the Feldman check against {@code A_i}; otherwise the complainer
     * is (§10.3.2). Vector-length errors name the dealer.
     */
    public static ComplaintVerdict judgeFeldmanComplaint(PublicPoint dealer, PublicPoint complainer, CommitmentVector c,
            CommitmentVector a, int t, Scalar complainerX, SharePair revealed, PublicPoint h) {
        c.requireDegree(t, false, dealer);
        a.requireDegree(t, false, dealer);
        if (pedersenHolds(c, complainerX, revealed, h) && !feldmanHolds(a, complainerX, revealed.f())) {
            return new ComplaintVerdict(dealer, Blame.DEALER);
        }
        return new ComplaintVerdict(complainer, Blame.COMPLAINER);
    }

    /**
     * Equivocation check (round 3): the hashes of dealer {@code i}'s vector reported by each node
     * must all equal the hash of the vector this node received.
     */
    public static void checkReportedHashes(PublicPoint dealer, CommitmentVector received, Map<PublicPoint, H256> reportedByNode) {
        H256 own = received.hash();
        for (Map.Entry<PublicPoint, H256> e : reportedByNode.entrySet()) {
            if (!own.equals(e.getValue())) {
                throw NodeIds.fault(dealer, "equivocation: " + NodeIds.label(e.getKey()) + " reports a different commitment vector");
            }
        }
    }

    /**
     * A dealer that receives round-2 complaints from more than {@code t} nodes is at fault
     * (§10.3.2): with more than {@code t} honest complainers the dealer cannot be honest.
     */
    public static void checkComplaintCount(PublicPoint dealer, int distinctComplainers, int t) {
        if (distinctComplainers > t) {
            throw NodeIds.fault(dealer, distinctComplainers + " nodes complained, more than the threshold " + t);
        }
    }

    // ---------------------------------------------------------------- results (round 5)

    /** Own share {@code s_j = Σ_i f_i(x_j)} (secret sum, constant time). Does not consume the inputs. */
    public static SecretScalar combineShares(Collection<SecretScalar> sharesFromDealers) {
        if (sharesFromDealers.isEmpty()) {
            throw NodeIds.invalid("no dealer shares");
        }
        SecretScalar acc = null;
        for (SecretScalar s : sharesFromDealers) {
            SecretScalar next = acc == null ? s.copy() : acc.add(s);
            if (acc != null) {
                acc.destroy();
            }
            acc = next;
        }
        return acc;
    }

    /**
     * {@code A_k = Σ_i A_{i,k}} over every dealer's Feldman vector, each checked to have exactly
     * {@code t+1} entries (SEC-03, dealer named). {@code Y = A_0}.
     */
    public static KeyCommitments aggregate(Map<PublicPoint, CommitmentVector> feldmanByDealer, int t) {
        return new KeyCommitments(sum(feldmanByDealer, t, false));
    }

    /** Aggregate of zero-sharing vectors (slots {@code 1..degree}). */
    public static CommitmentVector aggregateZero(Map<PublicPoint, CommitmentVector> feldmanByDealer, int degree) {
        return sum(feldmanByDealer, degree, true);
    }

    private static CommitmentVector sum(Map<PublicPoint, CommitmentVector> byDealer, int degree, boolean zero) {
        if (byDealer.isEmpty()) {
            throw NodeIds.invalid("no dealers");
        }
        int len = zero ? degree : degree + 1;
        PointSum[] acc = new PointSum[len];
        for (int k = 0; k < len; k++) {
            acc[k] = new PointSum();
        }
        for (Map.Entry<PublicPoint, CommitmentVector> e : byDealer.entrySet()) {
            CommitmentVector v = e.getValue().requireDegree(degree, zero, e.getKey());
            for (int k = 0; k < len; k++) {
                acc[k].add(v.points().get(k));
            }
        }
        List<PublicPoint> out = new ArrayList<>();
        for (PointSum s : acc) {
            out.add(s.toPoint()); // infinity here is ZERO_RESULT (negligible for honest dealers)
        }
        return new CommitmentVector(out, zero);
    }

    /**
     * Own-share check before committing the version (§10.3.2 round 5, SEC-11): {@code s_j·G = Y_j}
     * with {@code Y_j} from the aggregated vector.
     */
    public static void checkOwnShare(PublicPoint self, SecretScalar share, KeyCommitments commitments, Scalar x) {
        if (!feldmanHolds(commitments.vector(), x, share)) {
            throw NodeIds.fault(self, "own share does not match the aggregated commitments");
        }
    }

    // ---------------------------------------------------------------- zero sharings (§10.3.6)

    /**
     * Receiver check of a zero-sharing share: vector of exactly {@code degree} entries (slots
     * {@code 1..degree}, SEC-03) and {@code f_i(x_j)·G = Σ_{k≥1} x_j^k·A_{i,k}}; names the dealer.
     */
    public static void verifyZeroShare(PublicPoint dealer, CommitmentVector a, int degree, Scalar xj, SecretScalar f) {
        a.requireDegree(degree, true, dealer);
        if (!feldmanHolds(a, xj, f)) {
            throw NodeIds.fault(dealer, "zero-sharing share does not match its Feldman commitments");
        }
    }
}
