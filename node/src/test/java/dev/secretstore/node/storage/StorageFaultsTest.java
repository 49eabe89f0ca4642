package dev.secretstore.node.storage;

import static dev.secretstore.node.storage.StoreSnapshotsTest.commit;
import static dev.secretstore.node.storage.StoreSnapshotsTest.id;
import static dev.secretstore.node.storage.StoreSnapshotsTest.share;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-38 with real SQLite files: a data directory that vanishes, fills up or turns read-only never kills the process;
 * writes fail with {@code DATABASE}, reads go on or fail cleanly, {@link SqliteKeyStorage#health()} says why, and the
 * store takes writes again once the disk is fine, without reopening it.
 */
class StorageFaultsTest {
    private final KeyPair node = KeyPair.random();
    private final NodeId self = new NodeId(node.publicKey());
    private final NodeId other = new NodeId(KeyPair.random().publicKey());

    @TempDir
    Path dir;

    /**
     * The JVM died with SIGBUS when the WAL index file {@code -shm}, memory-mapped by SQLite, was truncated under a
     * running node. In exclusive locking mode there is no such file (the index lives in heap memory) and no second
     * connection can open the store while this one has it.
     */
    @Test
    void noSharedMemoryFileExistsAndTheStoreIsHeldExclusively_SEC38() throws Exception {
        Path data = dir.resolve("data");
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            for (int i = 1; i <= 5; i++) commit(store, share(self, other, i));
            assertThat(store.pragma("locking_mode")).isEqualTo("exclusive");
            assertThat(store.pragma("mmap_size")).isEqualTo("0");
            assertThat(Path.of(data.resolve(SqliteKeyStorage.FILE_NAME) + "-shm")).doesNotExist();
            assertThatThrownBy(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(SqliteKeyStorage.FILE_NAME));
                     Statement st = c.createStatement()) {
                    st.executeQuery("SELECT count(*) FROM key_shares").close();
                }
            }).isInstanceOf(SQLException.class).hasMessageContaining("locked");
            assertThat(store.health()).isEqualTo(StorageHealth.OK);
        }
    }

    /**
     * A data directory moved (or deleted) under the running store: the open files would still take writes, into a
     * place the next start never looks. Writes are refused, reads of what is there go on, health says
     * {@code missing}; moved back, writes work again on the same open store and survive a restart.
     */
    @Test
    void writesAreRefusedWhileTheDataDirectoryIsAwayAndResumeWhenItIsBack_SEC38() throws Exception {
        Path data = dir.resolve("data");
        Path away = dir.resolve("away");
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            commit(store, share(self, other, 1));
            Files.move(data, away);

            assertThatThrownBy(() -> commit(store, share(self, other, 2)))
                    .isInstanceOf(SecretStoreException.class)
                    .satisfies(e -> assertThat(((SecretStoreException) e).kind()).isEqualTo(SecretStoreException.Kind.DATABASE))
                    .hasMessageContaining("no longer at its path");
            assertThat(store.get(id(1))).isPresent();
            assertThat(store.health()).isEqualTo("missing");

            Files.move(away, data);
            assertThat(store.health()).isEqualTo(StorageHealth.OK);
            commit(store, share(self, other, 2));
        }
        try (SqliteKeyStorage reopened = new SqliteKeyStorage(data, node.secret())) {
            assertThat(reopened.keyIds()).containsExactlyInAnyOrder(id(1), id(2));
        }
    }

    /** The same for a directory replaced by another one (a restored copy, an empty directory): never written into. */
    @Test
    void aReplacedDatabaseFileIsNotWrittenThroughTheOldOne_SEC38() throws Exception {
        Path data = dir.resolve("data");
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            commit(store, share(self, other, 1));
            Path db = data.resolve(SqliteKeyStorage.FILE_NAME);
            Files.move(db, dir.resolve("old.sqlite"));
            Files.createFile(db, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            assertThatThrownBy(() -> commit(store, share(self, other, 2))).isInstanceOf(SecretStoreException.class)
                    .hasMessageContaining("no longer at its path");
            assertThat(store.health()).isEqualTo("missing");
        }
    }

    /**
     * A full file system (a 1 MiB tmpfs filled by another file): writes fail with {@code DATABASE}, reads go on,
     * health says {@code full}; once space is freed, health's probe write succeeds and so do writes, on the same
     * open store, and everything committed before and after is there after a restart. Needs root to mount the
     * tmpfs (the only way to get a really full file system in a test); skipped, saying so, elsewhere.
     */
    @Test
    void aFullDiskFailsWritesCleanlyAndTheStoreRecovers_SEC38() throws Exception {
        Path fs = dir.resolve("fs");
        Files.createDirectories(fs);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", fs.toString()),
                "mounting a tmpfs needs root (CAP_SYS_ADMIN); the full-disk case is then covered by docs/operations.md's manual run");
        try {
            Path data = fs.resolve("data");
            List<Integer> committed = new ArrayList<>();
            try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
                commit(store, share(self, other, 1));
                committed.add(1);
                fill(fs.resolve("filler"));
                SecretStoreException failure = null;
                for (int i = 2; i < 2000 && failure == null; i++) {
                    try {
                        commit(store, share(self, other, i));
                        committed.add(i);
                    } catch (SecretStoreException e) {
                        failure = e;
                    }
                }
                assertThat(failure).as("a write on a full disk fails").isNotNull();
                assertThat(failure.kind()).isEqualTo(SecretStoreException.Kind.DATABASE);
                assertThat(store.health()).isEqualTo("full");
                assertThat(store.get(id(1))).isPresent();

                Files.delete(fs.resolve("filler"));
                assertThat(store.health()).isEqualTo(StorageHealth.OK);
                commit(store, share(self, other, 3000));
                committed.add(3000);
            }
            try (SqliteKeyStorage reopened = new SqliteKeyStorage(data, node.secret())) {
                assertThat(reopened.keyIds()).containsExactlyInAnyOrderElementsOf(committed.stream().map(StoreSnapshotsTest::id).toList());
            }
        } finally {
            run("umount", fs.toString());
        }
    }

    /**
     * A read-only data directory (a read-only bind mount, which binds root too; chmod does not) at start: the store
     * opens and serves reads or refuses to open with {@code DATABASE}, never a crash; writes fail with
     * {@code DATABASE}; once the mount is writable again a new open takes writes. Needs root for the mount.
     */
    @Test
    void aReadOnlyDataDirectoryRefusesWritesCleanly_SEC38() throws Exception {
        Path data = dir.resolve("data");
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            commit(store, share(self, other, 1));
        }
        assumeTrue(run("mount", "--bind", data.toString(), data.toString()),
                "a read-only bind mount needs root (CAP_SYS_ADMIN); as root, chmod would not make the directory read-only");
        try {
            assertThat(run("mount", "-o", "remount,ro,bind", data.toString())).isTrue();
            assertThat(StorageHealth.probe(data)).isEqualTo("read_only");
            try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
                assertThat(store.get(id(1))).isPresent();
                assertThatThrownBy(() -> commit(store, share(self, other, 2))).isInstanceOf(SecretStoreException.class)
                        .satisfies(e -> assertThat(((SecretStoreException) e).kind()).isEqualTo(SecretStoreException.Kind.DATABASE));
                assertThat(store.health()).isEqualTo("read_only");
            } catch (SecretStoreException refusedToOpen) {
                assertThat(refusedToOpen.kind()).isEqualTo(SecretStoreException.Kind.DATABASE);
            }
        } finally {
            run("umount", data.toString());
        }
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            commit(store, share(self, other, 2));
            assertThat(store.keyIds()).containsExactlyInAnyOrder(id(1), id(2));
        }
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) out.write(block);
        } catch (IOException full) {
            // "No space left on device": the file system is full now
        }
    }

    private static boolean run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
