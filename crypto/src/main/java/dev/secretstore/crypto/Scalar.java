package dev.secretstore.crypto;

import java.math.BigInteger;

/**
 * A <em>public</em> scalar modulo n: id numbers, Lagrange coefficients, challenges, signature
 * components, message hashes. May be zero. Arithmetic is variable-time, which is allowed only
 * because the value is public (SEC-06); secrets use {@link SecretScalar}.
 */
public final class Scalar implements Comparable<Scalar> {
    public static final Scalar ZERO = new Scalar(BigInteger.ZERO);
    public static final Scalar ONE = new Scalar(BigInteger.ONE);

    private final BigInteger value;

    private Scalar(BigInteger value) {
        this.value = value;
    }

    /** Decodes 32 big-endian bytes; a value ≥ n is rejected, never reduced (crypto.md §2). */
    public static Scalar fromBytes(byte[] bytes) {
        if (bytes.length != 32) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "scalar must be 32 bytes, got " + bytes.length);
        }
        BigInteger v = new BigInteger(1, bytes);
        if (v.compareTo(Secp256k1.N) >= 0) {
            throw new CryptoException(CryptoException.Reason.INVALID_SCALAR, "scalar is not below the group order");
        }
        return new Scalar(v);
    }

    /** Decodes 32 bytes and requires 1 ≤ s < n. */
    public static Scalar fromBytesNonZero(byte[] bytes) {
        return fromBytes(bytes).requireNonZero();
    }

    /** Interprets 32 bytes as an integer and reduces it mod n ("hash to scalar", crypto.md §8). May be zero. */
    public static Scalar reduce(byte[] bytes) {
        return new Scalar(new BigInteger(1, bytes).mod(Secp256k1.N));
    }

    /** Reduces any non-negative integer mod n. */
    public static Scalar of(BigInteger v) {
        return new Scalar(v.mod(Secp256k1.N));
    }

    public static Scalar of(long v) {
        return of(BigInteger.valueOf(v));
    }

    public BigInteger toBigInteger() {
        return value;
    }

    public byte[] toBytes() {
        return toBytes32(value);
    }

    public boolean isZero() {
        return value.signum() == 0;
    }

    public Scalar requireNonZero() {
        if (isZero()) {
            throw new CryptoException(CryptoException.Reason.INVALID_SCALAR, "scalar must be non-zero");
        }
        return this;
    }

    public Scalar add(Scalar o) { return of(value.add(o.value)); }
    public Scalar sub(Scalar o) { return of(value.subtract(o.value)); }
    public Scalar mul(Scalar o) { return of(value.multiply(o.value)); }
    public Scalar negate() { return of(value.negate()); }

    /** Multiplicative inverse; inverting zero is {@code ZERO_RESULT} (crypto.md §9). */
    public Scalar inverse() {
        if (isZero()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "inversion of zero");
        }
        return new Scalar(value.modInverse(Secp256k1.N));
    }

    public Scalar pow(int e) {
        return new Scalar(value.modPow(BigInteger.valueOf(e), Secp256k1.N));
    }

    @Override
    public int compareTo(Scalar o) {
        return value.compareTo(o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scalar s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return Hex.encode(toBytes());
    }

    static byte[] toBytes32(BigInteger v) {
        byte[] raw = v.toByteArray();
        if (raw.length == 32) return raw;
        byte[] out = new byte[32];
        if (raw.length > 32) {
            System.arraycopy(raw, raw.length - 32, out, 0, 32);
        } else {
            System.arraycopy(raw, 0, out, 32 - raw.length, raw.length);
        }
        return out;
    }

    int[] limbs() {
        return ModN.fromBytes(toBytes());
    }

    static Scalar fromLimbs(int[] limbs) {
        return new Scalar(new BigInteger(1, ModN.toBytes(limbs)));
    }

    /** For tests and diagnostics of public values only. */
    public static Scalar fromHex(String hex) {
        byte[] b = Hex.decodeLenient(hex);
        if (b.length > 32) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "scalar hex longer than 32 bytes");
        }
        byte[] padded = new byte[32];
        System.arraycopy(b, 0, padded, 32 - b.length, b.length);
        return fromBytes(padded);
    }
}
