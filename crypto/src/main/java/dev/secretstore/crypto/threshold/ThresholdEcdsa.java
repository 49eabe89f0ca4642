package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PointSum;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.Secp256k1;
import dev.secretstore.crypto.SecretScalar;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.security.auth.Destroyable;

/**
 * Parity's honest-majority threshold ECDSA (crypto.md §10.8) with the checks of §11.5 (SEC-14).
 *
 * <p>Three nested sharings among the group {@code Q} of exactly {@code 2t+1} holders ({@code 2t < N}):
 * nonce {@code k} and inversion nonce {@code e} (degree {@code t}, run with {@link Dkg}) and a zero
 * sharing of degree {@code 2t}. Node: {@link NonceShares#computeU} then
 * {@link NonceShares#signatureShare}. Master: {@link #verifyU}, {@link #invertU},
 * {@link #combineSignature}.
 */
public final class ThresholdEcdsa {
    private ThresholdEcdsa() {}

    /** Refuses ECDSA unless {@code 2t < N} (SEC-14). */
    public static void requireHonestMajority(int t, int holders) {
        if (2 * t >= holders) {
            throw NodeIds.invalid("threshold ECDSA needs 2t < N (t=" + t + ", N=" + holders + ") (SEC-14)");
        }
    }

    /**
     * Checks the group: exactly {@code 2t+1} distinct holders of the version, {@code 2t < N},
     * {@code t ≥ 1}. For {@code t = 0} the master signs locally with its share (crypto.md §10.8, §4).
     */
    public static List<PublicPoint> requireGroup(IdNumbers ids, Collection<PublicPoint> group, int t) {
        if (t < 1) {
            throw NodeIds.invalid("threshold ECDSA needs t >= 1; for t = 0 sign locally with the share (crypto.md §10.8)");
        }
        requireHonestMajority(t, ids.size());
        return ids.requireGroup(group, 2 * t + 1);
    }

    /**
     * A member's {@code u_i} and its DLEQ proof (tag {@link Dleq#TAG_ECDSA_U}: {@code B = E_i},
     * {@code X = K_i}, {@code P = u_i·G − Z_i}, {@code ρ = k_i}).
     *
     * @param u {@code u_i = k_i·e_i + z_i} (public once sent)
     * @param proof the proof
     */
    public record UShare(Scalar u, DleqProof proof) {}

    /**
     * A member's shares {@code k_i}, {@code e_i}, {@code z_i} of the three nested sharings. One shot:
     * {@link #computeU} once, then {@link #signatureShare} once, after which everything is destroyed
     * (SEC-08). Any failure destroys it as well.
     */
    public static final class NonceShares implements Destroyable {
        private SecretScalar k;
        private SecretScalar e;
        private SecretScalar z;
        private boolean uDone;

        private NonceShares(SecretScalar k, SecretScalar e, SecretScalar z) {
            this.k = k;
            this.e = e;
            this.z = z;
        }

        /** Takes ownership of the three shares. */
        public static NonceShares of(SecretScalar nonceShare, SecretScalar inversionShare, SecretScalar zeroShare) {
            return new NonceShares(nonceShare, inversionShare, zeroShare);
        }

        /**
         * Step 2: {@code u_i = k_i·e_i + z_i} (constant time) with its proof; {@code ctx.prover()} is this
         * node. {@code z_i} is destroyed afterwards.
         */
        public synchronized UShare computeU(ProofContext ctx, SecureRandom rng) {
            if (uDone || k == null) {
                destroy();
                throw new CryptoException(CryptoException.Reason.INVALID_ARGUMENT, "u_i already computed for these nonce shares (SEC-08)");
            }
            uDone = true;
            try {
                SecretScalar ke = k.mul(e);
                SecretScalar u = ke.add(z);
                ke.destroy();
                PublicPoint bigE = e.mulG();   // E_i
                PublicPoint bigK = k.mulG();   // K_i
                PublicPoint p = k.mul(bigE);   // k_i·E_i = u_i·G − Z_i
                DleqProof proof = Dleq.prove(Dleq.TAG_ECDSA_U, ctx, bigE, bigK, p, k, rng);
                Scalar uPublic = u.reveal();
                u.destroy();
                z.destroy();
                return new UShare(uPublic, proof);
            } catch (RuntimeException ex) {
                destroy();
                throw ex;
            }
        }

        /**
         * Step 4: {@code ss_i = u⁻¹·e_i·h + u⁻¹·e_i·s_i·r} with {@code r = R.X mod n} (≠ 0) and
         * {@code h = mh mod n}. Constant time in the secrets; destroys all nonce shares.
         */
        public synchronized Scalar signatureShare(Scalar uInverse, PublicPoint nonce, H256 messageHash, SecretScalar share) {
            try {
                if (!uDone || k == null) {
                    throw new CryptoException(CryptoException.Reason.INVALID_ARGUMENT, "signature share requested out of order or twice (SEC-08)");
                }
                Scalar r = rOf(nonce);
                Scalar h = Scalar.reduce(messageHash.toBytes());
                SecretScalar ki = e.mul(uInverse);
                SecretScalar sr = share.mul(r);
                SecretScalar hPlus = sr.add(h);
                SecretScalar ss = ki.mul(hPlus);
                ki.destroy();
                sr.destroy();
                hPlus.destroy();
                Scalar out = ss.reveal(); // sent to the master
                ss.destroy();
                return out;
            } finally {
                destroy();
            }
        }

        @Override
        public synchronized void destroy() {
            for (SecretScalar s : new SecretScalar[] {k, e, z}) {
                if (s != null && !s.isDestroyed()) {
                    s.destroy();
                }
            }
            k = null;
            e = null;
            z = null;
        }

        @Override
        public synchronized boolean isDestroyed() {
            return k == null;
        }

        @Override
        public String toString() {
            return "ThresholdEcdsa.NonceShares[redacted]";
        }
    }

    static Scalar rOf(PublicPoint nonce) {
        Scalar r = Scalar.of(nonce.xAsBigInteger());
        if (r.isZero()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "ECDSA r is zero");
        }
        return r;
    }

    /**
     * Master check of {@code u_i} (§11.5): {@code K_i}, {@code E_i}, {@code Z_i} are the member's public
     * shares from the nested vectors (never from the message); {@code P = u_i·G − Z_i}. Names
     * {@code ctx.prover()} on failure.
     */
    public static void verifyU(ProofContext ctx, UShare share, PublicPoint nonceShare, PublicPoint inversionShare, PublicPoint zeroShare) {
        PointSum p = new PointSum().addMulG(share.u()).subtract(zeroShare);
        if (p.isInfinity()) {
            throw NodeIds.fault(ctx.prover(), "u_i·G − Z_i is infinity");
        }
        Dleq.requireValid(Dleq.TAG_ECDSA_U, ctx, inversionShare, nonceShare, p.toPoint(), share.proof());
    }

    /** {@link #verifyU} with the public shares evaluated from the aggregated nested vectors at the member's id number. */
    public static void verifyU(ProofContext ctx, IdNumbers ids, KeyCommitments nonce, KeyCommitments inversion, CommitmentVector zero,
            UShare share) {
        Scalar x = ids.of(ctx.prover());
        PointSum z = zero.evaluate(x);
        if (z.isInfinity()) {
            throw NodeIds.invalid(ctx.prover(), "zero-sharing public share is infinity");
        }
        verifyU(ctx, share, nonce.publicShare(x), inversion.publicShare(x), z.toPoint());
    }

    /** Step 3: {@code u = Σ λ'_i·u_i} over the {@code 2t+1} group; fails if 0; returns {@code u⁻¹} (public). */
    public static Scalar invertU(IdNumbers ids, Collection<PublicPoint> group, int t, Map<PublicPoint, Scalar> uByMember) {
        Scalar u = interpolate(ids, group, t, uByMember);
        if (u.isZero()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "ECDSA u is zero");
        }
        return u.inverse();
    }

    private static Scalar interpolate(IdNumbers ids, Collection<PublicPoint> group, int t, Map<PublicPoint, Scalar> values) {
        List<PublicPoint> g = requireGroup(ids, group, t);
        if (values.size() != g.size()) {
            throw NodeIds.invalid("expected exactly " + g.size() + " values, got " + values.size() + " (SEC-03)");
        }
        Map<PublicPoint, Scalar> lambdas = Lagrange.unsignedCoefficients(ids, g); // exponent 2t is even: λ' = L
        Scalar acc = Scalar.ZERO;
        for (PublicPoint node : g) {
            Scalar v = values.get(node);
            if (v == null) {
                throw NodeIds.invalid(node, "no value from group member");
            }
            acc = acc.add(lambdas.get(node).mul(v));
        }
        return acc;
    }

    /**
     * Steps 5–6: {@code s = Σ λ'_i·ss_i} (fails if 0), low-s and {@code v} serialization, then the
     * result is verified against {@code Y} (standard ECDSA verification and the {@code v} bits) before
     * it may be released. A failure is terminal for the request (SEC-14).
     */
    public static ThresholdEcdsaSignature combineSignature(IdNumbers ids, Collection<PublicPoint> group, int t, Map<PublicPoint, Scalar> ssByMember,
            PublicPoint nonce, H256 messageHash, PublicPoint serverKey) {
        Scalar s = interpolate(ids, group, t, ssByMember);
        if (s.isZero()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "ECDSA s is zero");
        }
        ThresholdEcdsaSignature sig = serialize(nonce, s);
        if (!verify(serverKey, messageHash, sig)) {
            throw new CryptoException(CryptoException.Reason.VERIFICATION_FAILED, "combined ECDSA signature does not verify under the server key");
        }
        return sig;
    }

    /** §10.8 step 6: {@code v = (R.Y odd) | (R.X ≠ r ? 2 : 0)}; if {@code s > ⌊n/2⌋}: {@code s = n − s}, {@code v ^= 1}. */
    static ThresholdEcdsaSignature serialize(PublicPoint nonce, Scalar s) {
        Scalar r = rOf(nonce);
        int v = (nonce.isYOdd() ? 1 : 0) | (nonce.xAsBigInteger().equals(r.toBigInteger()) ? 0 : 2);
        if (s.toBigInteger().compareTo(Secp256k1.HALF_N) > 0) {
            s = s.negate();
            v ^= 1;
        }
        return new ThresholdEcdsaSignature(r, s, v);
    }

    /**
     * Standard ECDSA verification plus the recovery id: {@code u1 = h/s}, {@code u2 = r/s},
     * {@code R' = u1·G + u2·Y}; valid iff {@code R'.X mod n = r}, {@code R'.Y} parity equals
     * {@code v & 1} and {@code R'.X ≥ n} iff {@code v & 2}. Public, variable time.
     */
    public static boolean verify(PublicPoint serverKey, H256 messageHash, ThresholdEcdsaSignature sig) {
        if (sig.r().isZero() || sig.s().isZero() || sig.v() < 0 || sig.v() > 3) {
            return false;
        }
        Scalar sInv = sig.s().inverse();
        Scalar h = Scalar.reduce(messageHash.toBytes());
        PointSum acc = new PointSum().addMulGAndMul(h.mul(sInv), sig.r().mul(sInv), serverKey);
        if (acc.isInfinity()) {
            return false;
        }
        PublicPoint r = acc.toPoint();
        BigInteger rx = r.xAsBigInteger();
        if (!rx.mod(Secp256k1.N).equals(sig.r().toBigInteger())) {
            return false;
        }
        boolean overflow = rx.compareTo(Secp256k1.N) >= 0;
        return r.isYOdd() == ((sig.v() & 1) == 1) && overflow == ((sig.v() & 2) == 2);
    }
}
