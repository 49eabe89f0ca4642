package dev.secretstore.keystore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.KeyPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-39: keystore files and other secret-bearing files are 0600 in 0700 directories, from creation. */
class PrivateFilesTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void sec39KeystoreFileIs0600InNew0700Directories() throws Exception {
        Path dir = tmp.resolve("a").resolve("keystore");
        KeyPair kp = KeyPair.random();
        Path f = new Keystore(dir).store(kp, "pw", KeystoreFile.ScryptParams.LIGHT);
        assertThat(mode(f)).isEqualTo("rw-------");
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(dir.getParent())).isEqualTo("rwx------");
        assertThat(new Keystore(dir).accounts()).containsOnlyKeys(kp.address());
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).containsExactly(f); // no temporary file left behind
        }
        kp.destroy();
    }

    @Test
    void sec39FileIsPrivateInAWorldReadableDirectoryAndReplacesAnOpenOne() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path f = tmp.resolve("dev.json");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        PrivateFiles.writeString(f, "{\"password\":\"x\"}");
        assertThat(mode(f)).isEqualTo("rw-------");
        assertThat(Files.readString(f, StandardCharsets.UTF_8)).isEqualTo("{\"password\":\"x\"}");
        assertThat(mode(tmp)).isEqualTo("rwxr-xr-x"); // an existing directory keeps its mode
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).containsExactly(f);
        }
    }
}
