package dev.secretstore.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Parity's ECIES ({@code publickey/ecies.rs}, the devp2p/RLPx construction), byte for byte
 * (crypto.md §6):
 *
 * <pre>
 * R = r·G;  Z = agree(r, P);  K = SHA-256(00000001 ‖ Z);  ekey = K[0..16];  mkey = SHA-256(K[16..32])
 * c = AES-128-CTR(ekey, iv, m);  tag = HMAC-SHA-256(mkey, iv ‖ c ‖ authData)
 * blob = 04 ‖ R.X ‖ R.Y ‖ iv ‖ c ‖ tag          (113 + len(m) bytes)
 * </pre>
 *
 * <p>Values returned to clients use {@code authData = 00 00} ({@link #encryptToClient},
 * {@link #decryptFromServer}); Parity's node-to-node payloads use an empty authData.
 *
 * <p>Secrets: the ephemeral {@code r} and the recipient key {@code d} are multiplied in constant time
 * ({@link Ecdh}, SEC-06); {@code r}, {@code Z}, {@code K}, {@code ekey} and {@code mkey} are zeroed
 * or destroyed after use (the JCE key objects keep internal copies until collected).
 */
public final class Ecies {
    /** Bytes added to the plaintext: 1 (prefix) + 64 (R) + 16 (iv) + 32 (tag). */
    public static final int OVERHEAD = 113;

    /**
     * The authData Parity uses for everything returned to clients ({@code DEFAULT_MAC}, two zero bytes).
     * Do not modify the array; {@link #encryptToClient} and {@link #decryptFromServer} use their own copy.
     */
    public static final byte[] DEFAULT_AUTH_DATA = {0, 0};

    private static final byte[] CLIENT_AUTH_DATA = {0, 0};
    private static final byte[] KDF_COUNTER = {0, 0, 0, 1};
    private static final int R_OFFSET = 1;
    private static final int IV_OFFSET = 65;
    private static final int C_OFFSET = 81;
    private static final int TAG_LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ecies() {}

    /** {@link #encrypt(PublicPoint, byte[], byte[])} with {@code authData = 00 00}: a value for a client. */
    public static byte[] encryptToClient(PublicPoint recipient, byte[] plaintext) {
        return encrypt(recipient, CLIENT_AUTH_DATA, plaintext);
    }

    /** {@link #decrypt} with {@code authData = 00 00}: a value a key server returned to a client. */
    public static byte[] decryptFromServer(SecretScalar d, byte[] blob) {
        return decrypt(d, CLIENT_AUTH_DATA, blob);
    }

    /** Encrypts {@code plaintext} (any length, including 0) to {@code recipient} with a fresh ephemeral key and IV from the system CSPRNG. */
    public static byte[] encrypt(PublicPoint recipient, byte[] authData, byte[] plaintext) {
        return encrypt(recipient, authData, plaintext, RANDOM);
    }

    /**
     * Encrypts with the ephemeral key and IV drawn from {@code rng} (tests pass a seeded generator).
     * The recipient is a validated {@link PublicPoint}. Output length {@code 113 + plaintext.length}.
     */
    public static byte[] encrypt(PublicPoint recipient, byte[] authData, byte[] plaintext, SecureRandom rng) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(authData, "authData");
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] iv = new byte[Aes128Ctr.IV_LENGTH];
        while (true) {
            SecretScalar r = SecretScalar.random(rng);
            try {
                rng.nextBytes(iv);
                return encrypt(recipient, authData, plaintext, r, iv);
            } catch (CryptoException e) {
                // agree(r, P) has x ≥ n (probability ≈ 2^-128): Parity fails; we draw a new r instead.
                if (e.reason() != CryptoException.Reason.INVALID_SCALAR
                        && e.reason() != CryptoException.Reason.ZERO_RESULT) {
                    throw e;
                }
            } finally {
                r.destroy();
            }
        }
    }

    /**
     * Deterministic core with a given ephemeral key and IV, for known-answer tests only (test-vectors.md
     * B.8). Never reuse an (r, iv) pair in production. Does not destroy {@code r}.
     */
    static byte[] encrypt(PublicPoint recipient, byte[] authData, byte[] plaintext, SecretScalar r, byte[] iv) {
        if (iv.length != Aes128Ctr.IV_LENGTH) {
            throw new IllegalArgumentException("iv must be 16 bytes");
        }
        PublicPoint bigR = r.mulG(); // constant-time comb
        byte[] z = Ecdh.agree(r, recipient);
        byte[] ekey = null;
        byte[] mkey = null;
        try {
            byte[][] keys = deriveKeys(z);
            ekey = keys[0];
            mkey = keys[1];
            byte[] out = new byte[OVERHEAD + plaintext.length];
            out[0] = 0x04;
            System.arraycopy(bigR.toBytes(), 0, out, R_OFFSET, PublicPoint.LENGTH);
            System.arraycopy(iv, 0, out, IV_OFFSET, Aes128Ctr.IV_LENGTH);
            byte[] c = Aes128Ctr.apply(ekey, iv, 0, plaintext, 0, plaintext.length);
            System.arraycopy(c, 0, out, C_OFFSET, c.length);
            byte[] tag = tag(mkey, out, IV_OFFSET, Aes128Ctr.IV_LENGTH + c.length, authData);
            System.arraycopy(tag, 0, out, C_OFFSET + c.length, TAG_LENGTH);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE lacks AES/CTR or HmacSHA256", e);
        } finally {
            Arrays.fill(z, (byte) 0);
            zero(ekey);
            zero(mkey);
        }
    }

    /**
     * Decrypts an ECIES blob with the recipient key {@code d} (SEC-04). In order: rejects a null or
     * shorter-than-113-byte input and a first byte other than {@code 0x04} before reading anything else;
     * validates the ephemeral key R (SEC-01); derives the keys; compares the tag over
     * {@code iv ‖ c ‖ authData} in constant time; only then decrypts. Every failure, whatever the input,
     * is {@code CryptoException(DECRYPTION_FAILED)} whose message holds no secret.
     *
     * @throws IllegalStateException if {@code d} has been destroyed (a caller bug, not an input error)
     */
    public static byte[] decrypt(SecretScalar d, byte[] authData, byte[] blob) {
        if (blob == null || blob.length < OVERHEAD) {
            throw failed("ECIES blob shorter than 113 bytes");
        }
        if (blob[0] != 0x04) {
            throw failed("ECIES blob does not start with 04");
        }
        if (authData == null) {
            throw failed("ECIES authData missing");
        }
        PublicPoint bigR;
        try {
            bigR = PublicPoint.fromBytes(Arrays.copyOfRange(blob, R_OFFSET, R_OFFSET + PublicPoint.LENGTH));
        } catch (CryptoException e) {
            throw failed("ECIES ephemeral key is not a valid point");
        }
        byte[] z;
        try {
            z = Ecdh.agree(d, bigR);
        } catch (CryptoException e) {
            throw failed("ECIES key agreement failed");
        }
        byte[] ekey = null;
        byte[] mkey = null;
        try {
            byte[][] keys = deriveKeys(z);
            ekey = keys[0];
            mkey = keys[1];
            int cLength = blob.length - OVERHEAD;
            int tagOffset = C_OFFSET + cLength;
            byte[] expected = tag(mkey, blob, IV_OFFSET, Aes128Ctr.IV_LENGTH + cLength, authData);
            byte[] actual = Arrays.copyOfRange(blob, tagOffset, tagOffset + TAG_LENGTH);
            if (!MessageDigest.isEqual(expected, actual)) { // constant time
                throw failed("ECIES MAC mismatch");
            }
            return Aes128Ctr.apply(ekey, blob, IV_OFFSET, blob, C_OFFSET, cLength);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof CryptoException ce && ce.reason() == CryptoException.Reason.DECRYPTION_FAILED) {
                throw ce;
            }
            throw failed("ECIES decryption failed");
        } finally {
            Arrays.fill(z, (byte) 0);
            zero(ekey);
            zero(mkey);
        }
    }

    /** K = SHA-256(00000001 ‖ Z); returns {ekey = K[0..16], mkey = SHA-256(K[16..32])}; zeroes K. */
    private static byte[][] deriveKeys(byte[] z) throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(KDF_COUNTER);
        sha.update(z);
        byte[] k = sha.digest();
        try {
            byte[] ekey = Arrays.copyOfRange(k, 0, 16);
            sha.update(k, 16, 16);
            byte[] mkey = sha.digest();
            return new byte[][] {ekey, mkey};
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** HMAC-SHA-256(mkey, data[offset..offset+length] ‖ authData). */
    private static byte[] tag(byte[] mkey, byte[] data, int offset, int length, byte[] authData)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(mkey, "HmacSHA256"));
        mac.update(data, offset, length);
        mac.update(authData);
        return mac.doFinal();
    }

    private static void zero(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }

    private static CryptoException failed(String message) {
        return new CryptoException(CryptoException.Reason.DECRYPTION_FAILED, message);
    }
}
