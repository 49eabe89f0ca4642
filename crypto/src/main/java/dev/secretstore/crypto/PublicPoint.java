package dev.secretstore.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A validated secp256k1 point, never the point at infinity (crypto.md §2, SEC-01). The canonical
 * encoding is 64 bytes {@code X ‖ Y}; the 65-byte SEC1 form {@code 04 ‖ X ‖ Y} is also accepted and
 * produced. Immutable; equality is by value.
 */
public final class PublicPoint {
    public static final int LENGTH = 64;

    private final ECPoint point; // normalized, on the curve, not infinity
    private final byte[] encoded; // 64 bytes
    private final ConstantTimeComb comb; // null unless this is a fixed base (withFixedBaseTable)

    private PublicPoint(ECPoint normalized) {
        this(normalized, Arrays.copyOfRange(normalized.getEncoded(false), 1, 65), null);
    }

    private PublicPoint(ECPoint normalized, byte[] encoded, ConstantTimeComb comb) {
        this.point = normalized;
        this.encoded = encoded;
        this.comb = comb;
    }

    /**
     * The same point (equal to this one) carrying a precomputed table, so that secret multiples of it
     * ({@link SecretScalar#mul(PublicPoint)}) take the constant-time fixed-base comb (about 30 µs) instead
     * of the variable-base GLV multiplier (about 85 µs). Building it costs about 25 ms and 66 KB: for a
     * fixed generator that lives as long as the process (the Pedersen H), not for points from messages.
     */
    public PublicPoint withFixedBaseTable() {
        return new PublicPoint(point, encoded, new ConstantTimeComb(point));
    }

    /** The fixed-base table, or null (see {@link #withFixedBaseTable}). */
    ConstantTimeComb fixedBaseTable() {
        return comb;
    }

    /** The generator G. */
    public static PublicPoint generator() {
        return GeneratorHolder.G;
    }

    /** Decodes 64 bytes {@code X ‖ Y}; rejects coordinates ≥ p, off-curve points and wrong lengths. */
    public static PublicPoint fromBytes(byte[] xy) {
        if (xy.length != LENGTH) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "point must be 64 bytes, got " + xy.length);
        }
        byte[] sec1 = new byte[65];
        sec1[0] = 0x04;
        System.arraycopy(xy, 0, sec1, 1, 64);
        return decodeSec1(sec1);
    }

    /** Decodes the 65-byte uncompressed SEC1 form {@code 04 ‖ X ‖ Y}. */
    public static PublicPoint fromUncompressed(byte[] sec1) {
        if (sec1.length != 65 || sec1[0] != 0x04) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING, "uncompressed point must be 65 bytes starting with 04");
        }
        return decodeSec1(sec1);
    }

    /** Decodes 128 hex digits, with or without {@code 0x}. */
    public static PublicPoint fromHex(String hex) {
        return fromBytes(Hex.decode(Hex.strip0x(hex), LENGTH));
    }

    private static PublicPoint decodeSec1(byte[] sec1) {
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(sec1, 1, 33));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(sec1, 33, 65));
        if (x.compareTo(Secp256k1.P) >= 0 || y.compareTo(Secp256k1.P) >= 0) {
            throw new CryptoException(CryptoException.Reason.INVALID_POINT, "point coordinate is not below the field prime");
        }
        ECPoint p;
        try {
            p = Secp256k1.CURVE.decodePoint(sec1); // validates y² = x³ + 7
        } catch (IllegalArgumentException e) {
            throw new CryptoException(CryptoException.Reason.INVALID_POINT, "point is not on secp256k1", e);
        }
        return of(p);
    }

    /** Wraps a computed point; infinity is rejected (an intermediate infinity is a crypto error, crypto.md §9). */
    static PublicPoint of(ECPoint p) {
        if (p.isInfinity()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "point at infinity");
        }
        ECPoint n = p.normalize();
        if (!n.isValid()) {
            throw new CryptoException(CryptoException.Reason.INVALID_POINT, "point is not on secp256k1");
        }
        return new PublicPoint(n);
    }

    ECPoint ecPoint() {
        return point;
    }

    /** 64 bytes {@code X ‖ Y} (a fresh copy). */
    public byte[] toBytes() {
        return encoded.clone();
    }

    /** 65 bytes {@code 04 ‖ X ‖ Y}. */
    public byte[] toUncompressed() {
        byte[] out = new byte[65];
        out[0] = 0x04;
        System.arraycopy(encoded, 0, out, 1, 64);
        return out;
    }

    /** The 32-byte X coordinate. */
    public byte[] x() {
        return Arrays.copyOfRange(encoded, 0, 32);
    }

    public BigInteger xAsBigInteger() {
        return point.getAffineXCoord().toBigInteger();
    }

    public boolean isYOdd() {
        return point.getAffineYCoord().testBitZero();
    }

    /** This + other; throws {@code ZERO_RESULT} if the sum is infinity. */
    public PublicPoint add(PublicPoint other) {
        return CurveBackends.active().add(this, other);
    }

    /** This − other; throws {@code ZERO_RESULT} if the difference is infinity. */
    public PublicPoint subtract(PublicPoint other) {
        return of(point.subtract(other.point));
    }

    /** −P: same X, Y' = p − Y. */
    public PublicPoint negate() {
        return of(point.negate());
    }

    /**
     * k·P for a <strong>public</strong> scalar k (variable time). Secrets must use
     * {@link SecretScalar#mul(PublicPoint)} (SEC-06). Throws if k = 0.
     */
    public PublicPoint mul(Scalar k) {
        return CurveBackends.active().mulPublic(k, this);
    }

    /** The Ethereum address of this public key: {@code keccak256(X‖Y)[12..32]}. */
    public Address toAddress() {
        return Address.of(this);
    }

    public String toHex() {
        return Hex.encode(encoded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicPoint other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return toHex();
    }

    private static final class GeneratorHolder {
        static final PublicPoint G = new PublicPoint(Secp256k1.G);
    }
}
