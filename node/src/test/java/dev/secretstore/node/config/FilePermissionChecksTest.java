package dev.secretstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-27 with real files and real permissions. */
class FilePermissionChecksTest {
    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    }

    private Path file(String name, String perms) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void secretFileOpenToGroupOrOthersWarns() throws Exception {
        assertThat(FilePermissionChecks.secretFileWarning(file("private.toml", "rw-------"), true)).isEmpty();
        assertThat(FilePermissionChecks.secretFileWarning(file("group.toml", "rw-r-----"), true))
                .hasValueSatisfying(w -> assertThat(w).contains("group.toml").contains("rw-r-----").contains("chmod 600"));
        assertThat(FilePermissionChecks.secretFileWarning(file("world.toml", "rw-r--r--"), true)).isPresent();
        assertThat(FilePermissionChecks.secretFileWarning(file("public.toml", "rw-r--r--"), false))
                .as("a file without the key may be readable").isEmpty();
    }

    @Test
    void warningsFollowTheFileThatHoldsTheKey() throws Exception {
        Path key = file("node.key", "rw-r--r--");
        Files.writeString(key, ConfigLoaderTest.SECRET);
        Path cfg = dir.resolve("node.toml");
        Files.writeString(cfg, ConfigLoaderTest.minimal("").replace("self_secret = \"" + ConfigLoaderTest.SECRET + "\"\n", "")
                + "[secretstore_ext]\nself_secret_file = \"node.key\"\n");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(FilePermissionChecks.warnings(ConfigLoader.load(cfg))).singleElement()
                .satisfies(w -> assertThat(w).contains("node.key"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(FilePermissionChecks.warnings(ConfigLoader.load(cfg))).isEmpty();

        Files.writeString(cfg, ConfigLoaderTest.minimal(""));
        assertThat(FilePermissionChecks.warnings(ConfigLoader.load(cfg))).singleElement()
                .satisfies(w -> assertThat(w).contains("node.toml").doesNotContain(ConfigLoaderTest.SECRET));
    }

    @Test
    void missingDataDirectoryIsFine() {
        assertThat(FilePermissionChecks.dataDirectoryRefusal(dir.resolve("fresh"))).isEmpty();
    }

    @Test
    void privateDataDirectoryIsFine() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Path db = Files.writeString(data.resolve("keys.sqlite"), "");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(FilePermissionChecks.dataDirectoryRefusal(data)).isEmpty();
    }

    @Test
    void worldReadableDataDirectoryIsRefused() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(FilePermissionChecks.dataDirectoryRefusal(data))
                .hasValueSatisfying(r -> assertThat(r).contains("data").contains("rwxr-xr-x").contains("does not start"));
    }

    @Test
    void worldReadableStoreFileInsideAPrivateDirectoryIsRefused() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Path db = Files.writeString(data.resolve("keys.sqlite"), "");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(FilePermissionChecks.dataDirectoryRefusal(data)).hasValueSatisfying(r -> assertThat(r).contains("keys.sqlite"));
    }

    @Test
    void dataPathThatIsAFileIsRefused() throws Exception {
        assertThat(FilePermissionChecks.dataDirectoryRefusal(file("notadir", "rw-------"))).isPresent();
    }
}
