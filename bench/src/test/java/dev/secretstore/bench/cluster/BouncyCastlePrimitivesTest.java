package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.SecretScalar;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/** The third price list prices the right computation: BouncyCastle's recovery returns the signer's key. */
class BouncyCastlePrimitivesTest {
    @Test
    void recoveryReturnsTheSignersKey() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] secret = new byte[32];
            byte[] hash = new byte[32];
            rnd.nextBytes(secret);
            rnd.nextBytes(hash);
            secret[0] = 0x11;
            SecretScalar d = SecretScalar.fromBytes(secret);
            byte[] rsv = Ecdsa.sign(d, H256.fromBytes(hash)).toBytes();
            ECPoint q = BouncyCastlePrimitives.recover(Arrays.copyOf(rsv, 64), rsv[64], hash);
            assertThat(q.getEncoded(false)).isEqualTo(d.mulG().toUncompressed());
            d.destroy();
        }
    }
}
