package dev.secretstore.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * A secret scalar modulo n: private keys, key shares, nonces, δ, decrypt shadows, DLEQ nonces.
 *
 * <ul>
 *   <li>Held as 8 limbs, not a long-lived {@code BigInteger}; arithmetic is constant time ({@link ModN}).</li>
 *   <li>{@link #toString()} never shows the value; {@link #equals} compares in constant time.</li>
 *   <li>{@link #destroy()} zeroes the limbs; any later use throws {@link IllegalStateException} (SEC-07).</li>
 *   <li>The value may be zero as the result of arithmetic; factories for key material reject zero,
 *       and {@link #requireNonZero()} checks it where crypto.md §9 requires.</li>
 * </ul>
 */
public final class SecretScalar implements Destroyable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int[] limbs;
    private volatile boolean destroyed;

    private SecretScalar(int[] limbs) {
        this.limbs = limbs;
    }

    /** Decodes a key scalar: exactly 32 bytes, 1 ≤ s < n (crypto.md §2). The input array is not retained. */
    public static SecretScalar fromBytes(byte[] bytes) {
        SecretScalar s = fromBytesAllowZero(bytes);
        if (s.isZero()) {
            throw new CryptoException(CryptoException.Reason.INVALID_SCALAR, "secret scalar must be non-zero");
        }
        return s;
    }

    /** Decodes 32 bytes with 0 ≤ s < n (for stored intermediate values that may legitimately be zero). */
    public static SecretScalar fromBytesAllowZero(byte[] bytes) {
        if (bytes.length != 32) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "secret scalar must be 32 bytes, got " + bytes.length);
        }
        int[] l = ModN.fromBytes(bytes);
        if (ModN.ltN(l) == 0) {
            throw new CryptoException(CryptoException.Reason.INVALID_SCALAR, "secret scalar is not below the group order");
        }
        return new SecretScalar(l);
    }

    /** A uniformly random non-zero scalar from the system CSPRNG (SEC-08). */
    public static SecretScalar random() {
        return random(RANDOM);
    }

    /** A uniformly random non-zero scalar (rejection sampling, no modular bias). */
    public static SecretScalar random(SecureRandom rng) {
        byte[] buf = new byte[32];
        try {
            while (true) {
                rng.nextBytes(buf);
                int[] l = ModN.fromBytes(buf);
                if (ModN.ltN(l) != 0 && ModN.isZeroMask(l) == 0) {
                    return new SecretScalar(l);
                }
            }
        } finally {
            Arrays.fill(buf, (byte) 0);
        }
    }

    /**
     * Interprets 32 bytes as an integer and reduces it mod n in constant time ("hash to scalar" for
     * secret values such as hedged nonces, crypto.md §11.1). May be zero; callers check.
     */
    public static SecretScalar reduce(byte[] bytes32) {
        if (bytes32.length != 32) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "secret scalar must be 32 bytes, got " + bytes32.length);
        }
        // any 256-bit value is < 2n, so one masked conditional subtraction (inside ModN.add) reduces it
        return new SecretScalar(ModN.add(ModN.fromBytes(bytes32), new int[8]));
    }

    /** Lifts a public scalar into the secret domain (e.g. a known constant in a formula). */
    public static SecretScalar of(Scalar publicValue) {
        return new SecretScalar(publicValue.limbs());
    }

    public SecretScalar add(SecretScalar o) { return new SecretScalar(ModN.add(live(), o.live())); }
    public SecretScalar sub(SecretScalar o) { return new SecretScalar(ModN.sub(live(), o.live())); }
    public SecretScalar mul(SecretScalar o) { return new SecretScalar(ModN.mul(live(), o.live())); }
    public SecretScalar add(Scalar o) { return new SecretScalar(ModN.add(live(), o.limbs())); }
    public SecretScalar sub(Scalar o) { return new SecretScalar(ModN.sub(live(), o.limbs())); }
    public SecretScalar mul(Scalar o) { return new SecretScalar(ModN.mul(live(), o.limbs())); }
    public SecretScalar negate() { return new SecretScalar(ModN.negate(live())); }

    /** Constant-time inverse; the inverse of zero is {@code ZERO_RESULT}. */
    public SecretScalar inverse() {
        requireNonZero();
        return new SecretScalar(ModN.inverse(live()));
    }

    /** Constant-time zero test (the boolean result itself is not secret where it is used). */
    public boolean isZero() {
        return ModN.isZeroMask(live()) != 0;
    }

    public SecretScalar requireNonZero() {
        if (isZero()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "secret scalar is zero");
        }
        return this;
    }

    /** s·G, constant time ({@link CurveBackends#active()}: the fixed-base comb or libsecp256k1's ecmult_gen). Throws if s = 0. */
    public PublicPoint mulG() {
        return CurveBackends.active().mulG(this);
    }

    /**
     * s·P, constant time in s: the fixed-base comb for a point made by {@link PublicPoint#withFixedBaseTable},
     * the GLV multiplier otherwise. Throws if the product is infinity (s = 0).
     */
    public PublicPoint mul(PublicPoint p) {
        return CurveBackends.active().mul(this, p);
    }

    /** The 32 big-endian bytes. The caller owns the copy and should zero it after use. */
    public byte[] toBytes() {
        return ModN.toBytes(live());
    }

    /** Declassifies the value, for the rare places where a formerly secret value becomes public (e.g. a signature's s). */
    public Scalar reveal() {
        return Scalar.fromLimbs(live());
    }

    /** An independent copy (destroying one does not affect the other). */
    public SecretScalar copy() {
        return new SecretScalar(live().clone());
    }

    int[] live() {
        if (destroyed) {
            throw new IllegalStateException("secret scalar has been destroyed");
        }
        return limbs;
    }

    @Override
    public void destroy() {
        Arrays.fill(limbs, 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** Constant-time comparison of the values. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SecretScalar other)) return false;
        int[] a = live();
        int[] b = other.live();
        int diff = 0;
        for (int i = 0; i < 8; i++) diff |= a[i] ^ b[i];
        return diff == 0;
    }

    @Override
    public int hashCode() {
        return 0; // never derived from the secret
    }

    @Override
    public String toString() {
        return destroyed ? "SecretScalar[destroyed]" : "SecretScalar[redacted]";
    }
}
