package dev.secretstore.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-128-CTR through the JCE {@code AES/CTR/NoPadding} transformation, which increments the whole
 * 16-byte block as a big-endian counter starting at the IV, as Parity does (crypto.md §6, §7). CTR
 * encryption and decryption are the same operation. Package-private: used by {@link Ecies} and
 * {@link DocumentCipher} only.
 */
final class Aes128Ctr {
    static final int KEY_LENGTH = 16;
    static final int IV_LENGTH = 16;

    private Aes128Ctr() {}

    /**
     * Returns AES-128-CTR(key, iv) applied to {@code in[offset..offset+length]}. The key array is not
     * retained by this method (the JCE key object keeps its own copy until it is garbage collected).
     *
     * @throws GeneralSecurityException only if the JCE lacks AES/CTR (never on a standard JDK)
     */
    static byte[] apply(byte[] key, byte[] iv, int ivOffset, byte[] in, int offset, int length)
            throws GeneralSecurityException {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("AES-128 key must be 16 bytes");
        }
        Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
        SecretKeySpec spec = new SecretKeySpec(key, "AES");
        cipher.init(Cipher.ENCRYPT_MODE, spec, new IvParameterSpec(iv, ivOffset, IV_LENGTH));
        if (length == 0) {
            return new byte[0];
        }
        return cipher.doFinal(in, offset, length);
    }
}
