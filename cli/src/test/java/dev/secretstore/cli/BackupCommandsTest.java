package dev.secretstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.storage.BackupSocket;
import dev.secretstore.node.storage.SqliteKeyStorage;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secretstore backup} and {@code restore} (issue #16): outputs, refusals and exit codes, on real stores of an init-cluster configuration. */
class BackupCommandsTest {
    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();
    private NodeConfig node0;
    private NodeConfig node1;

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), new MainTest.Fake(null, null));
    }

    private Path config(int i) {
        return dir.resolve("c").resolve("node-" + i + ".toml");
    }

    @BeforeEach
    void cluster() throws Exception {
        assertThat(run("init-cluster", "--nodes", "2", "--dir", dir.resolve("c").toString())).isZero();
        node0 = ConfigLoader.load(config(0));
        node1 = ConfigLoader.load(config(1));
    }

    private SqliteKeyStorage open(NodeConfig c) {
        return new SqliteKeyStorage(c.dataDir(), c.nodeKey().secret());
    }

    private static H256 id(int i) {
        byte[] b = new byte[32];
        b[31] = (byte) i;
        return H256.fromBytes(b);
    }

    /** A key in which {@code me} holds the share at x = 1 (passes the store's SEC-11 check). */
    private static void commitKey(SqliteKeyStorage store, NodeId me, NodeId peer, int i) {
        SecretScalar share = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        SecretScalar f0 = share.sub(f1);
        PublicPoint y = f0.mulG();
        KeyVersion v = new KeyVersion(Map.of(me, Scalar.of(1), peer, Scalar.of(2)), share, List.of(y, f1.mulG()));
        store.prepareNewKey(new KeyShare(id(i), Address.fromHex("0x00a329c0648769a73afac7f9381e08fb43dbea72"), 1, y, Optional.empty(), List.of(v)));
        store.commit(id(i));
    }

    @Test
    void backupOfAStoppedMemberRestoresOntoAWipedDataDirectory() throws Exception {
        try (SqliteKeyStorage store = open(node0)) {
            commitKey(store, node0.self(), node1.self(), 1);
            commitKey(store, node0.self(), node1.self(), 2);
        }
        Path snap = dir.resolve("node-0.snapshot");
        assertThat(run("backup", "--config", config(0).toString(), "--out", snap.toString())).isZero();
        assertThat(out.toString()).contains("0x" + node0.self().toHex()).contains("2 key(s)").contains("read from the stopped node's store");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(snap))).isEqualTo("rw-------");

        assertThat(run("backup", "--config", config(0).toString(), "--out", snap.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("exists");

        try (var files = Files.list(node0.dataDir())) {
            for (Path p : files.toList()) Files.delete(p); // the disk is lost
        }
        assertThat(run("restore", "--config", config(0).toString(), "--from", snap.toString())).isZero();
        try (SqliteKeyStorage store = open(node0)) {
            assertThat(store.keyIds()).containsExactlyInAnyOrder(id(1), id(2));
        }
    }

    @Test
    void restoreRefusesAnotherMembersSnapshotNamingBothIds() throws Exception {
        try (SqliteKeyStorage store = open(node0)) {
            commitKey(store, node0.self(), node1.self(), 1);
        }
        Path snap = dir.resolve("node-0.snapshot");
        assertThat(run("backup", "--config", config(0).toString(), "--out", snap.toString())).isZero();
        assertThat(run("restore", "--config", config(1).toString(), "--from", snap.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("refused").contains("0x" + node0.self().toHex()).contains("0x" + node1.self().toHex());
        assertThat(node1.dataDir().resolve(SqliteKeyStorage.FILE_NAME)).doesNotExist();
    }

    @Test
    void backupOfARunningMemberGoesThroughItsSocketAndRestoreRefusesWhileItRuns() throws Exception {
        Path snap = dir.resolve("online.snapshot");
        try (SqliteKeyStorage store = open(node0); BackupSocket socket = BackupSocket.start(node0.dataDir(), store)) {
            commitKey(store, node0.self(), node1.self(), 1);
            assertThat(run("backup", "--config", config(0).toString(), "--out", snap.toString())).isZero();
            assertThat(out.toString()).contains("written by the running node").contains("1 key(s)");
            assertThat(run("restore", "--config", config(0).toString(), "--from", snap.toString())).isEqualTo(Main.USAGE);
            assertThat(err.toString()).contains("is in use");
            commitKey(store, node0.self(), node1.self(), 2);
        }
        assertThat(run("restore", "--config", config(0).toString(), "--from", snap.toString())).isZero();
        assertThat(out.toString()).contains("keys.sqlite.replaced-");
        try (SqliteKeyStorage store = open(node0)) {
            assertThat(store.keyIds()).containsExactly(id(1));
        }
    }

    @Test
    void aMissingStoreOrSnapshotIsAFailureNotACrash() {
        assertThat(run("backup", "--config", config(0).toString(), "--out", dir.resolve("x").toString())).isEqualTo(Main.FAILURE);
        assertThat(err.toString()).contains("no key storage");
        assertThat(dir.resolve("x")).doesNotExist();
        assertThat(run("restore", "--config", config(0).toString(), "--from", dir.resolve("none").toString())).isEqualTo(Main.FAILURE);
        assertThat(err.toString()).contains("no snapshot file");
    }
}
