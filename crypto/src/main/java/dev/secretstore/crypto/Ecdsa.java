package dev.secretstore.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * Raw recoverable ECDSA over secp256k1 exactly as Parity's {@code ecdsa_signature.rs} (crypto.md §4):
 * the 32-byte input is signed as-is (no Ethereum prefix, no hashing), the nonce is RFC 6979
 * HMAC-SHA-256 (libsecp256k1's default), the output is low-s with recovery id 0–3.
 *
 * <p>Timing: {@link #sign} treats the key and the nonce as secrets ({@code k·G} through the
 * constant-time comb, {@code s = k⁻¹(h + r·d)} in {@link SecretScalar} arithmetic, SEC-06); only
 * {@code r}, {@code s} and {@code v} become public. {@link #recover} and {@link #verify} operate on
 * public data only and use the variable-time paths.
 *
 * <p>This is the raw primitive. Node keys must not sign raw 32-byte values chosen by someone else
 * (security.md SEC-16); that policy belongs to the callers, which sign tagged hashes.
 */
public final class Ecdsa {
    private Ecdsa() {}

    /**
     * Signs the raw 32-byte {@code hash} with the key {@code d} (crypto.md §4). Checks that {@code d} is
     * non-zero ({@code INVALID_SCALAR}). Deterministic: the same key and hash always give the same bytes.
     * The nonce {@code k} and every intermediate secret are destroyed before returning.
     *
     * @throws IllegalStateException if {@code d} has been destroyed
     */
    public static RecoverableSignature sign(SecretScalar d, H256 hash) {
        if (d.isZero()) {
            throw new CryptoException(CryptoException.Reason.INVALID_SCALAR, "signing key must be non-zero");
        }
        byte[] h = hash.toBytes();
        Scalar e = Scalar.reduce(h); // public: the message hash
        HMacDSAKCalculator nonces = new HMacDSAKCalculator(new SHA256Digest());
        byte[] dBytes = d.toBytes();
        try {
            // BouncyCastle's RFC 6979 calculator takes the key as a BigInteger (short-lived, unavoidable
            // with this API); bits2octets is h mod n inside init.
            nonces.init(Secp256k1.N, new BigInteger(1, dBytes), h);
        } finally {
            Arrays.fill(dBytes, (byte) 0);
        }
        while (true) {
            RecoverableSignature sig = trySign(d, e, nonces.nextK());
            if (sig != null) {
                return sig;
            }
            // r = 0 or s = 0: continue with the next RFC 6979 candidate (probability ≈ 2^-256).
        }
    }

    /** One RFC 6979 attempt with nonce {@code kValue} (1 ≤ k < n, guaranteed by the calculator); null if r or s is 0. */
    private static RecoverableSignature trySign(SecretScalar d, Scalar e, BigInteger kValue) {
        byte[] kBytes = Scalar.toBytes32(kValue);
        SecretScalar k = SecretScalar.fromBytes(kBytes);
        Arrays.fill(kBytes, (byte) 0);
        SecretScalar kInv = null;
        SecretScalar rd = null;
        SecretScalar sum = null;
        SecretScalar sSecret = null;
        try {
            PublicPoint bigR = k.mulG(); // constant-time fixed-base comb (SEC-06)
            BigInteger rx = bigR.xAsBigInteger();
            Scalar r = Scalar.of(rx); // public from here on
            if (r.isZero()) {
                return null;
            }
            kInv = k.inverse();
            rd = d.mul(r);
            sum = rd.add(e);
            sSecret = kInv.mul(sum);
            Scalar s = sSecret.reveal(); // s is the public signature component
            if (s.isZero()) {
                return null;
            }
            int v = (bigR.isYOdd() ? 1 : 0) | (rx.compareTo(Secp256k1.N) >= 0 ? 2 : 0);
            if (s.toBigInteger().compareTo(Secp256k1.HALF_N) > 0) { // public value: branching is fine
                s = s.negate();
                v ^= 1;
            }
            return RecoverableSignature.of(r, s, v);
        } finally {
            k.destroy();
            destroy(kInv);
            destroy(rd);
            destroy(sum);
            destroy(sSecret);
        }
    }

    private static void destroy(SecretScalar s) {
        if (s != null) {
            s.destroy();
        }
    }

    /**
     * Recovers the public key from a signature over the raw 32-byte {@code hash} (crypto.md §4).
     * {@code X = r + (v ≥ 2 ? n : 0)} must be below p, must be the X of a curve point (lifted with
     * {@code Y} parity {@code v & 1}), and {@code Q = r⁻¹·(s·R − e·G)} with {@code e = h mod n} must
     * not be infinity; otherwise {@code INVALID_SIGNATURE}. The all-zero hash is valid; a high
     * {@code s} is accepted. Public data only, variable time.
     */
    public static PublicPoint recover(RecoverableSignature sig, H256 hash) {
        return CurveBackends.active().recover(sig, hash);
    }

    /** {@code recover(sig, hash).equals(q)}; false (never an exception) when recovery fails. Variable time. */
    public static boolean verify(PublicPoint q, RecoverableSignature sig, H256 hash) {
        try {
            return recover(sig, hash).equals(q);
        } catch (CryptoException e) {
            return false;
        }
    }

    static CryptoException invalid(String message) {
        return new CryptoException(CryptoException.Reason.INVALID_SIGNATURE, message);
    }
}
