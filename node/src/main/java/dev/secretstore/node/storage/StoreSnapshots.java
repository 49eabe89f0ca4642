package dev.secretstore.node.storage;

import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.AEADBadTagException;

/**
 * Backup and restore of one member's key store (issue #16).
 *
 * <p>A <b>snapshot</b> is one SQLite file: a {@code VACUUM INTO} copy of {@link SqliteKeyStorage#FILE_NAME} taken on
 * the store's own connection ({@link SqliteKeyStorage#snapshot}), so it is consistent (no write interleaves) and its
 * rows are as stored: every share sealed under this node's storage key, and only this node's shares (a store never
 * holds another member's). It carries the schema version ({@code user_version}) and two meta rows, {@link #NODE_ID}
 * and {@link #CREATED}.
 *
 * <p>{@link #restore} puts a snapshot back into a member's data directory while the member is stopped. It refuses
 * ({@link Refused}) a file that is not a snapshot, a snapshot of another node (naming both ids), one sealed under
 * another node key, one with a newer schema version than this software, and a data directory whose database a
 * running node holds (the node keeps an exclusive lock on it, SEC-38). A database already there is moved aside,
 * never deleted.
 */
public final class StoreSnapshots {
    /** Meta row of a snapshot: the 64-byte id of the node whose store it is. */
    static final String NODE_ID = "snapshot-node-id";
    /** Meta row of a snapshot: when it was taken (ISO-8601 UTC, ASCII). */
    static final String CREATED = "snapshot-created";

    private static final String WAL = "-wal";
    private static final String SHM = "-shm";

    private StoreSnapshots() {}

    /** A snapshot or restore refused for a reason the operator must fix (the CLI's exit code 2). */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** What a verified snapshot holds. */
    public record Info(NodeId node, int schemaVersion, String created, long keys) {}

    /** What a restore did: the snapshot restored, and where a database that was there before now is. */
    public record Restored(Info snapshot, Optional<Path> replacedDatabase) {}

    /**
     * Checks that {@code snapshot} is a complete snapshot of the node whose secret is {@code nodeSecret}: a Secret
     * Store key database whose schema this software reads, intact, recorded as that node's, and sealed under its
     * storage key.
     */
    public static Info verify(Path snapshot, SecretScalar nodeSecret) throws Refused, IOException {
        if (!Files.isRegularFile(snapshot)) throw new IOException("no snapshot file " + snapshot);
        NodeId self = new NodeId(nodeSecret.mulG());
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + snapshot.toAbsolutePath(), config.toProperties())) {
            int appId = Integer.parseInt(single(c, "PRAGMA application_id"));
            int version = Integer.parseInt(single(c, "PRAGMA user_version"));
            if (appId != SqliteKeyStorage.APPLICATION_ID) {
                throw new Refused(snapshot + " is not a Secret Store key snapshot (application_id " + appId + ")");
            }
            if (version > SqliteKeyStorage.SCHEMA_VERSION) {
                throw new Refused("snapshot " + snapshot + " has schema version " + version + ", newer than this software supports ("
                        + SqliteKeyStorage.SCHEMA_VERSION + "); restore it with the secretstore version that made it or a newer one");
            }
            String check = single(c, "PRAGMA quick_check");
            if (!"ok".equals(check)) throw new Refused("snapshot " + snapshot + " is damaged: " + check);
            byte[] node = meta(c, NODE_ID);
            if (node == null) {
                throw new Refused(snapshot + " is a key database but not a snapshot made by `secretstore backup` (it records no node id)");
            }
            NodeId owner = NodeId.fromBytes(node);
            if (!owner.equals(self)) {
                throw new Refused("snapshot " + snapshot + " is of node 0x" + owner.toHex() + ", but this configuration is node 0x"
                        + self.toHex() + "; a snapshot is restored only onto the member that made it");
            }
            byte[] keyCheck = meta(c, SqliteKeyStorage.KEY_CHECK_NAME);
            byte[] storageKey = StorageCipher.deriveStorageKey(nodeSecret);
            StorageCipher cipher = new StorageCipher(storageKey);
            Arrays.fill(storageKey, (byte) 0);
            try {
                if (keyCheck == null) throw new Refused("snapshot " + snapshot + " has no storage key check");
                cipher.open(keyCheck, SqliteKeyStorage.KEY_CHECK_AAD);
            } catch (AEADBadTagException e) {
                throw new Refused("snapshot " + snapshot + " was sealed under a different node key than node 0x" + self.toHex() + "'s");
            } finally {
                cipher.destroy();
            }
            byte[] created = meta(c, CREATED);
            long keys = Long.parseLong(single(c, "SELECT count(*) FROM key_shares WHERE committed = 1"));
            return new Info(owner, version, created == null ? "unknown" : new String(created, java.nio.charset.StandardCharsets.US_ASCII), keys);
        } catch (SQLException e) {
            throw new Refused(snapshot + " is not a readable Secret Store key snapshot: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Refused(snapshot + " records an invalid node id: " + e.getMessage());
        }
    }

    /**
     * Takes a snapshot of the store in {@code dataDir} while its node is stopped (the store must exist), into
     * {@code target} (absent or empty). A running node holds the store's lock: then this fails with {@code DATABASE}
     * "database is locked" after the store's busy timeout, and the snapshot must come from the node
     * ({@link BackupSocket#fetch}).
     */
    public static void snapshotStopped(Path dataDir, SecretScalar nodeSecret, Path target) throws IOException {
        Path db = dataDir.resolve(SqliteKeyStorage.FILE_NAME);
        if (!Files.isRegularFile(db)) throw new IOException("no key storage at " + db);
        try (SqliteKeyStorage store = new SqliteKeyStorage(dataDir, nodeSecret)) {
            store.snapshot(target, Instant.now());
        }
    }

    /**
     * Puts {@code snapshot} back as the store of the stopped node whose secret is {@code nodeSecret}, data directory
     * {@code dataDir} (created 0700 if missing). The snapshot is verified first ({@link #verify}); a database already
     * in the directory, with its WAL, is moved aside to {@code keys.sqlite.replaced-<UTC time>}; the restored store
     * is opened once, so its schema is migrated and its storage key checked before the node starts on it.
     */
    public static Restored restore(Path snapshot, Path dataDir, SecretScalar nodeSecret) throws Refused, IOException {
        Info info = verify(snapshot, nodeSecret);
        try {
            StoragePermissions.prepareDirectory(dataDir);
        } catch (SecretStoreException e) {
            throw new Refused(e.getMessage());
        }
        refuseIfInUse(dataDir);
        Path db = dataDir.resolve(SqliteKeyStorage.FILE_NAME);
        Path tmp = dataDir.resolve(".restore-" + randomHex() + ".sqlite");
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Files.copy(snapshot, java.nio.channels.Channels.newOutputStream(ch));
                ch.force(true);
            }
            Optional<Path> aside = Optional.empty();
            if (Files.exists(db)) {
                Path moved = dataDir.resolve(SqliteKeyStorage.FILE_NAME + ".replaced-"
                        + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now()));
                Files.move(db, moved);
                Path wal = Path.of(db + WAL);
                if (Files.exists(wal)) Files.move(wal, Path.of(moved + WAL));
                aside = Optional.of(moved);
            }
            Files.deleteIfExists(Path.of(db + WAL)); // a stale WAL would be replayed into the restored file
            Files.deleteIfExists(Path.of(db + SHM));
            Files.move(tmp, db, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel dir = FileChannel.open(dataDir, StandardOpenOption.READ)) {
                dir.force(true);
            }
            new SqliteKeyStorage(dataDir, nodeSecret).close();
            return new Restored(info, aside);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Refuses a data directory whose key database another connection (a running node) holds. */
    static void refuseIfInUse(Path dataDir) throws Refused, IOException {
        Path db = dataDir.resolve(SqliteKeyStorage.FILE_NAME);
        if (!Files.exists(db)) return;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
             Statement st = c.createStatement()) {
            st.execute("PRAGMA locking_mode = EXCLUSIVE"); // no -shm mapping here either (SEC-38)
            st.execute("PRAGMA busy_timeout = 0");
            st.execute("BEGIN EXCLUSIVE");
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            int code = e.getErrorCode() & 0xff;
            if (code == 5 || code == 6) { // SQLITE_BUSY, SQLITE_LOCKED
                throw new Refused("the key database " + db + " is in use: its node is running; stop the node before restoring");
            }
            throw new IOException("cannot check whether " + db + " is in use: " + e.getMessage(), e);
        }
    }

    static String randomHex() {
        byte[] r = new byte[8];
        new SecureRandom().nextBytes(r);
        return HexFormat.of().formatHex(r);
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static byte[] meta(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }
}
