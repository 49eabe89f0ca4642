package dev.secretstore.node.transport;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.Destroyable;

/**
 * A Noise CipherState with AES-256-GCM (Noise rev 34 §5.1, §12.4): a 32-byte key and a 64-bit
 * counter nonce encoded as 32 zero bits followed by the big-endian counter. The counter is treated
 * as unsigned; the value 2^64 − 1 is reserved and never used, so the state refuses to encrypt or
 * decrypt once it is reached.
 *
 * <p>Unlike the Noise specification, which lets a caller retry after a failed decryption, any
 * decryption failure poisons this state: every later call throws {@link TransportException.Reason#CLOSED}.
 * A transport connection is closed on the first failure (SEC-17).
 *
 * <p>Not thread-safe: each direction of a connection is used from one event-loop thread.
 */
public final class CipherState implements Destroyable {
    public static final int KEY_LENGTH = 32;
    public static final int TAG_LENGTH = 16;
    private static final int TAG_BITS = TAG_LENGTH * 8;
    private static final long RESERVED_NONCE = -1L; // 2^64 - 1 as an unsigned long

    private final byte[] key;
    private final SecretKeySpec keySpec;
    private final Cipher cipher;
    private final byte[] iv = new byte[12];
    private long n;
    private boolean unusable;

    /** A state with the given 32-byte key and nonce 0 (the key is copied). */
    public CipherState(byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("cipher key must be 32 bytes, got " + key.length);
        }
        this.key = key.clone();
        this.keySpec = new SecretKeySpec(this.key, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
        }
    }

    /** The next nonce (an unsigned 64-bit value). */
    public long nonce() {
        return n;
    }

    /** For tests of nonce exhaustion only. */
    void setNonce(long nonce) {
        this.n = nonce;
    }

    /** Encrypts {@code plaintext} with associated data {@code ad} and advances the nonce. */
    public byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
        return encryptWithAd(ad, plaintext, 0, plaintext.length);
    }

    public byte[] encryptWithAd(byte[] ad, byte[] plaintext, int offset, int length) {
        checkUsable();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, nextIv()));
            if (ad.length > 0) cipher.updateAAD(ad);
            byte[] out = cipher.doFinal(plaintext, offset, length);
            n++;
            return out;
        } catch (GeneralSecurityException e) {
            unusable = true;
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Decrypts and authenticates; on success advances the nonce. On failure the state becomes
     * unusable and {@link TransportException.Reason#DECRYPT_FAILED} is thrown.
     */
    public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) {
        return decryptWithAd(ad, ciphertext, 0, ciphertext.length);
    }

    public byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int offset, int length) {
        checkUsable();
        if (length < TAG_LENGTH) {
            unusable = true;
            throw new TransportException(TransportException.Reason.DECRYPT_FAILED, "ciphertext shorter than the tag: " + length);
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, nextIv()));
            if (ad.length > 0) cipher.updateAAD(ad);
            byte[] out = cipher.doFinal(ciphertext, offset, length);
            n++;
            return out;
        } catch (AEADBadTagException e) {
            unusable = true;
            throw new TransportException(TransportException.Reason.DECRYPT_FAILED, "authentication tag mismatch at nonce " + Long.toUnsignedString(n));
        } catch (GeneralSecurityException e) {
            unusable = true;
            throw new TransportException(TransportException.Reason.DECRYPT_FAILED, "AES-GCM decryption failed", e);
        }
    }

    private void checkUsable() {
        if (unusable) {
            throw new TransportException(TransportException.Reason.CLOSED, "cipher state is unusable after a failure or destroy");
        }
        if (n == RESERVED_NONCE) {
            unusable = true;
            throw new TransportException(TransportException.Reason.NONCE_EXHAUSTED, "nonce space exhausted");
        }
    }

    private byte[] nextIv() {
        // 32 zero bits, then the 64-bit big-endian counter (Noise §12.4)
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (56 - 8 * i));
        }
        return iv;
    }

    /**
     * Zeroes this object's copy of the key. The JDK's {@code SecretKeySpec} keeps its own copy that
     * cannot be wiped (its {@code destroy} is unsupported); it becomes garbage with this object.
     */
    @Override
    public void destroy() {
        Arrays.fill(key, (byte) 0);
        unusable = true;
    }

    @Override
    public boolean isDestroyed() {
        return unusable;
    }

    @Override
    public String toString() {
        return "CipherState[nonce=" + Long.toUnsignedString(n) + (unusable ? ", unusable" : "") + "]";
    }
}
