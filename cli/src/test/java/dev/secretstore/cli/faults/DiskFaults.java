package dev.secretstore.cli.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Disk faults under a running node's data directory ({@code data/node-<i>}). The machine runs the tests as root,
 * so {@code chmod} would stop nothing; where {@code mount} works (checked once, {@link #MOUNTS}), the directory
 * is a small tmpfs mounted before the node starts, and the faults are real:
 * <ul>
 *   <li>{@link Kind#FULL}: a filler file takes every free byte of the tmpfs (ENOSPC on the next write);
 *       healed by deleting it;</li>
 *   <li>{@link Kind#READ_ONLY}: a read-only bind mount of the directory over itself (the files the node has
 *       open stay writable, as the kernel checks at open: docs/operations.md); healed by unmounting it.</li>
 * </ul>
 * Everywhere, also where mounting is refused (an unprivileged container):
 * <ul>
 *   <li>{@link Kind#MISSING}: the directory (on a tmpfs, which cannot be renamed: its {@code keys.sqlite}) is
 *       renamed away under the node and renamed back to heal.</li>
 * </ul>
 */
final class DiskFaults implements AutoCloseable {
    enum Kind { FULL, READ_ONLY, MISSING }

    /** Whether this machine lets the tests mount (a tmpfs and a read-only bind); probed once. */
    static final boolean MOUNTS = probeMounts();

    private static final String TMPFS_SIZE = "32m";
    private final Path dir;
    private final List<Path> mounted = new ArrayList<>();
    private final List<Runnable> healing = new ArrayList<>();

    /** @param dir the init-cluster directory */
    DiskFaults(Path dir) {
        this.dir = dir;
    }

    /** The kinds this machine can do. */
    static List<Kind> available() {
        return MOUNTS ? List.of(Kind.FULL, Kind.READ_ONLY, Kind.MISSING) : List.of(Kind.MISSING);
    }

    Path data(int configIndex) {
        return dir.resolve("data").resolve("node-" + configIndex);
    }

    /** Before node {@code configIndex} first starts: its data directory becomes a small tmpfs (if mounts work). */
    void prepare(int configIndex) {
        if (!MOUNTS) return;
        Path d = data(configIndex);
        run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE + ",mode=0700", "tmpfs", d.toString());
        mounted.add(0, d);
    }

    /** Applies {@code kind} to node {@code configIndex}'s data directory; {@link #heal()} undoes it. */
    void inject(int configIndex, Kind kind) {
        Path d = data(configIndex);
        try {
            switch (kind) {
                case FULL -> {
                    if (!mounted.contains(d)) throw new IllegalStateException(d + " is no tmpfs: call prepare first");
                    Path filler = d.resolve("filler");
                    fill(filler);
                    healing.add(() -> deleteQuietly(filler));
                }
                case READ_ONLY -> {
                    run("mount", "--bind", d.toString(), d.toString());
                    run("mount", "-o", "remount,bind,ro", d.toString());
                    healing.add(() -> run("umount", d.toString()));
                }
                case MISSING -> {
                    // a mount point cannot be renamed (EBUSY): on a tmpfs the key database file goes away instead
                    Path gone = mounted.contains(d) ? d.resolve("keys.sqlite") : d;
                    Path away = gone.resolveSibling(gone.getFileName() + ".away");
                    Files.move(gone, away);
                    healing.add(() -> {
                        try {
                            Files.move(away, gone);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Undoes every injected fault, newest first. */
    void heal() {
        for (int i = healing.size() - 1; i >= 0; i--) healing.get(i).run();
        healing.clear();
    }

    /** Writes zeros until the file system refuses (ENOSPC). */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!full.getMessage().contains("No space left")) throw full;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // left for close
        }
    }

    @Override
    public void close() {
        try {
            heal();
        } finally {
            for (Path d : mounted) {
                try {
                    run("umount", "-l", d.toString());
                } catch (RuntimeException ignored) {
                    // best effort: a lazy unmount of a busy tmpfs
                }
            }
            mounted.clear();
        }
    }

    private static boolean probeMounts() {
        Path probe = null;
        try {
            probe = Files.createTempDirectory("faults-mount-probe");
            run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString());
            run("umount", probe.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            if (probe != null) deleteQuietly(probe);
        }
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out.trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
