package dev.secretstore.keystore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Writes files that hold secrets (keys, keystores, passwords) so that no other user can ever read them
 * (SEC-39). On POSIX file systems a file is created {@code 0600} from its first byte (the mode is an
 * attribute of the creation, never a later {@code chmod}), written under a temporary name in the same
 * directory and moved over the target atomically, so the target is either the old or the complete new
 * file and never readable by group or others, whatever the directory's mode or the process umask.
 * Directories created here are {@code 0700}; an existing directory keeps its mode.
 * On non-POSIX file systems the files are written the same way without permissions.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RNG = new SecureRandom();

    private PrivateFiles() {}

    /** Creates {@code dir} and any missing parents {@code 0700}; a directory that exists is left as it is. */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Path abs = dir.toAbsolutePath();
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        boolean posix = existing != null && isPosix(existing);
        try {
            if (posix) {
                Files.createDirectories(abs, PosixFilePermissions.asFileAttribute(DIR_MODE));
                // exact mode whatever the umask: the umask can only have removed bits, so this never widens
                for (Path p = abs; p != null && !p.equals(existing); p = p.getParent()) {
                    Files.setPosixFilePermissions(p, DIR_MODE);
                }
            } else {
                Files.createDirectories(abs);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException(dir + " exists and is not a directory", e);
        }
    }

    /** Replaces (or creates) {@code file} atomically with {@code content}, private ({@code 0600}). */
    public static void write(Path file, byte[] content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        createDirectories(parent);
        boolean posix = isPosix(parent);
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                : new FileAttribute<?>[0];
        byte[] suffix = new byte[8];
        RNG.nextBytes(suffix);
        Path tmp = parent.resolve("." + file.getFileName() + "." + HexFormat.of().formatHex(suffix) + ".tmp");
        try {
            try (SeekableByteChannel ch = Files.newByteChannel(tmp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                if (posix) Files.setPosixFilePermissions(tmp, FILE_MODE); // never wider than created: umask only removes
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@link #write(Path, byte[])} for text. */
    public static void writeString(Path file, String content) throws IOException {
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code p}'s file system has POSIX permissions. */
    public static boolean isPosix(Path p) {
        return Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
    }
}
