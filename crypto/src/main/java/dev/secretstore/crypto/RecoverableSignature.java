package dev.secretstore.crypto;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A raw recoverable ECDSA signature {@code r(32) ‖ s(32) ‖ v(1)} (crypto.md §2, §4). Immutable and
 * public (a signature is not secret). Every instance satisfies {@code 1 ≤ r < n}, {@code 1 ≤ s < n}
 * and {@code v ∈ {0,1,2,3}}; the serialized form always carries the recovery id 0–3, never 27/28.
 *
 * <p>A high {@code s} is representable (it is accepted on input and recovers the same key, crypto.md
 * §4); signatures produced by {@link Ecdsa#sign} are always low-s.
 */
public final class RecoverableSignature {
    public static final int LENGTH = 65;

    private final Scalar r;
    private final Scalar s;
    private final int v;

    private RecoverableSignature(Scalar r, Scalar s, int v) {
        this.r = r;
        this.s = s;
        this.v = v;
    }

    /**
     * Parses 65 bytes {@code r ‖ s ‖ v}. Checks, each failing with {@code INVALID_SIGNATURE}: the length is
     * exactly 65; {@code 1 ≤ r < n}; {@code 1 ≤ s < n} (never reduced); {@code v ∈ {0,1,2,3}}, where the
     * Ethereum forms 27 and 28 ({@code 0x1b}, {@code 0x1c}) are accepted and mapped to 0 and 1. The input
     * array is not retained.
     */
    public static RecoverableSignature fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw invalid("signature must be 65 bytes, got " + (bytes == null ? "null" : bytes.length));
        }
        int rawV = bytes[64] & 0xff;
        int v;
        if (rawV <= 3) {
            v = rawV;
        } else if (rawV == 27 || rawV == 28) {
            v = rawV - 27;
        } else {
            throw invalid("signature recovery id must be 0..3, 27 or 28, got " + rawV);
        }
        return of(component(bytes, 0, "r"), component(bytes, 32, "s"), v);
    }

    /** Parses 130 hex digits (either case, optional {@code 0x}) with the checks of {@link #fromBytes}. */
    public static RecoverableSignature fromHex(String hex) {
        byte[] bytes;
        try {
            bytes = Hex.decodeLenient(hex);
        } catch (CryptoException e) {
            throw invalid("signature is not valid hex");
        }
        return fromBytes(bytes);
    }

    /** Builds a signature from its parts; the same range checks as {@link #fromBytes} (v must be 0..3 here). */
    static RecoverableSignature of(Scalar r, Scalar s, int v) {
        if (r.isZero() || s.isZero()) {
            throw invalid("signature r and s must be non-zero");
        }
        if (v < 0 || v > 3) {
            throw invalid("signature recovery id must be 0..3, got " + v);
        }
        return new RecoverableSignature(r, s, v);
    }

    private static Scalar component(byte[] bytes, int offset, String name) {
        byte[] part = Arrays.copyOfRange(bytes, offset, offset + 32);
        if (new BigInteger(1, part).compareTo(Secp256k1.N) >= 0) {
            throw invalid("signature " + name + " is not below the group order");
        }
        return Scalar.fromBytes(part);
    }

    private static CryptoException invalid(String message) {
        return new CryptoException(CryptoException.Reason.INVALID_SIGNATURE, message);
    }

    /** {@code r}, a public scalar with {@code 1 ≤ r < n}. */
    public Scalar r() {
        return r;
    }

    /** {@code s}, a public scalar with {@code 1 ≤ s < n}. */
    public Scalar s() {
        return s;
    }

    /** The recovery id 0–3: bit 0 is the parity of {@code R.y}, bit 1 is set iff {@code R.x ≥ n}. */
    public int v() {
        return v;
    }

    /** True iff {@code s ≤ ⌊n/2⌋}. */
    public boolean isLowS() {
        return s.toBigInteger().compareTo(Secp256k1.HALF_N) <= 0;
    }

    /** The 65 bytes {@code r ‖ s ‖ v} with {@code v ∈ {0,1,2,3}} (a fresh array). */
    public byte[] toBytes() {
        byte[] out = new byte[LENGTH];
        System.arraycopy(r.toBytes(), 0, out, 0, 32);
        System.arraycopy(s.toBytes(), 0, out, 32, 32);
        out[64] = (byte) v;
        return out;
    }

    /** 130 lower-case hex digits without {@code 0x}. */
    public String toHex() {
        return Hex.encode(toBytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecoverableSignature other && other.v == v && other.r.equals(r) && other.s.equals(s);
    }

    @Override
    public int hashCode() {
        return (r.hashCode() * 31 + s.hashCode()) * 31 + v;
    }

    /** The hex form; a signature is public. */
    @Override
    public String toString() {
        return toHex();
    }
}
