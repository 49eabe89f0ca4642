package dev.secretstore.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyStorageContract;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.key.VersionSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteKeyStorageTest extends KeyStorageContract {
    private static final byte[] STORAGE_KEY = new byte[32];

    static {
        Arrays.fill(STORAGE_KEY, (byte) 0x5a);
    }

    @TempDir
    Path dir;

    @Override
    protected KeyStorage open() {
        return new SqliteKeyStorage(dir, STORAGE_KEY, N1);
    }

    @Override
    protected KeyStorage reopen() {
        storage.close();
        return open();
    }

    private Path db() {
        return dir.resolve(SqliteKeyStorage.FILE_NAME);
    }

    /**
     * A connection to the database file: while the store is open, its own connection (it holds the file
     * exclusively, SEC-38) behind a proxy whose close() does nothing; otherwise a new one.
     */
    private Connection raw() throws SQLException {
        Connection own = storage instanceof SqliteKeyStorage s ? s.connection() : null;
        if (own == null) return DriverManager.getConnection("jdbc:sqlite:" + db().toAbsolutePath());
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) return null;
                    try {
                        return method.invoke(own, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private KeyShare committed(int i, SecretScalar share) {
        KeyShare s = sampleShare(id(i), share);
        storage.prepareNewKey(s);
        storage.commit(id(i));
        return s;
    }

    // ------------------------------------------------------------------ encryption at rest (SEC-07)

    @Test
    void sharesAreNotInPlaintextInTheDatabaseFiles() throws Exception {
        List<byte[]> secrets = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            SecretScalar s = SecretScalar.random();
            secrets.add(s.toBytes());
            committed(i, s.copy());
        }
        storage.prepareNewKey(sampleShare(id(9), SecretScalar.fromBytes(secrets.get(0)))); // a pending row too
        assertNoneOnDisk(secrets); // while open: data still in the WAL
        storage.close();
        assertNoneOnDisk(secrets); // after the checkpoint on close
        storage = open();
        assertThat(storage.get(id(3)).orElseThrow().latestVersion().share()).isEqualTo(SecretScalar.fromBytes(secrets.get(2)));
    }

    /**
     * SEC-26, SEC-40: a version removed after a refresh leaves no copy of its sealed share in the database file or
     * its WAL, while the store stays open: secure_delete zeroes the freed cells, and the WAL, which still holds
     * the pages as they were written, is checkpointed and truncated right away.
     */
    @Test
    void removedVersionLeavesNoCopyOfItsSealedShareOnDisk_SEC26() throws Exception {
        SecretScalar f0 = SecretScalar.random();
        KeyVersion v1 = sampleVersion(f0, SecretScalar.random(), 7, 9);
        storage.prepareNewKey(new KeyShare(id(31), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(v1)));
        storage.commit(id(31));
        byte[] oldSealed = sealedShare(v1.id());
        KeyVersion fresh = sampleVersion(f0, SecretScalar.random(), 7, 9);
        byte[] nonce = new byte[32];
        nonce[0] = 1;
        KeyVersion refreshed = new KeyVersion(VersionMetadata.withNonce(fresh.idNumbers(), fresh.commitments(), H256.fromBytes(nonce)),
                fresh.share());
        storage.prepareVersion(id(31), refreshed);
        storage.commit(id(31));
        assertThat(indexOfAny(oldSealed)).as("before removal the sealed share is on disk").isTrue();

        storage.removeVersion(id(31), v1.id());

        assertNoneOnDisk(List.of(oldSealed));
        assertThat(storage.get(id(31)).orElseThrow().versions()).extracting(KeyVersion::id).containsExactly(refreshed.id());
    }

    private byte[] sealedShare(H256 version) throws SQLException {
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("SELECT sealed_share FROM key_versions WHERE version_hash = ?")) {
            ps.setBytes(1, version.toBytes());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getBytes(1);
            }
        }
    }

    private boolean indexOfAny(byte[] needle) throws Exception {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (indexOf(Files.readAllBytes(f), needle) >= 0) return true;
            }
        }
        return false;
    }

    private void assertNoneOnDisk(List<byte[]> secrets) throws Exception {
        int scanned = 0;
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                byte[] content = Files.readAllBytes(f);
                scanned += content.length;
                for (byte[] s : secrets) {
                    assertThat(indexOf(content, s)).as("share bytes in %s", f.getFileName()).isEqualTo(-1);
                }
            }
        }
        assertThat(scanned).isPositive();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    @Test
    void shareCopiedOntoAnotherKeysRowFailsAuthentication() throws Exception {
        committed(1, SecretScalar.random());
        committed(2, SecretScalar.random());
        storage.close();
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement(
                "UPDATE key_versions SET sealed_share = (SELECT sealed_share FROM key_versions WHERE key_id = ?) WHERE key_id = ?")) {
            ps.setBytes(1, id(1).toBytes());
            ps.setBytes(2, id(2).toBytes());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        storage = open();
        assertThat(storage.get(id(1))).isPresent();
        assertThatThrownBy(() -> storage.get(id(2)))
                .isInstanceOfSatisfying(SecretStoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SecretStoreException.Kind.DATABASE);
                    assertThat(e.getMessage()).contains(id(2).toHex()).contains("authentication");
                });
    }

    @Test
    void alteredAuthorFailsAuthentication() throws Exception {
        committed(1, SecretScalar.random());
        storage.close();
        try (Connection c = raw(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE key_shares SET author = zeroblob(20)");
        }
        storage = open();
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOf(SecretStoreException.class).hasMessageContaining("authentication");
    }

    @Test
    void differentNodeSecretCannotReadTheShares() throws Exception {
        Path other = dir.resolve("other");
        SecretScalar nodeA = SecretScalar.random();
        NodeId a = new NodeId(nodeA.mulG());
        SecretScalar share = SecretScalar.random();
        byte[] shareBytes = share.toBytes();
        try (SqliteKeyStorage s = new SqliteKeyStorage(other, nodeA)) {
            s.prepareNewKey(shareOf(a, id(1), share));
            s.commit(id(1));
            assertThat(s.get(id(1)).orElseThrow().latestVersion().share()).isEqualTo(share);
        }
        assertThatThrownBy(() -> new SqliteKeyStorage(other, SecretScalar.random()))
                .isInstanceOf(SecretStoreException.class).hasMessageContaining("different node key");

        // Even past the open-time check (the check row removed), the shares do not decrypt.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other.resolve(SqliteKeyStorage.FILE_NAME));
             Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM meta");
        }
        storage.close();
        storage = new SqliteKeyStorage(other, SecretScalar.random());
        assertThat(storage.keyIds()).containsExactly(id(1)); // public metadata is readable
        assertThatThrownBy(() -> storage.get(id(1)))
                .isInstanceOfSatisfying(SecretStoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SecretStoreException.Kind.DATABASE);
                    assertThat(e.getMessage()).contains(id(1).toHex()).contains("authentication")
                            .doesNotContainIgnoringCase(H256.fromBytes(shareBytes).toHex().substring(2));
                });
    }

    @Test
    void storageKeyDerivationIsDeterministicAndPerNode() {
        SecretScalar a = SecretScalar.random();
        assertThat(SqliteKeyStorage.deriveStorageKey(a)).hasSize(32).isEqualTo(SqliteKeyStorage.deriveStorageKey(a.copy()))
                .isNotEqualTo(SqliteKeyStorage.deriveStorageKey(SecretScalar.random()))
                .isNotEqualTo(a.toBytes());
    }

    @Test
    void storageKeyDerivationIsPinned() {
        // HKDF-SHA256(salt "secretstore/v1/storage-salt", IKM = secret 1, info "secretstore/v1/storage-key"),
        // computed independently (Python hmac). Changing it would make every existing store unreadable.
        byte[] one = new byte[32];
        one[31] = 1;
        assertThat(Hex.encode(SqliteKeyStorage.deriveStorageKey(SecretScalar.fromBytes(one))))
                .isEqualTo("d9732d84713c31be3a720bd44152e363524d5b642e8b0762ea23a20232a3c61d");
    }

    /** A t = 1 key in which {@code self} holds {@code share} at x = 3. */
    private static KeyShare shareOf(NodeId self, H256 keyId, SecretScalar share) {
        SecretScalar f1 = SecretScalar.random();
        SecretScalar f0 = share.sub(f1.mul(Scalar.of(3)));
        KeyVersion v = new KeyVersion(Map.of(self, Scalar.of(3), N2, Scalar.of(5)), share, List.of(f0.mulG(), f1.mulG()));
        return new KeyShare(keyId, AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(v));
    }

    // ------------------------------------------------------------------ integrity (SEC-11)

    @Test
    void tamperedCommitmentVectorIsRefused() throws Exception {
        committed(1, SecretScalar.random());
        storage.close();
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("UPDATE key_versions SET commitments = ?")) {
            byte[] forged = SqliteKeyStorage.encodeCommitments(List.of(SecretScalar.random().mulG(), SecretScalar.random().mulG()));
            ps.setBytes(1, forged);
            ps.executeUpdate();
        }
        storage = open();
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOf(SecretStoreException.class).hasMessageContaining(id(1).toHex());
    }

    @Test
    void versionWhoseShareDoesNotMatchItsCommitmentsIsRefusedOnRead() throws Exception {
        // Even a row sealed with the right key and binding (e.g. written by a buggy older release) is refused
        // when the own share does not match the commitment vector.
        KeyShare s = committed(1, SecretScalar.random());
        storage.close();
        KeyVersion v = s.latestVersion();
        byte[] wrong = SecretScalar.random().toBytes();
        byte[] sealed = new StorageCipher(STORAGE_KEY).seal(wrong, SqliteKeyStorage.shareAad(id(1), AUTHOR.toBytes(), 1,
                s.publicKey().toBytes(), v.hash(), SqliteKeyStorage.encodeCommitments(v.commitments())));
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("UPDATE key_versions SET sealed_share = ?")) {
            ps.setBytes(1, sealed);
            ps.executeUpdate();
        }
        storage = open();
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOf(SecretStoreException.class)
                .hasMessageContaining(id(1).toHex()).hasMessageContaining("SEC-11");
    }

    @Test
    void aShareThatPassedOnReadIsStillCheckedInFullWhenItsRowChangesUnderTheOpenStore() throws Exception {
        // SEC-11 with the VerifiedShares shortcut: the same open store read the version once (checked and
        // remembered); a different sealed share written underneath (validly sealed, wrong share) is not the
        // remembered value, so it is checked again and refused.
        KeyShare s = committed(1, SecretScalar.random());
        assertThat(storage.get(id(1))).isPresent();
        assertThat(storage.get(id(1))).isPresent(); // the second read takes the remembered value
        KeyVersion v = s.latestVersion();
        byte[] wrong = new StorageCipher(STORAGE_KEY).seal(SecretScalar.random().toBytes(), SqliteKeyStorage.shareAad(id(1),
                AUTHOR.toBytes(), 1, s.publicKey().toBytes(), v.hash(), SqliteKeyStorage.encodeCommitments(v.commitments())));
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("UPDATE key_versions SET sealed_share = ?")) {
            ps.setBytes(1, wrong);
            ps.executeUpdate();
        }
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOf(SecretStoreException.class)
                .hasMessageContaining(id(1).toHex()).hasMessageContaining("SEC-11");
    }

    @Test
    void aRememberedShareUnderChangedCommitmentsFailsAuthentication() throws Exception {
        // The shortcut is keyed by the sealed bytes, which stay the same here; the AEAD still refuses them
        // under a forged commitment vector before the shortcut is consulted.
        committed(1, SecretScalar.random());
        assertThat(storage.get(id(1))).isPresent();
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("UPDATE key_versions SET commitments = ?")) {
            ps.setBytes(1, SqliteKeyStorage.encodeCommitments(List.of(SecretScalar.random().mulG(), SecretScalar.random().mulG())));
            ps.executeUpdate();
        }
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOf(SecretStoreException.class)
                .hasMessageContaining(id(1).toHex());
    }

    @Test
    void inconsistentShareIsRefusedOnWrite() {
        KeyShare good = sampleShare(id(1), SecretScalar.random());
        KeyVersion bad = new KeyVersion(good.latestVersion().idNumbers(), SecretScalar.random(), good.latestVersion().commitments());
        KeyShare badShare = new KeyShare(id(1), AUTHOR, 1, good.publicKey(), Optional.empty(), List.of(bad));
        assertThatThrownBy(() -> storage.prepareNewKey(badShare)).isInstanceOf(SecretStoreException.class).hasMessageContaining("SEC-11");
        KeyVersion notMine = new KeyVersion(Map.of(N2, Scalar.of(9)), SecretScalar.random(), good.latestVersion().commitments());
        storage.prepareNewKey(good);
        storage.commit(id(1));
        assertThatThrownBy(() -> storage.prepareVersion(id(1), notMine)).isInstanceOf(SecretStoreException.class);
        assertThat(storage.pendingKeyIds()).isEmpty();
    }

    @Test
    void tamperedDocumentKeyIsRefused() throws Exception {
        committed(1, SecretScalar.random());
        storage.prepareDocumentKey(id(1), new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG()));
        storage.commit(id(1));
        storage.close();
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("UPDATE key_shares SET doc_encrypted_point = ?")) {
            ps.setBytes(1, SecretScalar.random().mulG().toBytes());
            ps.executeUpdate();
        }
        storage = open();
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOf(SecretStoreException.class).hasMessageContaining("document key");
    }

    // ------------------------------------------------------------------ two-phase details

    @Test
    void pendingDocumentKeyIsListedAndDiscardedAlone() {
        committed(1, SecretScalar.random());
        storage.prepareDocumentKey(id(1), new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG()));
        assertThat(storage.pendingKeyIds()).containsExactly(id(1));
        storage.discard(id(1));
        assertThat(storage.pendingKeyIds()).isEmpty();
        assertThat(storage.get(id(1)).orElseThrow().documentKey()).isEmpty();
    }

    @Test
    void pendingVersionIsInvisibleAndDiscardKeepsCommittedKey() throws Exception {
        SecretScalar f0 = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        KeyVersion v1 = sampleVersion(f0, f1, 7, 9);
        storage.prepareNewKey(new KeyShare(id(1), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(v1)));
        storage.commit(id(1));
        storage.prepareVersion(id(1), sampleVersion(f0, f1, 11, 13));
        storage = reopen();
        assertThat(storage.pendingKeyIds()).containsExactly(id(1));
        assertThat(storage.get(id(1)).orElseThrow().versions()).extracting(KeyVersion::hash).containsExactly(v1.hash());
        storage.discard(id(1));
        assertThat(storage.pendingKeyIds()).isEmpty();
        assertThat(storage.keyIds()).containsExactly(id(1));
    }

    // ------------------------------------------------------------------ schema and file (SEC-27)

    @Test
    void pragmasAreWalAndFullSync() throws Exception {
        SqliteKeyStorage s = (SqliteKeyStorage) storage;
        assertThat(s.pragma("journal_mode")).isEqualToIgnoringCase("wal");
        assertThat(s.pragma("synchronous")).isEqualTo("2"); // FULL
        assertThat(s.pragma("foreign_keys")).isEqualTo("1");
    }

    @Test
    void schemaVersionIsStoredAndANewerOneIsRefused() throws Exception {
        assertThat(((SqliteKeyStorage) storage).pragma("user_version")).isEqualTo(String.valueOf(SqliteKeyStorage.SCHEMA_VERSION));
        committed(1, SecretScalar.random());
        storage.close();
        try (Connection c = raw(); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + (SqliteKeyStorage.SCHEMA_VERSION + 1));
        }
        byte[] before = Files.readAllBytes(db());
        assertThatThrownBy(this::open).isInstanceOf(SecretStoreException.class).hasMessageContaining("newer");
        assertThat(Files.readAllBytes(db())).as("a refused file is left as it was").isEqualTo(before);
        try (Connection c = raw(); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + SqliteKeyStorage.SCHEMA_VERSION);
        }
        storage = open();
        assertThat(storage.keyIds()).containsExactly(id(1));
    }

    @Test
    void pendingKeysAreReadFromTheirPartialIndexesNotByScanningEveryKey() throws Exception {
        committed(1, SecretScalar.random());
        storage.prepareNewKey(sampleShare(id(2), SecretScalar.random()));
        try (Connection c = raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + SqliteKeyStorage.PENDING_QUERY)) {
            List<String> plan = new ArrayList<>();
            while (rs.next()) plan.add(rs.getString("detail"));
            // "USING INDEX" or "USING COVERING INDEX", as SQLite sees fit; never a plain "SCAN key_shares"
            assertThat(plan).anyMatch(l -> l.startsWith("SCAN key_shares USING") && l.endsWith("INDEX key_shares_pending"))
                    .anyMatch(l -> l.startsWith("SCAN key_versions USING") && l.endsWith("INDEX key_versions_pending"))
                    .noneMatch(l -> l.equals("SCAN key_shares") || l.equals("SCAN key_versions"));
        }
        assertThat(storage.pendingKeyIds()).containsExactly(id(2));
        storage.commit(id(2));
        storage.prepareDocumentKey(id(1), new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG()));
        assertThat(storage.pendingKeyIds()).containsExactly(id(1));
    }

    @Test
    void aVersionOneFileIsMigratedToTheCurrentSchemaWithItsKeys() throws Exception {
        committed(1, SecretScalar.random());
        storage.prepareNewKey(sampleShare(id(2), SecretScalar.random()));
        storage.close();
        try (Connection c = raw(); Statement st = c.createStatement()) { // what schema v1 left
            st.execute("DROP INDEX key_shares_pending");
            st.execute("DROP INDEX key_versions_pending");
            st.execute("ALTER TABLE key_versions DROP COLUMN version_nonce");
            st.execute("PRAGMA user_version = 1");
        }
        storage = open();
        assertThat(((SqliteKeyStorage) storage).pragma("user_version")).isEqualTo(String.valueOf(SqliteKeyStorage.SCHEMA_VERSION));
        assertThat(storage.keyIds()).containsExactly(id(1));
        assertThat(storage.pendingKeyIds()).containsExactly(id(2));
        try (Connection c = raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%_pending'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void foreignDatabaseIsRefused(@TempDir Path other) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other.resolve(SqliteKeyStorage.FILE_NAME));
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE something (x)");
        }
        Files.setPosixFilePermissions(other.resolve(SqliteKeyStorage.FILE_NAME), PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> new SqliteKeyStorage(other, STORAGE_KEY, N1))
                .isInstanceOf(SecretStoreException.class).hasMessageContaining("not a Secret Store key database");
    }

    @Test
    void freshNestedDirectoryIsCreatedPrivate() throws Exception {
        Path nested = dir.resolve("a/b/data");
        try (SqliteKeyStorage s = new SqliteKeyStorage(nested, STORAGE_KEY, N1)) {
            assertThat(s.keyIds()).isEmpty();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.resolve(SqliteKeyStorage.FILE_NAME))))
                .isEqualTo("rw-------");
    }

    @Test
    void worldReadableDataDirectoryOrFileIsRefused(@TempDir Path base) throws Exception {
        Path open = base.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> new SqliteKeyStorage(open, STORAGE_KEY, N1))
                .isInstanceOf(SecretStoreException.class).hasMessageContaining("other users");
        assertThat(open.resolve(SqliteKeyStorage.FILE_NAME)).doesNotExist();

        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwx------"));
        new SqliteKeyStorage(open, STORAGE_KEY, N1).close();
        Files.setPosixFilePermissions(open.resolve(SqliteKeyStorage.FILE_NAME), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> new SqliteKeyStorage(open, STORAGE_KEY, N1))
                .isInstanceOf(SecretStoreException.class).hasMessageContaining("other users");
    }

    // ------------------------------------------------------------------ load

    @Test
    void twoThreadsDoNotCorruptTheStore() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int base = t * 100;
                futures.add(pool.submit(() -> {
                    for (int i = 1; i <= 25; i++) {
                        H256 k = id(base + i);
                        storage.prepareNewKey(sampleShare(k, SecretScalar.random()));
                        storage.get(k);
                        storage.pendingKeyIds();
                        storage.commit(k);
                        assertThat(storage.get(k)).isPresent();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
        storage = reopen();
        assertThat(storage.keyIds()).hasSize(50);
        assertThat(storage.pendingKeyIds()).isEmpty();
        try (Connection c = raw(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }

    @Test
    void thousandKeysInsertCommitAndReopen() throws Exception {
        // One version object for every key: the cost measured is storage (two fsync'd transactions per key,
        // the SEC-11 check and sealing), not building test data.
        Set<H256> ids = new HashSet<>();
        SecretScalar share = SecretScalar.random();
        KeyShare template = sampleShare(id(0), share);
        for (int i = 0; i < 1000; i++) {
            byte[] b = new byte[32];
            b[30] = (byte) (i >> 8);
            b[31] = (byte) i;
            b[0] = 1;
            H256 k = H256.fromBytes(b);
            ids.add(k);
            storage.prepareNewKey(new KeyShare(k, AUTHOR, 1, template.publicKey(), Optional.empty(), template.versions()));
            storage.commit(k);
        }
        storage = reopen();
        assertThat(storage.keyIds()).isEqualTo(ids);
        assertThat(storage.pendingKeyIds()).isEmpty();
        for (H256 k : List.copyOf(ids).subList(0, 20)) {
            assertThat(storage.get(k).orElseThrow().latestVersion().share()).isEqualTo(share);
        }
    }

    // ------------------------------------------------------------------ bulk import (benchmark seeding)

    private SqliteKeyStorage sqlite() {
        return (SqliteKeyStorage) storage;
    }

    private static H256 bulkId(int i) {
        byte[] b = new byte[32];
        b[0] = 2;
        b[30] = (byte) (i >> 8);
        b[31] = (byte) i;
        return H256.fromBytes(b);
    }

    @Test
    void importCommittedWritesTheSameRowsAsPrepareAndCommit() throws Exception {
        SecretScalar share = SecretScalar.random();
        KeyShare viaSessions = sampleShare(id(1), share.copy())
                .withDocumentKey(new DocumentKey(SecretScalar.random().mulG(), SecretScalar.random().mulG()));
        storage.prepareNewKey(viaSessions);
        storage.commit(id(1));
        KeyShare imported = new KeyShare(id(2), viaSessions.author(), viaSessions.threshold(), viaSessions.publicKey(),
                viaSessions.documentKey(), viaSessions.versions());
        sqlite().importCommitted(List.of(imported));
        storage = reopen();
        KeyShare back = storage.get(id(2)).orElseThrow();
        assertThat(back.documentKey()).isEqualTo(viaSessions.documentKey());
        assertThat(back.latestVersion().share()).isEqualTo(share);
        assertThat(back.latestVersion().hash()).isEqualTo(viaSessions.latestVersion().hash());
        assertThat(storage.pendingKeyIds()).isEmpty();
        // Column by column the two rows agree, except what is sealed under a fresh nonce.
        try (Connection c = raw(); Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT author, threshold, public_key, committed, doc_common_point, doc_encrypted_point,"
                    + " pending_doc_common_point FROM key_shares ORDER BY key_id")).satisfies(r -> assertThat(r.get(0)).isEqualTo(r.get(1)));
            assertThat(rows(st, "SELECT version_hash, id_numbers, commitments, committed, length(sealed_share) FROM key_versions"
                    + " ORDER BY key_id")).satisfies(r -> assertThat(r.get(0)).isEqualTo(r.get(1)));
        }
    }

    private static List<String> rows(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= cols; i++) {
                    Object v = rs.getObject(i);
                    row.append(v instanceof byte[] b ? Hex.encode(b) : String.valueOf(v)).append('|');
                }
                out.add(row.toString());
            }
        }
        assertThat(out).hasSize(2);
        return out;
    }

    @Test
    void importCommittedIsAllOrNothing() {
        KeyShare template = sampleShare(id(0), SecretScalar.random());
        committed(1, SecretScalar.random());
        List<KeyShare> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(new KeyShare(bulkId(i), AUTHOR, 1, template.publicKey(), Optional.empty(), template.versions()));
        }
        List<KeyShare> clash = new ArrayList<>(batch);
        clash.add(new KeyShare(id(1), AUTHOR, 1, template.publicKey(), Optional.empty(), template.versions()));
        assertThatThrownBy(() -> sqlite().importCommitted(clash)).isInstanceOf(SecretStoreException.class).hasMessageContaining("already exists");
        List<KeyShare> repeated = new ArrayList<>(batch);
        repeated.add(batch.get(3));
        assertThatThrownBy(() -> sqlite().importCommitted(repeated)).isInstanceOf(SecretStoreException.class);
        assertThat(storage.keyIds()).containsExactly(id(1));

        sqlite().importCommitted(batch);
        assertThat(storage.keyIds()).hasSize(11);
        assertThat(storage.get(bulkId(7)).orElseThrow().versions()).hasSize(1);
    }

    @Test
    void importCommittedRefusesAShareThatDoesNotMatchItsCommitments() {
        KeyShare good = sampleShare(bulkId(1), SecretScalar.random());
        KeyVersion v = good.latestVersion();
        KeyVersion wrong = new KeyVersion(v.idNumbers(), SecretScalar.random(), v.commitments());
        KeyShare bad = new KeyShare(bulkId(2), AUTHOR, 1, good.publicKey(), Optional.empty(), List.of(wrong));
        assertThatThrownBy(() -> sqlite().importCommitted(List.of(good, bad))).isInstanceOf(SecretStoreException.class)
                .hasMessageContaining("SEC-11");
        assertThat(storage.keyIds()).isEmpty();
    }

    // ------------------------------------------------------------------ the split port (issue #12)

    private SqliteKeyStorage sqliteStore() {
        return (SqliteKeyStorage) storage;
    }

    /** Two committed versions of one polynomial at (7, 9) then (11, 13); N1 holds both. */
    private KeyShare twoVersions(int i) {
        SecretScalar f0 = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        KeyShare first = new KeyShare(id(i), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(sampleVersion(f0, f1, 7, 9)));
        storage.prepareNewKey(first);
        storage.commit(id(i));
        KeyVersion second = sampleVersion(f0, f1, 11, 13);
        storage.prepareVersion(id(i), second);
        storage.commit(id(i));
        return new KeyShare(id(i), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(first.latestVersion(), second));
    }

    private void overwriteSealedShare(H256 keyId, H256 versionId, byte[] value) throws SQLException {
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement(
                "UPDATE key_versions SET sealed_share = ? WHERE key_id = ? AND version_hash = ?")) {
            ps.setBytes(1, value);
            ps.setBytes(2, keyId.toBytes());
            ps.setBytes(3, versionId.toBytes());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void metadataAndInventoryNeverUnsealAShare() throws Exception {
        // A sealed share that cannot be opened (garbage of the right shape) does not disturb the metadata,
        // the inventory or contains(): they never open it. Reading the share is refused with DATABASE.
        KeyShare s = twoVersions(1);
        byte[] garbage = new byte[12 + 32 + 16];
        Arrays.fill(garbage, (byte) 7);
        overwriteSealedShare(id(1), s.versions().get(0).id(), garbage);
        overwriteSealedShare(id(1), s.versions().get(1).id(), garbage);
        storage = reopen();
        assertThat(storage.metadata(id(1))).contains(s.metadata());
        assertThat(storage.contains(id(1))).isTrue();
        assertThat(storage.inventory(Optional.empty(), 10).keys()).containsExactly(s.metadata());
        assertThatThrownBy(() -> storage.read(id(1), VersionSelector.latest())).isInstanceOfSatisfying(SecretStoreException.class,
                e -> assertThat(e.kind()).isEqualTo(SecretStoreException.Kind.DATABASE)).hasMessageContaining(id(1).toHex());
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOfSatisfying(SecretStoreException.class,
                e -> assertThat(e.kind()).isEqualTo(SecretStoreException.Kind.DATABASE));
    }

    @Test
    void readUnsealsOnlyTheChosenVersion() throws Exception {
        KeyShare s = twoVersions(1);
        KeyVersion older = s.versions().get(0);
        KeyVersion newer = s.versions().get(1);
        overwriteSealedShare(id(1), older.id(), new byte[12 + 32 + 16]);
        assertThat(storage.read(id(1), newer.id()).orElseThrow().share().orElseThrow().share()).isEqualTo(newer.share());
        assertThatThrownBy(() -> storage.read(id(1), older.id())).isInstanceOf(SecretStoreException.class)
                .hasMessageContaining("authentication");
        assertThatThrownBy(() -> storage.get(id(1))).isInstanceOf(SecretStoreException.class); // get opens every share
    }

    @Test
    void sec11_aWrongShareSealedUnderTheRightBindingIsRefusedOnRead() throws Exception {
        KeyShare s = committed(1, SecretScalar.random());
        KeyVersion v = s.latestVersion();
        assertThat(storage.read(id(1), v.id()).orElseThrow().share()).isPresent(); // checked and remembered once
        overwriteSealedShare(id(1), v.id(), new StorageCipher(STORAGE_KEY).seal(SecretScalar.random().toBytes(),
                SqliteKeyStorage.shareAad(id(1), AUTHOR.toBytes(), 1, s.publicKey().toBytes(), v.id(),
                        SqliteKeyStorage.encodeCommitments(v.commitments()))));
        assertThat(storage.metadata(id(1))).contains(s.metadata());
        assertThatThrownBy(() -> storage.read(id(1), v.id())).isInstanceOfSatisfying(SecretStoreException.class,
                e -> assertThat(e.kind()).isEqualTo(SecretStoreException.Kind.DATABASE)).hasMessageContaining("SEC-11");
    }

    @Test
    void eachReadIsOneStatement() throws Exception {
        // One read per member per request: metadata, read (metadata + one share), get and an inventory page
        // are each one SQL statement (key row joined with its version rows), however many versions.
        KeyShare s = twoVersions(1);
        for (int i = 2; i <= 6; i++) committed(i, SecretScalar.random());
        storage = reopen();
        long before = sqliteStore().statementCount();
        assertThat(storage.metadata(id(1))).isPresent();
        assertThat(sqliteStore().statementCount() - before).isEqualTo(1);
        before = sqliteStore().statementCount();
        assertThat(storage.read(id(1), s.versions().get(0).id()).orElseThrow().share()).isPresent();
        assertThat(sqliteStore().statementCount() - before).isEqualTo(1);
        before = sqliteStore().statementCount();
        assertThat(storage.get(id(1)).orElseThrow().versions()).hasSize(2);
        assertThat(sqliteStore().statementCount() - before).isEqualTo(1);
        before = sqliteStore().statementCount();
        assertThat(storage.inventory(Optional.empty(), 4).keys()).hasSize(4);
        assertThat(sqliteStore().statementCount() - before).isEqualTo(1);
        before = sqliteStore().statementCount();
        assertThat(storage.contains(id(6))).isTrue();
        assertThat(sqliteStore().statementCount() - before).isEqualTo(1);
    }

    @Test
    void aVersionTwoFileIsMigratedToThreeAndThenTakesANewSharingToTheSameHolders() throws Exception {
        SecretScalar f0 = SecretScalar.random();
        KeyVersion original = sampleVersion(f0, SecretScalar.random(), 7, 9);
        KeyShare key = new KeyShare(id(1), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(original));
        storage.prepareNewKey(key);
        storage.commit(id(1));
        storage.prepareNewKey(sampleShare(id(2), SecretScalar.random()));
        storage.close();
        try (Connection c = raw(); Statement st = c.createStatement()) { // what schema v2 left
            st.execute("ALTER TABLE key_versions DROP COLUMN version_nonce");
            st.execute("PRAGMA user_version = 2");
        }
        storage = open();
        assertThat(sqliteStore().pragma("user_version")).isEqualTo("3");
        assertThat(storage.get(id(1)).orElseThrow().latestVersion().share()).isEqualTo(original.share());
        assertThat(storage.metadata(id(1))).contains(key.metadata());
        assertThat(storage.pendingKeyIds()).containsExactly(id(2));

        KeyVersion sameHolders = sampleVersion(f0, SecretScalar.random(), 7, 9); // a refresh: same id numbers, new polynomial
        KeyVersion refreshed = new KeyVersion(VersionMetadata.withNonce(sameHolders.idNumbers(), sameHolders.commitments(), id(50)),
                sameHolders.share());
        storage.prepareVersion(id(1), refreshed);
        storage.commit(id(1));
        storage = reopen();
        KeyMetadata m = storage.metadata(id(1)).orElseThrow();
        assertThat(m.versions()).extracting(VersionMetadata::id).containsExactly(original.id(), refreshed.id());
        try (Connection c = raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version_nonce FROM key_versions WHERE key_id = x'"
                     + Hex.encode(id(1).toBytes()) + "' ORDER BY seq")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBytes(1)).isNull(); // rows from before keep Parity's hash
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBytes(1)).isEqualTo(id(50).toBytes());
        }
    }

    @Test
    void aStoredVersionIdThatIsNotDerivedFromItsNonceIsRefused() throws Exception {
        SecretScalar f0 = SecretScalar.random();
        KeyVersion original = sampleVersion(f0, SecretScalar.random(), 7, 9);
        storage.prepareNewKey(new KeyShare(id(1), AUTHOR, 1, f0.mulG(), Optional.empty(), List.of(original)));
        storage.commit(id(1));
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("UPDATE key_versions SET version_nonce = ?")) {
            ps.setBytes(1, id(60).toBytes());
            ps.executeUpdate();
        }
        assertThatThrownBy(() -> storage.metadata(id(1))).isInstanceOf(SecretStoreException.class)
                .hasMessageContaining("version hash does not match");
    }

    @Test
    void readsSearchTheKeyIndexesAndNeverScan() throws Exception {
        twoVersions(1);
        for (String query : List.of(SqliteKeyStorage.keyQuery(true, SqliteKeyStorage.ONE_KEY),
                SqliteKeyStorage.keyQuery(false, SqliteKeyStorage.KEY_PAGE))) {
            try (Connection c = raw(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + query.replace("?", "x''"))) {
                List<String> plan = new ArrayList<>();
                while (rs.next()) plan.add(rs.getString("detail"));
                assertThat(plan).anyMatch(l -> l.startsWith("SEARCH k USING") && l.contains("(key_id=?)"))
                        .anyMatch(l -> l.startsWith("SEARCH v USING") && l.contains("(key_id=?)"))
                        .noneMatch(l -> l.startsWith("SCAN"));
            }
        }
    }
}
