package dev.secretstore.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.keystore.KeystoreException;
import dev.secretstore.keystore.KeystoreFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * The requester's key: from a raw secret key or a keystore v3 file and its password. Signs key ids
 * and decrypts what key servers return; the key never leaves this object. {@link #destroy()} erases it.
 */
public final class Credentials implements Destroyable {
    private final KeyPair key;

    private Credentials(KeyPair key) {
        this.key = key;
    }

    /** From a 32-byte secret key (the array is not retained). */
    public static Credentials fromSecretKey(byte[] secret32) {
        try {
            return new Credentials(KeyPair.fromSecretBytes(secret32));
        } catch (CryptoException e) {
            throw new SecretStoreException.InvalidInput("not a secp256k1 secret key", -1, null, e);
        }
    }

    /** From 64 hex digits (optional {@code 0x}). */
    public static Credentials fromSecretHex(String hex) {
        byte[] b;
        try {
            b = Hex.decode(Hex.strip0x(hex.trim()), 32);
        } catch (CryptoException e) {
            throw new SecretStoreException.InvalidInput("a secret key is 64 hex digits", -1, null, e);
        }
        try {
            return fromSecretKey(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /** From an Ethereum keystore v3 file (scrypt or pbkdf2) and its password. */
    public static Credentials fromKeystore(Path file, String password) throws IOException {
        try {
            return new Credentials(KeystoreFile.decrypt(new ObjectMapper().readTree(file.toFile()), password));
        } catch (KeystoreException e) {
            throw new SecretStoreException.InvalidInput("cannot unlock " + file + ": " + e.getMessage(), -1, null, null);
        }
    }

    public Address address() {
        return key.address();
    }

    public PublicPoint publicKey() {
        return key.publicKey();
    }

    /** The requester signature of the HTTP API: raw ECDSA over the 32 bytes of the key id, 130 hex digits. */
    String signKeyId(H256 keyId) {
        return Hex.encode(Ecdsa.sign(key.secret(), keyId).toBytes());
    }

    /** A fresh authorization of one operation (docs/auth.md §1-§2), signed with this requester's key. */
    Authorization authorize(H256 clusterId, Operation operation, H256 keyId, H256 params, long expires, byte[] nonce) {
        return Authorization.sign(key, clusterId, operation, keyId, params, expires, nonce);
    }

    /** ECIES-decrypts a value a key server encrypted to this requester (authData {@code 00 00}). */
    byte[] decrypt(byte[] blob) {
        return Ecies.decryptFromServer(key.secret(), blob);
    }

    SecretScalar decryptScalar(byte[] blob) {
        byte[] plain = decrypt(blob);
        try {
            return SecretScalar.fromBytes(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public void destroy() {
        key.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return key.isDestroyed();
    }

    @Override
    public String toString() {
        return "Credentials[" + key.address() + "]";
    }
}
