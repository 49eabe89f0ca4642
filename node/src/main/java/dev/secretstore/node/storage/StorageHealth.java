package dev.secretstore.node.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code /health} reports as {@code storage} (SEC-38, issue #15): whether the data directory and the
 * key database can take writes right now. A cheap file-system probe, no SQL and no write: {@link #OK},
 * {@code missing} (the directory or the database file is gone), {@code read_only} (either is not
 * writable) or {@code full} (no usable space left on the file system). A running store adds to this what only it
 * knows ({@link SqliteKeyStorage#health()}: its file replaced, or its last write failed).
 */
public final class StorageHealth {
    public static final String OK = "ok";

    private StorageHealth() {}

    /** The state of {@code dataDir} and its {@link SqliteKeyStorage#FILE_NAME}. */
    public static String probe(Path dataDir) {
        Path file = dataDir.resolve(SqliteKeyStorage.FILE_NAME);
        if (!Files.isDirectory(dataDir) || !Files.isRegularFile(file)) return "missing";
        if (!Files.isWritable(dataDir) || !Files.isWritable(file)) return "read_only";
        try {
            if (Files.getFileStore(dataDir).getUsableSpace() == 0) return "full";
        } catch (IOException e) {
            return "missing";
        }
        return OK;
    }
}
