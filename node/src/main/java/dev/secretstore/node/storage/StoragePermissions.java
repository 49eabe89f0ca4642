package dev.secretstore.node.storage;

import dev.secretstore.protocol.SecretStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File-system side of SEC-27: the data directory is created 0700 and the database 0600, and an existing
 * directory or database file that others can read or write is refused. On file systems without POSIX
 * permissions the checks are skipped.
 */
final class StoragePermissions {
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private StoragePermissions() {}

    /** Creates {@code dir} (and missing parents) as 0700 if absent, then refuses it if others may read or write it. */
    static void prepareDirectory(Path dir) throws IOException {
        boolean posix = supportsPosix(existingAncestor(dir));
        if (!Files.exists(dir)) {
            if (posix) {
                Files.createDirectories(dir, asAttribute(DIR_MODE));
            } else {
                Files.createDirectories(dir);
            }
        }
        if (!Files.isDirectory(dir)) {
            throw refuse("data directory " + dir + " is not a directory");
        }
        checkNotOpenToOthers(dir, "data directory");
    }

    /** Creates an empty database file as 0600 if absent (an empty file is an empty SQLite database). */
    static void prepareFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            if (supportsPosix(file.getParent())) {
                Files.createFile(file, asAttribute(FILE_MODE));
            } else {
                Files.createFile(file);
            }
        }
        checkNotOpenToOthers(file, "key database");
    }

    /** Refuses a path that exists and is readable or writable by others. */
    static void checkNotOpenToOthers(Path path, String what) throws IOException {
        if (!Files.exists(path) || !supportsPosix(path)) return;
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw refuse(what + " " + path + " is accessible to other users (mode "
                    + PosixFilePermissions.toString(perms) + "); restrict it, e.g. chmod "
                    + (Files.isDirectory(path) ? "700" : "600"));
        }
    }

    private static boolean supportsPosix(Path path) {
        return path != null && Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }

    private static Path existingAncestor(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        return p;
    }

    private static FileAttribute<Set<PosixFilePermission>> asAttribute(Set<PosixFilePermission> mode) {
        return PosixFilePermissions.asFileAttribute(mode);
    }

    private static SecretStoreException refuse(String message) {
        return SecretStoreException.of(SecretStoreException.Kind.DATABASE, message);
    }
}
