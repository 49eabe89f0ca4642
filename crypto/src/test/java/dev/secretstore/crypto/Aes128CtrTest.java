package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * crypto.md §6: the counter is the whole 16-byte block, big-endian (Parity's {@code Ctr128BE}). A
 * 64-bit or little-endian counter would agree on the first block and differ once the low bytes carry.
 */
class Aes128CtrTest {

    @Test
    void counterCarriesAcrossAll128Bits() throws Exception {
        byte[] key = Hex.decode("000102030405060708090a0b0c0d0e0f");
        for (String ivHex : new String[] {"0000000000000000ffffffffffffffff", "00ffffffffffffffffffffffffffffff",
                "ffffffffffffffffffffffffffffffff"}) {
            byte[] iv = Hex.decode(ivHex);
            byte[] zeros = new byte[48];
            byte[] keystream = Aes128Ctr.apply(key, iv, 0, zeros, 0, zeros.length);
            assertThat(keystream).isEqualTo(referenceKeystream(key, iv, 3));
        }
    }

    @Test
    void ivOffsetAndInputSliceAreHonoured() throws Exception {
        byte[] key = Hex.decode("ce9c0af4fc6818e44fd1934b04df9b64");
        byte[] buf = new byte[60];
        new java.util.Random(5).nextBytes(buf);
        byte[] iv = Arrays.copyOfRange(buf, 40, 56);
        byte[] direct = Aes128Ctr.apply(key, iv, 0, Arrays.copyOfRange(buf, 3, 30), 0, 27);
        assertThat(Aes128Ctr.apply(key, buf, 40, buf, 3, 27)).isEqualTo(direct);
        assertThat(Aes128Ctr.apply(key, iv, 0, direct, 0, 27)).isEqualTo(Arrays.copyOfRange(buf, 3, 30));
        assertThat(Aes128Ctr.apply(key, iv, 0, buf, 0, 0)).isEmpty();
    }

    /** AES-ECB of iv, iv+1, … (mod 2^128), computed independently of the CTR mode. */
    private static byte[] referenceKeystream(byte[] key, byte[] iv, int blocks) throws Exception {
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        byte[] out = new byte[16 * blocks];
        BigInteger counter = new BigInteger(1, iv);
        BigInteger mod = BigInteger.ONE.shiftLeft(128);
        for (int i = 0; i < blocks; i++) {
            byte[] block = new byte[16];
            byte[] raw = counter.toByteArray();
            int len = Math.min(raw.length, 16);
            System.arraycopy(raw, raw.length - len, block, 16 - len, len);
            System.arraycopy(ecb.doFinal(block), 0, out, 16 * i, 16);
            counter = counter.add(BigInteger.ONE).mod(mod);
        }
        return out;
    }
}
