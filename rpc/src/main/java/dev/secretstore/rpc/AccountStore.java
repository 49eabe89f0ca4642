package dev.secretstore.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreException;
import dev.secretstore.keystore.KeystoreFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The keystore directory as the rpc service sees it (jsonrpc.md §10).
 *
 * <p>The listing is cached and read again only when the directory's modification time changes, or
 * while that time is within {@link #RACY_MILLIS} of the last listing (file systems with coarse
 * timestamps could otherwise hide a second change in the same tick). A call therefore costs one
 * {@code stat} of the directory, not a listing.
 *
 * <p>An address with no file is checked against a dummy keystore (random salt and MAC, the KDF
 * parameters of the first account file, or light scrypt for an empty directory), so an unknown
 * account runs the same KDF as a wrong password and fails the same way:
 * {@link KeystoreException.Reason#WRONG_PASSWORD}. {@link #unlock} never reports
 * {@code UNKNOWN_ACCOUNT}.
 */
final class AccountStore {
    static final long RACY_MILLIS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs a keystore file's KDF and MAC check with a password (an injection point for counting). */
    interface Kdf {
        KeyPair decrypt(JsonNode file, String password) throws KeystoreException;
    }

    private record Snapshot(FileTime mtime, long takenMillis, Map<Address, Path> accounts, JsonNode dummy) {}

    private final Path dir;
    private final Supplier<Map<Address, Path>> lister;
    private final Kdf kdf;
    private final LongSupplier wallMillis;
    private final SecureRandom rng;
    private volatile Snapshot snapshot;

    AccountStore(Keystore keystore, SecureRandom rng) {
        this(keystore.dir(), keystore::accounts, KeystoreFile::decrypt, System::currentTimeMillis, rng);
    }

    AccountStore(Path dir, Supplier<Map<Address, Path>> lister, Kdf kdf, LongSupplier wallMillis, SecureRandom rng) {
        this.dir = dir;
        this.lister = lister;
        this.kdf = kdf;
        this.wallMillis = wallMillis;
        this.rng = rng;
    }

    /** Decrypts the key of {@code address}; unknown accounts fail as a wrong password does, after the same KDF. */
    KeyPair unlock(Address address, String password) throws KeystoreException {
        Snapshot s = current();
        Path file = s.accounts().get(address);
        JsonNode node = null;
        if (file != null) {
            try {
                node = JSON.readTree(file.toFile());
            } catch (IOException e) {
                snapshot = null; // the file went away: list again next time
            }
        }
        if (node == null) {
            KeyPair kp = kdf.decrypt(s.dummy(), password); // random MAC: fails with WRONG_PASSWORD
            kp.destroy();
            throw new KeystoreException(KeystoreException.Reason.WRONG_PASSWORD, "wrong password");
        }
        return kdf.decrypt(node, password);
    }

    private Snapshot current() {
        FileTime mtime;
        try {
            mtime = Files.getLastModifiedTime(dir);
        } catch (IOException e) {
            mtime = FileTime.fromMillis(0);
        }
        Snapshot s = snapshot;
        if (s != null && s.mtime().equals(mtime) && s.takenMillis() - mtime.toMillis() >= RACY_MILLIS) {
            return s;
        }
        synchronized (this) {
            s = snapshot;
            if (s != null && s.mtime().equals(mtime) && s.takenMillis() - mtime.toMillis() >= RACY_MILLIS) {
                return s;
            }
            long now = wallMillis.getAsLong();
            Map<Address, Path> accounts = Map.copyOf(lister.get());
            JsonNode dummy = s != null && s.accounts().equals(accounts) ? s.dummy() : dummy(accounts);
            s = new Snapshot(mtime, now, accounts, dummy);
            snapshot = s;
            return s;
        }
    }

    /** A keystore no password opens, with the KDF parameters of an existing account where there is one. */
    private JsonNode dummy(Map<Address, Path> accounts) {
        for (Path f : accounts.values().stream().sorted().toList()) {
            try {
                JsonNode n = JSON.readTree(f.toFile());
                JsonNode crypto = n.has("crypto") ? n.get("crypto") : n.get("Crypto");
                if (crypto instanceof ObjectNode c && c.get("kdfparams") instanceof ObjectNode kp) {
                    ObjectNode copy = n.deepCopy();
                    ObjectNode cc = (ObjectNode) (copy.has("crypto") ? copy.get("crypto") : copy.get("Crypto"));
                    ObjectNode kpc = (ObjectNode) cc.get("kdfparams");
                    if (kp.has("salt")) kpc.put("salt", randomHex(32));
                    cc.put("mac", randomHex(32));
                    return copy;
                }
            } catch (IOException e) {
                // try the next one
            }
        }
        KeyPair k = KeyPair.random();
        try {
            ObjectNode d = KeystoreFile.encrypt(k, randomHex(32), KeystoreFile.ScryptParams.LIGHT);
            ((ObjectNode) d.get("crypto")).put("mac", randomHex(32));
            return d;
        } finally {
            k.destroy();
        }
    }

    private String randomHex(int n) {
        byte[] b = new byte[n];
        rng.nextBytes(b);
        return Hex.encode(b);
    }
}
