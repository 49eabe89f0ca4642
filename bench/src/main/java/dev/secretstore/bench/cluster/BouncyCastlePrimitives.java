package dev.secretstore.bench.cluster;

import dev.secretstore.crypto.Secp256k1;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * The floor's primitives done with BouncyCastle's own multipliers, for the third price list: what a Java
 * Secret Store gets from the library without curve code of its own. Secret scalars go through
 * BouncyCastle's constant-time {@link FixedPointCombMultiplier} (its table is cached on the point object,
 * so "new point" builds it and "again" reuses it); public ones through its default multiplier (GLV with
 * wNAF, variable time) and {@link ECAlgorithms#sumOfTwoMultiplies}; recovery is {@code r⁻¹·(s·R − e·G)}
 * with R decompressed from r. Points are decoded from bytes on every call where the primitive is for a
 * new point, as for our prices.
 */
final class BouncyCastlePrimitives {
    private static final ECPoint G = Secp256k1.G;
    private static final BigInteger N = Secp256k1.N;

    private BouncyCastlePrimitives() {}

    /** One consumer per primitive over input index i; the arrays are {@link PrimitiveCosts}' seeded inputs. */
    static Map<Primitive, IntConsumer> operations(byte[][] keys, byte[][] points, dev.secretstore.crypto.Scalar[] scalars,
                                                   dev.secretstore.crypto.Scalar[] scalars2, byte[][] compact, int[] recid, byte[][] hashes) {
        int count = keys.length;
        BigInteger[] k = new BigInteger[count];
        BigInteger[] a = new BigInteger[count];
        BigInteger[] b = new BigInteger[count];
        ECPoint[] cached = new ECPoint[count];
        for (int i = 0; i < count; i++) {
            k[i] = new BigInteger(1, keys[i]);
            a[i] = scalars[i].toBigInteger();
            b[i] = scalars2[i].toBigInteger();
            cached[i] = decode(points[i]);
        }
        FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
        ECPoint h = decode(dev.secretstore.crypto.threshold.PedersenGenerator.H.toUncompressed()); // its comb table cached on first use
        Map<Primitive, IntConsumer> ops = new EnumMap<>(Primitive.class);
        ops.put(Primitive.K_G, i -> PrimitiveCosts.sink(comb.multiply(G, k[i]).normalize()));
        ops.put(Primitive.K_H, i -> PrimitiveCosts.sink(comb.multiply(h, k[i]).normalize()));
        ops.put(Primitive.K_P, i -> PrimitiveCosts.sink(comb.multiply(decode(points[i]), k[i]).normalize()));
        ops.put(Primitive.K_P_AGAIN, i -> PrimitiveCosts.sink(comb.multiply(cached[i], k[i]).normalize()));
        ops.put(Primitive.PUB_K_P, i -> PrimitiveCosts.sink(decode(points[i]).multiply(a[i]).normalize()));
        ops.put(Primitive.PUB_AG_BP, i -> PrimitiveCosts.sink(ECAlgorithms.sumOfTwoMultiplies(G, b[i], decode(points[i]), a[i]).normalize()));
        ops.put(Primitive.RECOVER, i -> PrimitiveCosts.sink(recover(compact[i], recid[i], hashes[i])));
        return ops;
    }

    private static ECPoint decode(byte[] uncompressed) {
        return Secp256k1.CURVE.decodePoint(uncompressed);
    }

    /** Public-key recovery from a compact (r ‖ s) signature, its recovery id and the 32-byte hash. */
    static ECPoint recover(byte[] compact, int recid, byte[] hash) {
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(compact, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(compact, 32, 64));
        byte[] rEncoded = new byte[33];
        rEncoded[0] = (byte) (0x02 | (recid & 1));
        System.arraycopy(compact, 0, rEncoded, 1, 32); // r < p − n is never above n for these inputs: recid < 2
        ECPoint bigR = Secp256k1.CURVE.decodePoint(rEncoded);
        BigInteger rInv = r.modInverse(N);
        BigInteger e = new BigInteger(1, hash).mod(N);
        BigInteger u1 = N.subtract(e).multiply(rInv).mod(N);
        BigInteger u2 = s.multiply(rInv).mod(N);
        return ECAlgorithms.sumOfTwoMultiplies(G, u1, bigR, u2).normalize();
    }
}
