package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.Destroyable;

/**
 * A polynomial {@code f(z) = a_0 + a_1·z + … + a_d·z^d} with <em>secret</em> coefficients
 * (crypto.md §10.1). Evaluation at a public point is constant time in the coefficients (Horner with
 * {@link SecretScalar} arithmetic, SEC-06). Owns its coefficients: {@link #destroy()} zeroes them.
 */
public final class Polynomial implements Destroyable {
    private final SecretScalar[] coefficients;
    private final boolean zeroConstant;

    private Polynomial(SecretScalar[] coefficients, boolean zeroConstant) {
        this.coefficients = coefficients;
        this.zeroConstant = zeroConstant;
    }

    /** Random degree-{@code degree} polynomial, every coefficient uniform and non-zero (so {@code f[0] ≠ 0}). */
    public static Polynomial random(int degree, SecureRandom rng) {
        requireDegree(degree);
        SecretScalar[] c = new SecretScalar[degree + 1];
        for (int k = 0; k <= degree; k++) {
            c[k] = SecretScalar.random(rng);
        }
        return new Polynomial(c, false);
    }

    /**
     * Random degree-{@code degree} polynomial with the given free coefficient (redistribution: {@code f(0) = s_i},
     * §10.9). Takes a copy of {@code constant}.
     */
    public static Polynomial randomWithConstant(SecretScalar constant, int degree, SecureRandom rng) {
        requireDegree(degree);
        SecretScalar[] c = new SecretScalar[degree + 1];
        c[0] = constant.copy();
        for (int k = 1; k <= degree; k++) {
            c[k] = SecretScalar.random(rng);
        }
        return new Polynomial(c, false);
    }

    /** Random degree-{@code degree} sharing of zero: {@code f[0] = 0}, {@code f[1..d]} random (§10.3.6). */
    public static Polynomial randomZeroConstant(int degree, SecureRandom rng) {
        if (degree < 1) {
            throw NodeIds.invalid("a zero sharing needs degree ≥ 1");
        }
        SecretScalar[] c = new SecretScalar[degree + 1];
        c[0] = SecretScalar.of(Scalar.ZERO);
        for (int k = 1; k <= degree; k++) {
            c[k] = SecretScalar.random(rng);
        }
        return new Polynomial(c, true);
    }

    /**
     * Random polynomial whose coefficients are hedged nonces (SEC-08, {@link HedgedNonces}) on
     * {@code longTermSecret} and {@code context}; {@code zeroConstant} gives a sharing of zero.
     * Use for protocol nonces (nested generations of Schnorr and ECDSA, zero sharings).
     */
    public static Polynomial randomHedged(int degree, boolean zeroConstant, SecretScalar longTermSecret, byte[] context, SecureRandom rng) {
        requireDegree(degree);
        if (zeroConstant && degree < 1) {
            throw NodeIds.invalid("a zero sharing needs degree ≥ 1");
        }
        SecretScalar[] c = new SecretScalar[degree + 1];
        for (int k = 0; k <= degree; k++) {
            c[k] = zeroConstant && k == 0 ? SecretScalar.of(Scalar.ZERO) : HedgedNonces.draw(longTermSecret, context, k, rng);
        }
        return new Polynomial(c, zeroConstant);
    }

    /**
     * Injected coefficients (for known-answer vectors and tests). Takes copies. If
     * {@code zeroConstant}, {@code coefficients[0]} must be zero.
     */
    static Polynomial of(List<SecretScalar> coefficients, boolean zeroConstant) {
        requireDegree(coefficients.size() - 1);
        SecretScalar[] c = new SecretScalar[coefficients.size()];
        for (int k = 0; k < c.length; k++) {
            c[k] = coefficients.get(k).copy();
        }
        if (zeroConstant && !c[0].isZero()) {
            throw NodeIds.invalid("zero sharing with non-zero constant");
        }
        return new Polynomial(c, zeroConstant);
    }

    /** Injected public-valued coefficients (known-answer vectors only). */
    static Polynomial ofPublic(boolean zeroConstant, long... coefficients) {
        List<SecretScalar> c = new ArrayList<>();
        for (long v : coefficients) {
            c.add(SecretScalar.of(Scalar.of(v)));
        }
        return of(c, zeroConstant);
    }

    private static void requireDegree(int degree) {
        if (degree < 0) {
            throw NodeIds.invalid("polynomial degree must be ≥ 0");
        }
    }

    public int degree() {
        return coefficients.length - 1;
    }

    /** True for a sharing of zero (§10.3.6): its commitment vector omits slot 0. */
    public boolean isZeroConstant() {
        return zeroConstant;
    }

    /** f(x) by Horner's rule; constant time in the secret coefficients ({@code x} is public). */
    public SecretScalar evaluate(Scalar x) {
        SecretScalar acc = coefficients[coefficients.length - 1].copy();
        for (int k = coefficients.length - 2; k >= 0; k--) {
            SecretScalar times = acc.mul(x);
            acc.destroy();
            acc = times.add(coefficients[k]);
            times.destroy();
        }
        return acc;
    }

    /** A copy of {@code a_0} (Schnorr's own nonce coefficient r_i, §10.3.5). */
    public SecretScalar constantTerm() {
        return coefficients[0].copy();
    }

    /**
     * Feldman vector {@code A_k = a_k·G} (secret × G, constant time). For a zero sharing, slots
     * {@code 1..d} only (slot 0 would be infinity and is not transmitted, §10.3.6).
     */
    public CommitmentVector feldman() {
        List<PublicPoint> out = new ArrayList<>();
        for (int k = zeroConstant ? 1 : 0; k < coefficients.length; k++) {
            out.add(coefficients[k].mulG());
        }
        return new CommitmentVector(out, zeroConstant);
    }

    /**
     * Pedersen vector {@code C_k = f[k]·G + g[k]·H} with {@code this = f} (constant-time secret
     * multiplications, §10.3.2 round 1). Both polynomials must have the same degree.
     */
    public CommitmentVector pedersen(Polynomial g, PublicPoint h) {
        return pedersen(g, h, feldman());
    }

    /** {@link #pedersen(Polynomial, PublicPoint)} from this polynomial's own {@link #feldman()} vector {@code f[k]·G}. */
    CommitmentVector pedersen(Polynomial g, PublicPoint h, CommitmentVector ownFeldman) {
        if (g.degree() != degree() || zeroConstant || g.zeroConstant || ownFeldman.points().size() != coefficients.length) {
            throw NodeIds.invalid("Pedersen commitment needs two full polynomials of the same degree");
        }
        List<PublicPoint> out = new ArrayList<>();
        for (int k = 0; k < coefficients.length; k++) {
            out.add(ownFeldman.get(k).add(g.coefficients[k].mul(h)));
        }
        return new CommitmentVector(out, false);
    }

    @Override
    public void destroy() {
        for (SecretScalar c : coefficients) {
            c.destroy();
        }
    }

    @Override
    public boolean isDestroyed() {
        return coefficients[0].isDestroyed();
    }

    @Override
    public String toString() {
        return "Polynomial[degree=" + degree() + (zeroConstant ? ", zero constant" : "") + ", redacted]";
    }
}
