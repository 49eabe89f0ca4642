package dev.secretstore.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup and restore of one member's store (issue #16): snapshots of a live store, restore, and every refusal. */
class StoreSnapshotsTest {
    static final Address AUTHOR = Address.fromHex("0x00a329c0648769a73afac7f9381e08fb43dbea72");
    private final KeyPair node = KeyPair.random();
    private final NodeId self = new NodeId(node.publicKey());
    private final NodeId other = new NodeId(KeyPair.random().publicKey());

    @TempDir
    Path dir;

    /** A t = 1 sharing in which {@code me} holds the share at x = 7 (passes the SEC-11 check for {@code me}). */
    static KeyShare share(NodeId me, NodeId peer, int i) {
        SecretScalar share = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        SecretScalar f0 = share.sub(f1.mul(Scalar.of(7)));
        PublicPoint a0 = f0.mulG();
        KeyVersion v = new KeyVersion(Map.of(me, Scalar.of(7), peer, Scalar.of(9)), share, List.of(a0, f1.mulG()));
        return new KeyShare(id(i), AUTHOR, 1, a0, Optional.empty(), List.of(v));
    }

    static H256 id(int i) {
        byte[] b = new byte[32];
        b[30] = (byte) (i >> 8);
        b[31] = (byte) i;
        return H256.fromBytes(b);
    }

    static void commit(SqliteKeyStorage s, KeyShare k) {
        s.prepareNewKey(k);
        s.commit(k.keyId());
    }

    private Path snapshotOf(SqliteKeyStorage store, String name) throws IOException {
        Path out = dir.resolve(name);
        store.snapshot(out, Instant.now());
        return out;
    }

    @Test
    void snapshotOfALiveStoreWhileWritesContinueRestoresTheSameKeys() throws Exception {
        Path data = dir.resolve("data");
        AtomicInteger written = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            for (int i = 1; i <= 20; i++) commit(store, share(self, other, i));
            written.set(20);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 21; i <= 400 && !stop.get(); i++) {
                    commit(store, share(self, other, i));
                    written.set(i);
                }
            });
            while (written.get() < 40 && !writer.isDone()) Thread.sleep(1);
            int before = written.get();
            Path snap = snapshotOf(store, "live.snapshot");
            int after = written.get();
            stop.set(true);
            writer.get();

            StoreSnapshots.Info info = StoreSnapshots.verify(snap, node.secret());
            assertThat(info.node()).isEqualTo(self);
            assertThat(info.schemaVersion()).isEqualTo(SqliteKeyStorage.SCHEMA_VERSION);
            assertThat(info.keys()).isBetween((long) before, (long) after);

            Path fresh = dir.resolve("fresh");
            StoreSnapshots.Restored r = StoreSnapshots.restore(snap, fresh, node.secret());
            assertThat(r.replacedDatabase()).isEmpty();
            try (SqliteKeyStorage restored = new SqliteKeyStorage(fresh, node.secret())) {
                Set<H256> ids = restored.keyIds();
                assertThat(ids).hasSize((int) info.keys());
                for (int i = 1; i <= info.keys(); i++) assertThat(ids).contains(id(i)); // a consistent prefix
                // at most the key the writer had prepared but not yet committed, still pending (resolved as after a crash)
                assertThat(restored.pendingKeyIds()).isSubsetOf(Set.of(id((int) info.keys() + 1)));
                for (H256 k : ids) assertSameKey(restored.get(k).orElseThrow(), store.get(k).orElseThrow());
            }
        }
    }

    static void assertSameKey(KeyShare actual, KeyShare expected) {
        assertThat(actual.keyId()).isEqualTo(expected.keyId());
        assertThat(actual.author()).isEqualTo(expected.author());
        assertThat(actual.threshold()).isEqualTo(expected.threshold());
        assertThat(actual.publicKey()).isEqualTo(expected.publicKey());
        assertThat(actual.documentKey()).isEqualTo(expected.documentKey());
        assertThat(actual.versions()).hasSameSizeAs(expected.versions());
        for (int v = 0; v < actual.versions().size(); v++) {
            assertThat(actual.versions().get(v).id()).isEqualTo(expected.versions().get(v).id());
            assertThat(actual.versions().get(v).share()).isEqualTo(expected.versions().get(v).share());
        }
    }

    @Test
    void restoreRefusesASnapshotOfAnotherNodeNamingBothIds() throws Exception {
        KeyPair otherNode = KeyPair.random();
        Path snap;
        try (SqliteKeyStorage store = new SqliteKeyStorage(dir.resolve("other"), otherNode.secret())) {
            commit(store, share(new NodeId(otherNode.publicKey()), self, 1));
            snap = snapshotOf(store, "other.snapshot");
        }
        assertThatThrownBy(() -> StoreSnapshots.restore(snap, dir.resolve("data"), node.secret()))
                .isInstanceOf(StoreSnapshots.Refused.class)
                .hasMessageContaining("0x" + new NodeId(otherNode.publicKey()).toHex())
                .hasMessageContaining("0x" + self.toHex());
        assertThat(dir.resolve("data").resolve(SqliteKeyStorage.FILE_NAME)).doesNotExist();
    }

    @Test
    void restoreRefusesASnapshotWithANewerSchema() throws Exception {
        Path snap;
        try (SqliteKeyStorage store = new SqliteKeyStorage(dir.resolve("src"), node.secret())) {
            commit(store, share(self, other, 1));
            snap = snapshotOf(store, "s.snapshot");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + snap); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + (SqliteKeyStorage.SCHEMA_VERSION + 1));
        }
        assertThatThrownBy(() -> StoreSnapshots.restore(snap, dir.resolve("data"), node.secret()))
                .isInstanceOf(StoreSnapshots.Refused.class)
                .hasMessageContaining("schema version " + (SqliteKeyStorage.SCHEMA_VERSION + 1))
                .hasMessageContaining("newer");
    }

    @Test
    void restoreRefusesAStoreThatIsNotASnapshotAndAnyOtherFile() throws Exception {
        try (SqliteKeyStorage store = new SqliteKeyStorage(dir.resolve("src"), node.secret())) {
            commit(store, share(self, other, 1));
        }
        Path plainStore = dir.resolve("src").resolve(SqliteKeyStorage.FILE_NAME);
        assertThatThrownBy(() -> StoreSnapshots.restore(plainStore, dir.resolve("data"), node.secret()))
                .isInstanceOf(StoreSnapshots.Refused.class).hasMessageContaining("not a snapshot made by `secretstore backup`");
        Path junk = Files.writeString(dir.resolve("junk"), "not a database at all, just some text that is long enough".repeat(20));
        assertThatThrownBy(() -> StoreSnapshots.restore(junk, dir.resolve("data"), node.secret()))
                .isInstanceOf(StoreSnapshots.Refused.class);
    }

    @Test
    void restoreRefusesWhileTheNodeHoldsTheStoreAndMovesAStoppedOnesDatabaseAside() throws Exception {
        Path data = dir.resolve("data");
        Path snap;
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            commit(store, share(self, other, 1));
            snap = snapshotOf(store, "s.snapshot");
            commit(store, share(self, other, 2));
            assertThatThrownBy(() -> StoreSnapshots.restore(snap, data, node.secret()))
                    .isInstanceOf(StoreSnapshots.Refused.class).hasMessageContaining("is in use");
            assertThat(store.keyIds()).containsExactlyInAnyOrder(id(1), id(2)); // untouched
        }
        StoreSnapshots.Restored r = StoreSnapshots.restore(snap, data, node.secret());
        assertThat(r.replacedDatabase()).isPresent();
        try (SqliteKeyStorage restored = new SqliteKeyStorage(data, node.secret())) {
            assertThat(restored.keyIds()).containsExactly(id(1));
        }
        Path aside = dir.resolve("aside");
        Files.createDirectories(aside, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Files.copy(r.replacedDatabase().get(), aside.resolve(SqliteKeyStorage.FILE_NAME));
        try (SqliteKeyStorage old = new SqliteKeyStorage(aside, node.secret())) {
            assertThat(old.keyIds()).containsExactlyInAnyOrder(id(1), id(2)); // moved aside whole, not deleted
        }
    }

    @Test
    void theRunningNodeWritesTheSnapshotThroughItsBackupSocket() throws Exception {
        Path data = dir.resolve("data");
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret());
             BackupSocket socket = BackupSocket.start(data, store)) {
            commit(store, share(self, other, 1));
            assertThat(Files.getPosixFilePermissions(data.resolve(BackupSocket.SOCKET_NAME)))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Path out = dir.resolve("online.snapshot");
            long size = BackupSocket.fetch(data, out);
            assertThat(Files.size(out)).isEqualTo(size);
            assertThat(StoreSnapshots.verify(out, node.secret()).keys()).isEqualTo(1);
            try (var staged = Files.list(data)) {
                assertThat(staged.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".snapshot-"));
            }
        }
        assertThat(data.resolve(BackupSocket.SOCKET_NAME)).doesNotExist();
        assertThatThrownBy(() -> BackupSocket.fetch(data, dir.resolve("x"))).isInstanceOfAny(NoSuchFileException.class,
                java.net.ConnectException.class, java.net.SocketException.class);
    }

    @Test
    void aStoppedNodesStoreIsSnapshottedDirectly() throws Exception {
        Path data = dir.resolve("data");
        try (SqliteKeyStorage store = new SqliteKeyStorage(data, node.secret())) {
            commit(store, share(self, other, 1));
        }
        Path out = dir.resolve("offline.snapshot");
        StoreSnapshots.snapshotStopped(data, node.secret(), out);
        assertThat(StoreSnapshots.verify(out, node.secret()).keys()).isEqualTo(1);
        assertThatThrownBy(() -> StoreSnapshots.snapshotStopped(dir.resolve("none"), node.secret(), dir.resolve("y")))
                .isInstanceOf(IOException.class).hasMessageContaining("no key storage");
        assertThat(dir.resolve("none")).doesNotExist();
    }
}
