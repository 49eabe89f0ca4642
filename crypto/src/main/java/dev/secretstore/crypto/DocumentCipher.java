package dev.secretstore.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Parity's document encryption ({@code rpc/src/v1/helpers/secretstore.rs}, crypto.md §7): AES-128-CTR
 * keyed with the first 16 bytes of the 64-byte document key point {@code M}, output
 * {@code ciphertext ‖ iv} (the IV is <em>appended</em>). There is no integrity protection: a wrong key
 * or a modified ciphertext gives garbage, not an error; this is Parity's format and clients rely on it.
 */
public final class DocumentCipher {
    private static final SecureRandom RANDOM = new SecureRandom();

    private DocumentCipher() {}

    /** Encrypts with a fresh random IV from the system CSPRNG. Output length = plaintext length + 16. */
    public static byte[] encrypt(PublicPoint documentKey, byte[] plaintext) {
        return encrypt(documentKey, plaintext, RANDOM);
    }

    /** Encrypts with the 16-byte IV drawn from {@code rng}. Output {@code c ‖ iv}, length plaintext length + 16. */
    public static byte[] encrypt(PublicPoint documentKey, byte[] plaintext, SecureRandom rng) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] iv = new byte[Aes128Ctr.IV_LENGTH];
        rng.nextBytes(iv);
        byte[] key = key(documentKey);
        try {
            byte[] c = Aes128Ctr.apply(key, iv, 0, plaintext, 0, plaintext.length);
            byte[] out = Arrays.copyOf(c, c.length + Aes128Ctr.IV_LENGTH);
            System.arraycopy(iv, 0, out, c.length, Aes128Ctr.IV_LENGTH);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE lacks AES/CTR", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Decrypts {@code c ‖ iv}. Checks only that {@code data} has at least 16 bytes (the IV), else
     * {@code INVALID_ENCODING}; any longer input decrypts (to garbage if key or data are wrong).
     */
    public static byte[] decrypt(PublicPoint documentKey, byte[] data) {
        if (data == null || data.length < Aes128Ctr.IV_LENGTH) {
            throw new CryptoException(CryptoException.Reason.INVALID_ENCODING,
                    "encrypted document must be at least 16 bytes, got " + (data == null ? "null" : data.length));
        }
        int cLength = data.length - Aes128Ctr.IV_LENGTH;
        byte[] key = key(documentKey);
        try {
            return Aes128Ctr.apply(key, data, cLength, data, 0, cLength);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE lacks AES/CTR", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** {@code M[0..16]}: the high 128 bits of M.X. */
    private static byte[] key(PublicPoint documentKey) {
        byte[] x = documentKey.x();
        try {
            return Arrays.copyOf(x, Aes128Ctr.KEY_LENGTH);
        } finally {
            Arrays.fill(x, (byte) 0);
        }
    }
}
