package dev.secretstore.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-38, issue #15: the storage state /health reports, probed from the file system. */
class StorageHealthTest {
    @TempDir
    Path dir;

    @Test
    void sec38_okWithTheDatabaseInPlaceAndMissingOnceTheDirectoryOrTheFileVanishes() throws Exception {
        Path data = dir.resolve("data");
        assertThat(StorageHealth.probe(data)).isEqualTo("missing");
        Files.createDirectories(data);
        assertThat(StorageHealth.probe(data)).isEqualTo("missing");
        Files.writeString(data.resolve(SqliteKeyStorage.FILE_NAME), "");
        assertThat(StorageHealth.probe(data)).isEqualTo(StorageHealth.OK);
        Files.delete(data.resolve(SqliteKeyStorage.FILE_NAME));
        Files.delete(data);
        assertThat(StorageHealth.probe(data)).isEqualTo("missing");
    }
}
