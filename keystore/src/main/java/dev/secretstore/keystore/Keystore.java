package dev.secretstore.keystore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.KeyPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory of keystore v3 files, one account each (geth/Parity layout). The directory is read
 * again on every lookup, so accounts added while the service runs are found. Keys are decrypted per
 * call and never cached.
 */
public final class Keystore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSSSSSSSS'Z'");

    private final Path dir;

    public Keystore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The accounts in the directory, by address, with their files (unreadable files are skipped). */
    public Map<Address, Path> accounts() {
        Map<Address, Path> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) return out;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).sorted().forEach(files::add);
        } catch (IOException e) {
            return out;
        }
        for (Path f : files) {
            try {
                JsonNode node = JSON.readTree(f.toFile());
                if (node != null && node.isObject()) out.putIfAbsent(KeystoreFile.declaredAddress(node), f);
            } catch (IOException | KeystoreException e) {
                // not a keystore file
            }
        }
        return out;
    }

    /** The file of {@code address}, if the directory holds one. */
    public Optional<Path> fileOf(Address address) {
        return Optional.ofNullable(accounts().get(address));
    }

    /** Decrypts the key of {@code address}; the caller must destroy it when done. */
    public KeyPair unlock(Address address, String password) throws KeystoreException {
        Path f = fileOf(address).orElseThrow(() ->
                new KeystoreException(KeystoreException.Reason.UNKNOWN_ACCOUNT, "unknown account"));
        JsonNode node;
        try {
            node = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new KeystoreException(KeystoreException.Reason.INVALID_FILE, "cannot read keystore file");
        }
        return KeystoreFile.decrypt(node, password);
    }

    /**
     * Writes a new keystore file for {@code key}, named like geth's ({@code UTC--<time>--<address>}):
     * {@code 0600} from creation, in a directory created {@code 0700} if missing (SEC-39, {@link PrivateFiles}).
     */
    public Path store(KeyPair key, String password, KeystoreFile.ScryptParams params) throws IOException {
        PrivateFiles.createDirectories(dir);
        String address = key.address().toHex().replaceFirst("^0x", "");
        Path f = dir.resolve("UTC--" + FILE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "--" + address);
        PrivateFiles.writeString(f, JSON.writeValueAsString(KeystoreFile.encrypt(key, password, params)));
        return f;
    }
}
