package dev.secretstore.node.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Start-up checks of file permissions (security.md SEC-27), as functions the node calls before it
 * opens anything. On a file system without POSIX permissions they find nothing to report.
 *
 * <ul>
 *   <li>A file holding the node key (the configuration file with {@code self_secret}, or the key
 *       file) that the group or others may access → a warning.</li>
 *   <li>A data directory (or a file or directory directly inside it) that others may read or
 *       write → a refusal. A data directory that does not exist yet is fine: a fresh directory
 *       just works.</li>
 * </ul>
 */
public final class FilePermissionChecks {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private FilePermissionChecks() {}

    /**
     * The warning for a file that holds the node key and is open to group or others; empty when the
     * file is private, holds no key, or the file system has no POSIX permissions.
     */
    public static Optional<String> secretFileWarning(Path file, boolean holdsNodeKey) {
        if (!holdsNodeKey) return Optional.empty();
        Optional<Set<PosixFilePermission>> perms = permissions(file);
        if (perms.isEmpty()) return Optional.empty();
        Set<PosixFilePermission> p = perms.get();
        if (p.stream().noneMatch(GROUP_OR_OTHERS::contains)) return Optional.empty();
        return Optional.of(file + " holds the node key but its permissions are " + PosixFilePermissions.toString(p)
                + "; other users may read the key. Run: chmod 600 " + file);
    }

    /**
     * The start-up warnings of {@code config}: its configuration file or key file, whichever holds the key (none for a
     * keystore account, whose file is encrypted).
     */
    public static List<String> warnings(NodeConfig config) {
        List<String> out = new ArrayList<>();
        if (config.secret() instanceof NodeConfig.SecretSource.KeyFile kf) {
            secretFileWarning(kf.path(), true).ifPresent(out::add);
        } else if (config.secret() instanceof NodeConfig.SecretSource.KeystoreAccount) {
            // the key is in a password-encrypted keystore file; the configuration file names only the account
            return out;
        } else {
            secretFileWarning(config.source(), true).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The reason to refuse start-up when the data directory, or an entry directly inside it, may be
     * read or written by others; empty when it is private or does not exist yet.
     */
    public static Optional<String> dataDirectoryRefusal(Path dataDir) {
        if (!Files.exists(dataDir, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        if (!Files.isDirectory(dataDir)) {
            return Optional.of("data directory " + dataDir + " exists but is not a directory");
        }
        Optional<String> own = worldAccessible(dataDir);
        if (own.isPresent()) return own;
        try (Stream<Path> entries = Files.list(dataDir)) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                Optional<String> r = worldAccessible(e);
                if (r.isPresent()) return r;
            }
        } catch (IOException e) {
            return Optional.of("data directory " + dataDir + " cannot be listed (" + e.getClass().getSimpleName() + ")");
        }
        return Optional.empty();
    }

    private static Optional<String> worldAccessible(Path p) {
        Optional<Set<PosixFilePermission>> perms = permissions(p);
        if (perms.isEmpty()) return Optional.empty();
        Set<PosixFilePermission> s = perms.get();
        if (s.contains(PosixFilePermission.OTHERS_READ) || s.contains(PosixFilePermission.OTHERS_WRITE)) {
            return Optional.of(p + " holds key storage but its permissions are " + PosixFilePermissions.toString(s)
                    + "; other users may read or change key shares, so the node does not start. Run: chmod -R o-rwx "
                    + p);
        }
        return Optional.empty();
    }

    private static Optional<Set<PosixFilePermission>> permissions(Path p) {
        try {
            return Optional.of(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
    }
}
