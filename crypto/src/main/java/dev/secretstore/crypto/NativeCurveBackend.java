package dev.secretstore.crypto;

import fr.acinq.secp256k1.Secp256k1;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * libsecp256k1 (bitcoin-core) through the secp256k1-kmp JNI binding, for the operations where its API gives
 * a result at least as strong as the Java one and the gain is measured (docs/benchmarks.md, "Crypto backends"):
 *
 * <ul>
 *   <li>secret k·G: {@code secp256k1_ec_pubkey_create} (ecmult_gen, constant time);</li>
 *   <li>public a·P: {@code secp256k1_ec_pubkey_tweak_mul} (public scalars only: in this build it is the
 *       variable-time ecmult);</li>
 *   <li>public a·G + b·Q: {@code secp256k1_ecdsa_recover} on a signature made up for Q (one Strauss double
 *       multiplication, below), falling back to Java on the inputs recovery cannot express;</li>
 *   <li>P + Q: {@code secp256k1_ec_pubkey_combine}; ECDSA recovery: {@code secp256k1_ecdsa_recover}.</li>
 * </ul>
 *
 * <p>Secret k·P for P ≠ G stays on the Java constant-time multipliers: the binding's only constant-time
 * variable-base multiplication is {@code secp256k1_ecdh}, which returns a hash of the point, and its
 * {@code pubKeyTweakMul} is variable time in the scalar (measured: k = 3 runs 7× faster than a random k).
 *
 * <p>Secrets: the binding takes byte arrays; each secret scalar is copied into a fresh array that is
 * zeroed ({@link Arrays#fill}) right after the call. The binding's own native copy of the array (JNI
 * {@code GetByteArrayElements}) is released without being wiped, which this class cannot change.
 */
final class NativeCurveBackend implements CurveBackend {
    private final Secp256k1 lib;

    private NativeCurveBackend(Secp256k1 lib) {
        this.lib = lib;
    }

    /**
     * Loads the JNI library and checks it on 1·G.
     *
     * @throws LinkageError or a runtime exception from the binding if the library does not load on this platform
     */
    static NativeCurveBackend load() {
        Secp256k1 lib = Secp256k1.get();
        byte[] one = new byte[32];
        one[31] = 1;
        if (!Arrays.equals(lib.pubkeyCreate(one), PublicPoint.generator().toUncompressed())) {
            throw new IllegalStateException("libsecp256k1 computes 1·G wrongly");
        }
        return new NativeCurveBackend(lib);
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public PublicPoint mulG(SecretScalar k) {
        byte[] kb = k.toBytes(); // throws if destroyed
        byte[] out;
        try {
            out = lib.pubkeyCreate(kb); // ecmult_gen: constant time
        } catch (RuntimeException e) {
            // the only input pubkey_create rejects here is k = 0 (SecretScalar is below n)
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "point at infinity");
        } finally {
            Arrays.fill(kb, (byte) 0);
        }
        return point(out);
    }

    @Override
    public PublicPoint mul(SecretScalar k, PublicPoint p) {
        return JavaCurveBackend.INSTANCE.mul(k, p); // see the class comment: no constant-time unhashed k·P in the binding
    }

    @Override
    public PublicPoint mulPublic(Scalar a, PublicPoint p) {
        if (a.isZero()) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "point at infinity");
        }
        return point(lib.pubKeyTweakMul(p.toUncompressed(), a.toBytes()));
    }

    /**
     * a·G + b·Q by recovery: for a signature (r, s) with recovery id v over message m, libsecp256k1 returns
     * r⁻¹·(s·R − m·G) where R is the point with X = r (+ n if v ≥ 2) and Y parity v & 1. With R = Q, that is
     * r = Q.x (− n if Q.x ≥ n), s = b·r and m = −a·r. Recovery cannot take r = 0 or s = 0 and fails on an
     * infinite result; those cases (b = 0, Q.x ∈ {0, n}, a·G + b·Q = ∞) go to the Java backend.
     */
    @Override
    public PublicPoint mulGAndMulPublic(Scalar a, Scalar b, PublicPoint q) {
        if (b.isZero()) {
            return a.isZero() ? null : point(lib.pubkeyCreate(a.toBytes()));
        }
        BigInteger x = q.xAsBigInteger();
        int recid = q.isYOdd() ? 1 : 0;
        if (x.compareTo(Secp256k1Constants.N) >= 0) {
            x = x.subtract(Secp256k1Constants.N);
            recid |= 2;
        }
        Scalar r = Scalar.of(x);
        if (!r.isZero()) {
            byte[] sig = new byte[64];
            System.arraycopy(r.toBytes(), 0, sig, 0, 32);
            System.arraycopy(b.mul(r).toBytes(), 0, sig, 32, 32);
            byte[] out = null;
            try {
                out = lib.ecdsaRecover(sig, a.negate().mul(r).toBytes(), recid);
            } catch (RuntimeException infinity) {
                // the only failure left: the sum is infinity; Java decides it below
            }
            if (out != null) {
                return point(out);
            }
        }
        return JavaCurveBackend.INSTANCE.mulGAndMulPublic(a, b, q);
    }

    @Override
    public PublicPoint add(PublicPoint p, PublicPoint q) {
        byte[] sum;
        try {
            sum = lib.pubKeyCombine(new byte[][] {p.toUncompressed(), q.toUncompressed()});
        } catch (RuntimeException e) {
            throw new CryptoException(CryptoException.Reason.ZERO_RESULT, "point at infinity");
        }
        return point(sum);
    }

    @Override
    public PublicPoint recover(RecoverableSignature sig, H256 hash) {
        byte[] compact = new byte[64];
        System.arraycopy(sig.r().toBytes(), 0, compact, 0, 32);
        System.arraycopy(sig.s().toBytes(), 0, compact, 32, 32);
        byte[] q;
        try {
            q = lib.ecdsaRecover(compact, hash.toBytes(), sig.v());
        } catch (RuntimeException e) {
            throw Ecdsa.invalid("signature does not recover to a public key");
        }
        return point(q);
    }

    /** A point from the binding's 65-byte output, validated again on our side (SEC-01). */
    private static PublicPoint point(byte[] uncompressed) {
        return PublicPoint.fromUncompressed(uncompressed);
    }

    @Override
    public String toString() {
        return "CurveBackend[native]";
    }

    /** The group order without a name clash with the binding's {@code Secp256k1}. */
    private static final class Secp256k1Constants {
        static final BigInteger N = dev.secretstore.crypto.Secp256k1.N;
    }
}
