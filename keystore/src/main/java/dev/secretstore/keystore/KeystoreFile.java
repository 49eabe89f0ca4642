package dev.secretstore.keystore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Keccak256;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Ethereum keystore files (Web3 Secret Storage, version 3): {@code scrypt} or {@code pbkdf2}
 * ({@code hmac-sha256}) key derivation, {@code aes-128-ctr} with {@code dk[0..16]}, and
 * {@code mac = keccak256(dk[16..32] ‖ ciphertext)}. Derived keys and decrypted secrets are zeroed
 * after use; nothing secret is ever put in an exception message.
 */
public final class KeystoreFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** scrypt cost parameters for new files. */
    public record ScryptParams(int n, int r, int p) {
        /** geth's standard parameters (n = 2^18): about a second and 256 MiB per unlock. */
        public static final ScryptParams STANDARD = new ScryptParams(1 << 18, 8, 1);
        /** geth's "light" parameters (n = 2^12, p = 6): for development accounts and tests. */
        public static final ScryptParams LIGHT = new ScryptParams(1 << 12, 8, 6);
    }

    /**
     * The costliest key derivation a file may ask for; a file over them is refused as invalid, before any work,
     * because the file chooses the cost: scrypt needs 128·n·r bytes (2^22 → 512 MiB) and time in n·r·p
     * (2^24: eight times geth's standard n = 2^18, r = 8, p = 1); pbkdf2 time in c (2^22 iterations: sixteen times
     * the 262,144 of the Web3 Secret Storage example, 400 times Parity's 10,240).
     */
    static final long MAX_SCRYPT_NR = 1L << 22;
    static final long MAX_SCRYPT_NRP = 1L << 24;
    static final int MAX_PBKDF2_ITERATIONS = 1 << 22;

    private KeystoreFile() {}

    /** The address a keystore file declares (without decrypting it). */
    public static Address declaredAddress(JsonNode file) throws KeystoreException {
        JsonNode a = file.get("address");
        if (a == null || !a.isTextual()) {
            throw new KeystoreException(KeystoreException.Reason.INVALID_FILE, "keystore file has no address");
        }
        try {
            return Address.fromHex(a.asText());
        } catch (CryptoException e) {
            throw new KeystoreException(KeystoreException.Reason.INVALID_FILE, "keystore file has an invalid address");
        }
    }

    /** Decrypts a keystore v3 file with {@code password}; the caller destroys the returned key pair. */
    public static KeyPair decrypt(JsonNode file, String password) throws KeystoreException {
        JsonNode crypto = file.has("crypto") ? file.get("crypto") : file.get("Crypto");
        if (crypto == null || !file.path("version").asText().equals("3")) {
            throw invalid("not a version 3 keystore file");
        }
        if (!"aes-128-ctr".equals(crypto.path("cipher").asText())) {
            throw invalid("unsupported cipher");
        }
        byte[] dk = null;
        byte[] secret = null;
        try {
            byte[] ciphertext = hex(crypto.path("ciphertext"));
            byte[] iv = hex(crypto.path("cipherparams").path("iv"));
            byte[] mac = hex(crypto.path("mac"));
            dk = derive(crypto.path("kdf").asText(), crypto.path("kdfparams"), password);
            byte[] expected = Keccak256.hash(Arrays.copyOfRange(dk, 16, 32), ciphertext);
            if (!MessageDigest.isEqual(expected, mac)) {
                throw new KeystoreException(KeystoreException.Reason.WRONG_PASSWORD, "wrong password");
            }
            secret = aesCtr(Arrays.copyOfRange(dk, 0, 16), iv, ciphertext);
            KeyPair kp;
            try {
                kp = KeyPair.fromSecretBytes(secret);
            } catch (CryptoException e) {
                throw invalid("keystore holds an invalid secret key");
            }
            if (file.has("address") && !declaredAddress(file).equals(kp.address())) {
                kp.destroy();
                throw invalid("keystore address does not match its key");
            }
            return kp;
        } finally {
            if (dk != null) Arrays.fill(dk, (byte) 0);
            if (secret != null) Arrays.fill(secret, (byte) 0);
        }
    }

    /** Encrypts {@code key} into a new keystore v3 file (scrypt). */
    public static ObjectNode encrypt(KeyPair key, String password, ScryptParams params) {
        byte[] salt = new byte[32];
        byte[] iv = new byte[16];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(iv);
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        byte[] dk = SCrypt.generate(pw, salt, params.n(), params.r(), params.p(), 32);
        byte[] secret = key.secret().toBytes();
        try {
            byte[] ciphertext = aesCtr(Arrays.copyOfRange(dk, 0, 16), iv, secret);
            byte[] mac = Keccak256.hash(Arrays.copyOfRange(dk, 16, 32), ciphertext);
            ObjectNode root = JSON.createObjectNode();
            root.put("address", Hex.encode(key.address().toBytes()));
            ObjectNode crypto = root.putObject("crypto");
            crypto.put("cipher", "aes-128-ctr");
            crypto.put("ciphertext", Hex.encode(ciphertext));
            crypto.putObject("cipherparams").put("iv", Hex.encode(iv));
            crypto.put("kdf", "scrypt");
            ObjectNode kdf = crypto.putObject("kdfparams");
            kdf.put("dklen", 32);
            kdf.put("n", params.n());
            kdf.put("p", params.p());
            kdf.put("r", params.r());
            kdf.put("salt", Hex.encode(salt));
            crypto.put("mac", Hex.encode(mac));
            root.put("id", UUID.randomUUID().toString());
            root.put("version", 3);
            return root;
        } catch (KeystoreException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            Arrays.fill(pw, (byte) 0);
            Arrays.fill(dk, (byte) 0);
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static byte[] derive(String kdf, JsonNode p, String password) throws KeystoreException {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        try {
            int dklen = p.path("dklen").asInt(32);
            if (dklen != 32) throw invalid("unsupported dklen");
            byte[] salt = hex(p.path("salt"));
            switch (kdf.toLowerCase(Locale.ROOT)) {
                case "scrypt" -> {
                    int n = p.path("n").asInt();
                    int r = p.path("r").asInt();
                    int par = p.path("p").asInt();
                    if (n < 2 || Integer.bitCount(n) != 1 || r < 1 || par < 1 || (long) n * r > MAX_SCRYPT_NR
                            || (long) n * r * par > MAX_SCRYPT_NRP
                            || (r == 1 && n >= 1 << 16)) { // BouncyCastle enforces RFC 7914's N < 2^(16r)
                        throw invalid("unsupported scrypt parameters");
                    }
                    return SCrypt.generate(pw, salt, n, r, par, dklen);
                }
                case "pbkdf2" -> {
                    if (!"hmac-sha256".equals(p.path("prf").asText())) throw invalid("unsupported pbkdf2 prf");
                    int c = p.path("c").asInt();
                    if (c < 1 || c > MAX_PBKDF2_ITERATIONS) throw invalid("unsupported pbkdf2 iteration count");
                    PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
                    gen.init(pw, salt, c);
                    return ((KeyParameter) gen.generateDerivedParameters(dklen * 8)).getKey();
                }
                default -> throw invalid("unsupported kdf");
            }
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private static byte[] aesCtr(byte[] key, byte[] iv, byte[] in) throws KeystoreException {
        try {
            if (iv.length != 16) throw invalid("iv must be 16 bytes");
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return cipher.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE lacks AES/CTR", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] hex(JsonNode n) throws KeystoreException {
        if (!n.isTextual()) throw invalid("missing hex field");
        try {
            return Hex.decode(Hex.strip0x(n.asText()));
        } catch (CryptoException e) {
            throw invalid("invalid hex field");
        }
    }

    private static KeystoreException invalid(String message) {
        return new KeystoreException(KeystoreException.Reason.INVALID_FILE, message);
    }
}
