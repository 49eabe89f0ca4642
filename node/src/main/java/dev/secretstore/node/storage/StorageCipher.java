package dev.secretstore.node.storage;

import dev.secretstore.crypto.SecretScalar;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of stored secrets (SEC-07): AES-256-GCM under a storage key derived from
 * the node's secret key with HKDF-SHA256, a fresh random 96-bit nonce per write, and associated data
 * that binds each ciphertext to the row it belongs to. A sealed value is {@code nonce ‖ ciphertext ‖ tag}.
 *
 * <p>Limitation: the JDK's {@link SecretKeySpec} and AES key schedule keep copies of the storage key
 * that cannot be erased on Java 17; {@link #destroy()} zeroes the copy this class owns.
 */
final class StorageCipher {
    static final String STORAGE_KEY_INFO = "secretstore/v1/storage-key";
    static final int KEY_LENGTH = 32;
    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = 16;

    private static final byte[] HKDF_SALT = "secretstore/v1/storage-salt".getBytes(StandardCharsets.US_ASCII);

    private final byte[] key;
    private final SecretKeySpec keySpec;
    private final SecureRandom random = new SecureRandom();

    /** Copies {@code storageKey}; the caller zeroes its own array. */
    StorageCipher(byte[] storageKey) {
        if (storageKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("storage key must be 32 bytes, got " + storageKey.length);
        }
        this.key = storageKey.clone();
        this.keySpec = new SecretKeySpec(key, "AES");
    }

    /** HKDF-SHA256 (RFC 5869) of the node secret with a domain-separating info string, 32 bytes. */
    static byte[] deriveStorageKey(SecretScalar nodeSecret) {
        byte[] ikm = nodeSecret.toBytes();
        byte[] prk = null;
        try {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(HKDF_SALT, "HmacSHA256"));
            prk = extract.doFinal(ikm);
            Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(prk, "HmacSHA256"));
            expand.update(STORAGE_KEY_INFO.getBytes(StandardCharsets.US_ASCII));
            expand.update((byte) 1);
            return expand.doFinal(); // 32 bytes = one HKDF block
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        } finally {
            Arrays.fill(ikm, (byte) 0);
            if (prk != null) Arrays.fill(prk, (byte) 0);
        }
    }

    /** Encrypts {@code plaintext} (not modified; the caller zeroes it) bound to {@code aad}. */
    synchronized byte[] seal(byte[] plaintext, byte[] aad) {
        byte[] out = new byte[NONCE_LENGTH + plaintext.length + TAG_LENGTH];
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            c.updateAAD(aad);
            c.doFinal(plaintext, 0, plaintext.length, out, NONCE_LENGTH);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Decrypts and authenticates a sealed value; the returned plaintext belongs to the caller, who zeroes it.
     *
     * @throws AEADBadTagException if the value was not sealed with this key and this {@code aad}
     */
    byte[] open(byte[] sealed, byte[] aad) throws AEADBadTagException {
        if (sealed.length < NONCE_LENGTH + TAG_LENGTH) throw new AEADBadTagException("sealed value too short");
        byte[] out = new byte[sealed.length - NONCE_LENGTH - TAG_LENGTH];
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(TAG_LENGTH * 8, sealed, 0, NONCE_LENGTH));
            c.updateAAD(aad);
            c.doFinal(sealed, NONCE_LENGTH, sealed.length - NONCE_LENGTH, out, 0);
            return out;
        } catch (AEADBadTagException e) {
            Arrays.fill(out, (byte) 0);
            throw e;
        } catch (GeneralSecurityException e) {
            Arrays.fill(out, (byte) 0);
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    void destroy() {
        Arrays.fill(key, (byte) 0);
    }
}
