package dev.secretstore.node.transport;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise SymmetricState (rev 34 §5.2) with SHA-256 and HKDF over HMAC-SHA256 (§4.3). HASHLEN = 32.
 * Package-private: only the handshake uses it.
 */
final class SymmetricState {
    static final int HASHLEN = 32;
    private static final byte[] EMPTY = new byte[0];

    private byte[] ck;
    private byte[] h;
    private CipherState cipher; // null until the first MixKey

    SymmetricState(String protocolName) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        if (name.length <= HASHLEN) {
            h = Arrays.copyOf(name, HASHLEN);
        } else {
            h = sha256(name);
        }
        ck = h.clone();
    }

    void mixHash(byte[] data) {
        MessageDigest md = newSha256();
        md.update(h);
        md.update(data);
        h = md.digest();
    }

    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = hkdf(ck, inputKeyMaterial, 2);
        Arrays.fill(ck, (byte) 0);
        ck = out[0];
        if (cipher != null) cipher.destroy();
        cipher = new CipherState(out[1]); // HASHLEN = 32 = key length, no truncation needed
        Arrays.fill(out[1], (byte) 0);
    }

    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipher == null ? plaintext.clone() : cipher.encryptWithAd(h, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    byte[] decryptAndHash(byte[] ciphertext) {
        byte[] plaintext = cipher == null ? ciphertext.clone() : cipher.decryptWithAd(h, ciphertext);
        mixHash(ciphertext);
        return plaintext;
    }

    byte[] handshakeHash() {
        return h.clone();
    }

    /** Split(): two cipher states, the first for initiator→responder, the second for responder→initiator. */
    CipherState[] split() {
        byte[][] out = hkdf(ck, EMPTY, 2);
        CipherState[] result = {new CipherState(out[0]), new CipherState(out[1])};
        Arrays.fill(out[0], (byte) 0);
        Arrays.fill(out[1], (byte) 0);
        return result;
    }

    void destroy() {
        Arrays.fill(ck, (byte) 0);
        if (cipher != null) cipher.destroy();
    }

    /** HKDF(chaining_key, input_key_material, num_outputs) of Noise §4.3. */
    static byte[][] hkdf(byte[] chainingKey, byte[] ikm, int outputs) {
        byte[] tempKey = hmac(chainingKey, ikm);
        try {
            byte[][] out = new byte[outputs][];
            byte[] previous = EMPTY;
            for (int i = 0; i < outputs; i++) {
                byte[] input = Arrays.copyOf(previous, previous.length + 1);
                input[previous.length] = (byte) (i + 1);
                out[i] = hmac(tempKey, input);
                Arrays.fill(input, (byte) 0);
                previous = out[i];
            }
            return out;
        } finally {
            Arrays.fill(tempKey, (byte) 0);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
