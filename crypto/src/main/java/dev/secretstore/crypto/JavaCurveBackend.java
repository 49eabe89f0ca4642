package dev.secretstore.crypto;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The pure-Java backend: secret multiples by the constant-time comb ({@link ConstantTimeComb}, for G and for
 * points with their own table) and GLV ({@link ConstantTimeGlv}) on {@link Fp52}; public multiples by
 * {@link VarTimeStrauss}; additions and recovery on BouncyCastle's point arithmetic.
 */
final class JavaCurveBackend implements CurveBackend {
    static final JavaCurveBackend INSTANCE = new JavaCurveBackend();

    private JavaCurveBackend() {}

    @Override
    public String name() {
        return "java";
    }

    @Override
    public PublicPoint mulG(SecretScalar k) {
        return PublicPoint.of(Secp256k1.mulSecretG(k.live()));
    }

    @Override
    public PublicPoint mul(SecretScalar k, PublicPoint p) {
        ConstantTimeComb table = p.fixedBaseTable();
        if (table != null) { // public: which point, not which scalar
            return PublicPoint.of(Secp256k1.mulSecretFixedBase(table, k.live()));
        }
        return PublicPoint.of(Secp256k1.mulSecret(p.ecPoint(), k.live()));
    }

    @Override
    public PublicPoint mulPublic(Scalar a, PublicPoint p) {
        return PublicPoint.of(Secp256k1.mulPublic(p.ecPoint(), a.toBigInteger()));
    }

    @Override
    public PublicPoint mulGAndMulPublic(Scalar a, Scalar b, PublicPoint q) {
        ECPoint sum = Secp256k1.sumOfTwoPublic(Secp256k1.G, a.toBigInteger(), q.ecPoint(), b.toBigInteger());
        return sum.isInfinity() ? null : PublicPoint.of(sum);
    }

    @Override
    public PublicPoint add(PublicPoint p, PublicPoint q) {
        return PublicPoint.of(p.ecPoint().add(q.ecPoint()));
    }

    @Override
    public PublicPoint recover(RecoverableSignature sig, H256 hash) {
        BigInteger r = sig.r().toBigInteger();
        BigInteger x = sig.v() >= 2 ? r.add(Secp256k1.N) : r;
        if (x.compareTo(Secp256k1.P) >= 0) {
            throw Ecdsa.invalid("signature R.x is not below the field prime");
        }
        byte[] compressed = new byte[33];
        compressed[0] = (byte) ((sig.v() & 1) == 1 ? 0x03 : 0x02);
        System.arraycopy(Scalar.toBytes32(x), 0, compressed, 1, 32);
        PublicPoint bigR;
        try {
            ECPoint lifted = Secp256k1.CURVE.decodePoint(compressed); // fails if X³+7 is not a square
            bigR = PublicPoint.of(lifted);
        } catch (IllegalArgumentException | CryptoException e) {
            throw Ecdsa.invalid("signature R is not on secp256k1");
        }
        Scalar e = Scalar.reduce(hash.toBytes());
        Scalar rInv = sig.r().inverse();
        // Q = r⁻¹·(s·R − e·G), one interleaved double multiplication
        PublicPoint q = mulGAndMulPublic(e.negate().mul(rInv), sig.s().mul(rInv), bigR);
        if (q == null) {
            throw Ecdsa.invalid("signature recovers to the point at infinity");
        }
        return q;
    }

    @Override
    public String toString() {
        return "CurveBackend[java]";
    }
}
