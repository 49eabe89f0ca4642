package dev.secretstore.node.storage;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.key.DocumentKey;
import dev.secretstore.protocol.key.InventoryPage;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyRead;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.key.OwnShare;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.key.VersionSelector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;

/**
 * {@link KeyStorage} on an SQLite file {@code <data dir>/keys.sqlite} (design decision 7, SEC-07, SEC-11,
 * SEC-25, SEC-26, SEC-27).
 *
 * <p><b>Schema v1</b> ({@code PRAGMA user_version = 1}, {@code application_id = 'SSKS'}): table
 * {@code key_shares}, one row per key (id, author, threshold, Y, committed flag, committed document key and a
 * pending document key, each with an authentication tag); table {@code key_versions}, one row per
 * version (insertion sequence, key id, version id in column {@code version_hash}, id-number map, commitment
 * vector, sealed share, committed flag). A prepared key is a row with {@code committed = 0} together with its
 * versions; {@link #commit} flips every prepared row of the key in one transaction, {@link #discard} deletes
 * them. <b>Schema v2</b> adds partial indexes over exactly the prepared rows, so {@link #pendingKeyIds} (asked
 * every second by the pending-write resolver and by every key generation) reads only those instead of
 * scanning every key: 1.5 s per call on a store of a million keys before. <b>Schema v3</b> adds
 * {@code version_nonce}, the nonce a version id is derived from ({@link VersionMetadata}; NULL for Parity's
 * hash of the id numbers, which all earlier rows have).
 *
 * <p><b>Reads.</b> {@link #metadata}, {@link #read}, {@link #get} and each {@link #inventory} page are one
 * statement: the key row joined with its committed version rows. {@code metadata} and {@code inventory}
 * never open a sealed share; {@code read} opens only the one its selector chooses.
 *
 * <p><b>Encryption at rest.</b> Each share is sealed with AES-256-GCM under a storage key derived by
 * HKDF-SHA256 from the node secret (info {@value StorageCipher#STORAGE_KEY_INFO}), with a fresh nonce per
 * write. The associated data binds the share to its key id, author, threshold, Y, version hash and
 * commitment vector, so any edit of those columns, or a share moved to another row, fails
 * authentication. A document key carries a GMAC tag over key id, C and E.
 *
 * <p><b>Integrity (SEC-11).</b> Every version written, and every share handed out, passes
 * {@link OwnShare#verify} for this node. On reads {@link VerifiedShares} is its memo: the first read of each
 * sealed share in this process does the multiplications; later reads of the same sealed bytes, which the AEAD
 * binds to the same commitments, skip them. A version that fails any check makes the read throw
 * {@code DATABASE} naming the key (it is not silently omitted: a damaged store needs an operator).
 *
 * <p>Thread-safe: every method is synchronized on the instance while it uses the database.
 */
public final class SqliteKeyStorage implements KeyStorage {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(SqliteKeyStorage.class.getName());
    public static final String FILE_NAME = "keys.sqlite";
    /** The schema version this code writes; files with a newer version are refused. */
    public static final int SCHEMA_VERSION = 3;
    /** SQLite {@code application_id} marking a Secret Store key database ("SSKS"). */
    static final int APPLICATION_ID = 0x53534B53;

    private static final int NODE_ID_LENGTH = 64;
    private static final int ID_ENTRY_LENGTH = NODE_ID_LENGTH + 32;
    private static final byte[] SHARE_DOMAIN = "secretstore/v1/key-share\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOCUMENT_KEY_DOMAIN = "secretstore/v1/document-key\0".getBytes(StandardCharsets.US_ASCII);

    static final String KEY_CHECK_NAME = "storage-key-check";
    static final byte[] KEY_CHECK_AAD = "secretstore/v1/storage-key-check".getBytes(StandardCharsets.US_ASCII);

    private static final String PENDING_KEY_ROW = "committed = 0 OR pending_doc_common_point IS NOT NULL";
    private static final String PENDING_VERSION_ROW = "committed = 0";

    /** MIGRATIONS[v] upgrades a file from schema version v to v + 1; version 0 is a fresh file. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE key_shares (
                      key_id BLOB NOT NULL PRIMARY KEY CHECK (length(key_id) = 32),
                      author BLOB NOT NULL CHECK (length(author) = 20),
                      threshold INTEGER NOT NULL CHECK (threshold >= 0),
                      public_key BLOB NOT NULL CHECK (length(public_key) = 64),
                      committed INTEGER NOT NULL CHECK (committed IN (0, 1)),
                      doc_common_point BLOB,
                      doc_encrypted_point BLOB,
                      doc_tag BLOB,
                      pending_doc_common_point BLOB,
                      pending_doc_encrypted_point BLOB,
                      pending_doc_tag BLOB)""",
                    """
                    CREATE TABLE key_versions (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      key_id BLOB NOT NULL REFERENCES key_shares (key_id) ON DELETE CASCADE,
                      version_hash BLOB NOT NULL CHECK (length(version_hash) = 32),
                      id_numbers BLOB NOT NULL,
                      commitments BLOB NOT NULL,
                      sealed_share BLOB NOT NULL,
                      committed INTEGER NOT NULL CHECK (committed IN (0, 1)),
                      UNIQUE (key_id, version_hash))""",
                    "CREATE TABLE meta (name TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL)"),
            // v2: the pending rows, indexed with the very predicates pendingKeyIds() uses (SQLite takes a partial
            // index only for a query whose WHERE implies the index's).
            List.of("CREATE INDEX key_shares_pending ON key_shares (key_id) WHERE " + PENDING_KEY_ROW,
                    "CREATE INDEX key_versions_pending ON key_versions (key_id) WHERE " + PENDING_VERSION_ROW),
            // v3: the nonce a version id is derived with (VersionMetadata); NULL is Parity's hash of the id numbers,
            // which every row written before had.
            List.of("ALTER TABLE key_versions ADD COLUMN version_nonce BLOB CHECK (version_nonce IS NULL OR length(version_nonce) = 32)"));

    private final Path file;
    private final NodeId self;
    private final StorageCipher cipher;
    /** Sealed shares that passed the SEC-11 read check in this process (see {@link VerifiedShares}). */
    private final VerifiedShares verified = new VerifiedShares(VerifiedShares.DEFAULT_MAX_ENTRIES);
    private Connection conn;
    /** The identity (device and inode) of the database file when it was opened; writes need it still at {@link #file}. */
    private volatile Object fileKey;
    /** The {@link StorageHealth} state of the last write that failed for a storage reason; null after one succeeded. */
    private volatile String writeFault;
    /** Statements prepared on the connection since opening (tests: one statement per read). */
    private long statements;

    /** Opens (creating if needed) the store in {@code dataDir} for the node whose secret key is {@code nodeSecret}. */
    public SqliteKeyStorage(Path dataDir, SecretScalar nodeSecret) {
        this(dataDir, deriveStorageKey(nodeSecret), new NodeId(nodeSecret.mulG()), true);
    }

    /**
     * Opens (creating if needed) the store in {@code dataDir} with an already derived 32-byte storage key
     * (see {@link #deriveStorageKey}); {@code self} is the node whose shares are stored (SEC-11 checks).
     * The key is copied; the caller zeroes its array.
     */
    public SqliteKeyStorage(Path dataDir, byte[] storageKey, NodeId self) {
        this(dataDir, storageKey, self, false);
    }

    private SqliteKeyStorage(Path dataDir, byte[] storageKey, NodeId self, boolean zeroKey) {
        this.self = self;
        try {
            this.cipher = new StorageCipher(storageKey);
        } finally {
            if (zeroKey) Arrays.fill(storageKey, (byte) 0);
        }
        this.file = dataDir.resolve(FILE_NAME);
        try {
            StoragePermissions.prepareDirectory(dataDir);
            StoragePermissions.prepareFile(file);
            conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = conn.createStatement()) {
                // SEC-38: set before the first read of the file, so SQLite keeps the WAL index in heap memory and
                // never memory-maps a -shm file (a -shm truncated or unbacked under a mapping is SIGBUS, which kills
                // the JVM). The lock it takes on first access is held until close: one process per store.
                st.execute("PRAGMA locking_mode = EXCLUSIVE");
                st.execute("PRAGMA mmap_size = 0");
                st.execute("PRAGMA busy_timeout = 5000");
            }
            int version = checkSchemaVersion(); // before anything is written to a file we may refuse
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = FULL");
                st.execute("PRAGMA foreign_keys = ON");
                st.execute("PRAGMA secure_delete = ON");
            }
            if (!"wal".equalsIgnoreCase(pragma("journal_mode"))) {
                throw db("cannot switch " + file + " to WAL journal mode");
            }
            if (!"exclusive".equalsIgnoreCase(pragma("locking_mode"))) {
                throw db("cannot switch " + file + " to exclusive locking mode");
            }
            migrate(version);
            checkStorageKey();
            fileKey = fileKey(file);
            StoragePermissions.checkNotOpenToOthers(Path.of(file + "-wal"), "key database WAL");
            StoragePermissions.checkNotOpenToOthers(Path.of(file + "-shm"), "key database shared memory");
        } catch (IOException | SQLException | RuntimeException e) {
            closeQuietly();
            cipher.destroy();
            if (e instanceof SecretStoreException sse) throw sse;
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "cannot open key storage " + file + ": " + e.getMessage(), e);
        }
    }

    /** The storage key of a node: HKDF-SHA256 of its secret, info {@value StorageCipher#STORAGE_KEY_INFO}. Caller zeroes it. */
    public static byte[] deriveStorageKey(SecretScalar nodeSecret) {
        return StorageCipher.deriveStorageKey(nodeSecret);
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    // ---------------------------------------------------------------- schema

    /** The file's schema version, refusing files that are newer or not ours. */
    private int checkSchemaVersion() throws SQLException {
        int appId = Integer.parseInt(pragma("application_id"));
        int version = Integer.parseInt(pragma("user_version"));
        if (version > SCHEMA_VERSION) {
            throw db("key database " + file + " has schema version " + version
                    + ", newer than this node supports (" + SCHEMA_VERSION + "); upgrade the node software");
        }
        if (version == 0) {
            if (appId != 0 || hasTables()) {
                throw db(file + " is not a Secret Store key database (unexpected content, schema version 0)");
            }
        } else if (appId != APPLICATION_ID) {
            throw db(file + " is not a Secret Store key database (application_id " + appId + ")");
        }
        return version;
    }

    /** Upgrades the file from {@code version} to {@link #SCHEMA_VERSION}, one transaction per step. */
    private void migrate(int version) throws SQLException {
        for (int v = version; v < SCHEMA_VERSION; v++) {
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                for (String sql : MIGRATIONS.get(v)) st.execute(sql);
                st.execute("PRAGMA application_id = " + APPLICATION_ID);
                st.execute("PRAGMA user_version = " + (v + 1));
                conn.commit();
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        }
    }

    /**
     * Seals a constant under the storage key on first open and checks it on every later open, so a node
     * started with a different node key is refused at once instead of failing on each read.
     */
    private void checkStorageKey() throws SQLException {
        byte[] stored;
        try (PreparedStatement ps = statement("SELECT value FROM meta WHERE name = ?")) {
            ps.setString(1, KEY_CHECK_NAME);
            try (ResultSet rs = ps.executeQuery()) {
                stored = rs.next() ? rs.getBytes(1) : null;
            }
        }
        if (stored == null) {
            try (PreparedStatement ps = statement("INSERT INTO meta (name, value) VALUES (?, ?)")) {
                ps.setString(1, KEY_CHECK_NAME);
                ps.setBytes(2, cipher.seal(new byte[0], KEY_CHECK_AAD));
                ps.executeUpdate();
            }
            return;
        }
        try {
            cipher.open(stored, KEY_CHECK_AAD);
        } catch (AEADBadTagException e) {
            throw db("key storage " + file + " was written under a different node key; refusing to open it");
        }
    }

    private boolean hasTables() throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")) {
            return rs.next() && rs.getInt(1) > 0;
        }
    }

    /** The value of a PRAGMA on this connection (for checks and tests). */
    synchronized String pragma(String name) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    // ---------------------------------------------------------------- reads

    /**
     * Key row and committed version rows of one key in one statement, oldest version first; a committed key
     * without a committed version yields one row with NULL version columns (reported as corrupt).
     */
    static String keyQuery(boolean withShares, String where) {
        return "SELECT k.key_id, k.author, k.threshold, k.public_key, k.doc_common_point, k.doc_encrypted_point, k.doc_tag,"
                + " v.version_hash, v.version_nonce, v.id_numbers, v.commitments" + (withShares ? ", v.sealed_share" : "")
                + " FROM key_shares k LEFT JOIN key_versions v ON v.key_id = k.key_id AND v.committed = 1"
                + " WHERE k.committed = 1 AND " + where + " ORDER BY k.key_id, v.seq";
    }

    static final String ONE_KEY = "k.key_id = ?";
    /** Reads one page of committed keys; ordered by the key id index, bounded by LIMIT before the join. */
    static final String KEY_PAGE = "k.key_id IN (SELECT key_id FROM key_shares WHERE committed = 1 AND key_id > ?"
            + " ORDER BY key_id LIMIT ?)";

    /** One committed key as stored: its decoded metadata and, if asked for, the sealed share of each version. */
    private record StoredKey(KeyMetadata metadata, byte[] author, byte[] y, List<byte[]> commitmentBlobs, List<byte[]> sealed) {
        H256 keyId() {
            return metadata.keyId();
        }
    }

    /** Runs a {@link #keyQuery}, grouping its rows by key (in key id order). Decodes and validates every public column. */
    private List<StoredKey> readKeys(boolean withShares, String where, Object... params) throws SQLException {
        List<StoredKey> keys = new ArrayList<>();
        try (PreparedStatement ps = statement(keyQuery(withShares, where))) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof byte[] b) ps.setBytes(i + 1, b);
                else ps.setInt(i + 1, (Integer) params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                boolean more = rs.next();
                while (more) {
                    H256 keyId = H256.fromBytes(rs.getBytes(1));
                    byte[] author = rs.getBytes(2);
                    int threshold = rs.getInt(3);
                    byte[] y = rs.getBytes(4);
                    Optional<DocumentKey> documentKey = readDocumentKey(keyId, rs.getBytes(5), rs.getBytes(6), rs.getBytes(7));
                    List<VersionMetadata> versions = new ArrayList<>();
                    List<byte[]> commitmentBlobs = new ArrayList<>();
                    List<byte[]> sealed = new ArrayList<>();
                    do {
                        if (rs.getBytes(8) == null) throw corrupt(keyId, "committed key has no committed version");
                        byte[] commitmentBlob = rs.getBytes(11);
                        versions.add(readVersionMetadata(keyId, rs.getBytes(8), rs.getBytes(9), rs.getBytes(10), commitmentBlob));
                        commitmentBlobs.add(commitmentBlob);
                        sealed.add(withShares ? rs.getBytes(12) : null);
                        more = rs.next();
                    } while (more && Arrays.equals(rs.getBytes(1), keyId.toBytes()));
                    KeyMetadata metadata;
                    try {
                        metadata = new KeyMetadata(keyId, Address.fromBytes(author), threshold, PublicPoint.fromBytes(y),
                                documentKey, versions);
                    } catch (RuntimeException e) {
                        throw corrupt(keyId, "invalid key row");
                    }
                    keys.add(new StoredKey(metadata, author, y, commitmentBlobs, sealed));
                }
            }
        }
        return keys;
    }

    private Optional<StoredKey> readKey(H256 keyId, boolean withShares) throws SQLException {
        List<StoredKey> keys = readKeys(withShares, ONE_KEY, keyId.toBytes());
        return keys.isEmpty() ? Optional.empty() : Optional.of(keys.get(0));
    }

    @Override
    public synchronized Optional<KeyMetadata> metadata(H256 keyId) {
        return run(keyId, "read", () -> readKey(keyId, false).map(StoredKey::metadata));
    }

    @Override
    public synchronized Optional<KeyRead> read(H256 keyId, VersionSelector selector) {
        return run(keyId, "read", () -> readKey(keyId, true).map(key -> {
            Optional<VersionMetadata> chosen = selector.select(key.metadata());
            int at = chosen.map(key.metadata().versions()::indexOf).orElse(-1);
            return new KeyRead(key.metadata(), at < 0 ? Optional.empty() : Optional.of(unseal(key, at)));
        }));
    }

    @Override
    public synchronized Optional<KeyShare> get(H256 keyId) {
        return run(keyId, "read", () -> readKey(keyId, true).map(key -> {
            List<KeyVersion> versions = new ArrayList<>();
            try {
                for (int i = 0; i < key.sealed().size(); i++) versions.add(unseal(key, i).keyVersion());
            } catch (RuntimeException e) {
                versions.forEach(v -> v.share().destroy());
                throw e;
            }
            KeyMetadata m = key.metadata();
            return new KeyShare(keyId, m.author(), m.threshold(), m.publicKey(), m.documentKey(), versions);
        }));
    }

    @Override
    public synchronized InventoryPage inventory(Optional<H256> after, int limit) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive");
        return run(null, "list keys", () -> {
            List<KeyMetadata> keys = readKeys(false, KEY_PAGE, after.map(H256::toBytes).orElse(new byte[0]), limit)
                    .stream().map(StoredKey::metadata).toList();
            Optional<H256> next = keys.size() == limit ? Optional.of(keys.get(limit - 1).keyId()) : Optional.empty();
            return new InventoryPage(keys, next);
        });
    }

    private VersionMetadata readVersionMetadata(H256 keyId, byte[] storedId, byte[] nonce, byte[] idBlob, byte[] commitmentBlob) {
        SortedMap<NodeId, Scalar> ids;
        List<PublicPoint> commitments;
        try {
            ids = decodeIdNumbers(idBlob);
            commitments = decodeCommitments(commitmentBlob);
        } catch (RuntimeException e) {
            throw corrupt(keyId, "undecodable key version");
        }
        try {
            return VersionMetadata.restore(H256.fromBytes(storedId), Optional.ofNullable(nonce).map(H256::fromBytes), ids, commitments);
        } catch (RuntimeException e) {
            throw corrupt(keyId, "version hash does not match its id numbers");
        }
    }

    /**
     * Opens the sealed share of version {@code at} and applies the SEC-11 own-share check, which
     * {@link VerifiedShares} lets pass at once for sealed bytes that passed it before in this process.
     */
    private OwnShare unseal(StoredKey key, int at) {
        H256 keyId = key.keyId();
        VersionMetadata meta = key.metadata().versions().get(at);
        byte[] sealed = key.sealed().get(at);
        byte[] plain;
        try {
            plain = cipher.open(sealed, shareAad(keyId, key.author(), key.metadata().threshold(), key.y(), meta.id(),
                    key.commitmentBlobs().get(at)));
        } catch (AEADBadTagException e) {
            throw db("stored share of key " + keyId.toHex() + " version " + meta.id().toHex()
                    + " failed authentication (wrong node key, or the database was altered)");
        }
        SecretScalar share;
        try {
            share = SecretScalar.fromBytesAllowZero(plain);
        } catch (RuntimeException e) {
            throw corrupt(keyId, "invalid stored share");
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        try {
            return OwnShare.verify(self, keyId, new KeyVersion(meta, share), verified.memo(sealed));
        } catch (RuntimeException e) {
            share.destroy();
            throw e;
        }
    }

    private Optional<DocumentKey> readDocumentKey(H256 keyId, byte[] c, byte[] e, byte[] tag) {
        if (c == null && e == null && tag == null) return Optional.empty();
        if (c == null || e == null || tag == null) throw corrupt(keyId, "incomplete document key");
        try {
            cipher.open(tag, documentKeyAad(keyId, c, e));
        } catch (AEADBadTagException ex) {
            throw db("stored document key of key " + keyId.toHex()
                    + " failed authentication (wrong node key, or the database was altered)");
        }
        try {
            return Optional.of(new DocumentKey(PublicPoint.fromBytes(c), PublicPoint.fromBytes(e)));
        } catch (RuntimeException ex) {
            throw corrupt(keyId, "invalid document key point");
        }
    }

    /** Reads only the partial indexes of schema v2 (see the test that checks its query plan). */
    static final String PENDING_QUERY = "SELECT key_id FROM key_shares WHERE " + PENDING_KEY_ROW
            + " UNION SELECT key_id FROM key_versions WHERE " + PENDING_VERSION_ROW;

    @Override
    public synchronized Set<H256> pendingKeyIds() {
        return run(null, "list pending keys", () -> ids(PENDING_QUERY));
    }

    @Override
    public synchronized Set<H256> keyIds() {
        return run(null, "list keys", () -> ids("SELECT key_id FROM key_shares WHERE committed = 1"));
    }

    private Set<H256> ids(String sql) throws SQLException {
        Set<H256> out = new HashSet<>();
        try (PreparedStatement ps = statement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(H256.fromBytes(rs.getBytes(1)));
        }
        return Set.copyOf(out);
    }

    // ---------------------------------------------------------------- two-phase writes

    @Override
    public synchronized void prepareNewKey(KeyShare share) {
        H256 keyId = share.keyId();
        share.versions().forEach(v -> OwnShare.verify(self, keyId, v));
        inTransaction(keyId, "prepare", () -> {
            if (keyRowState(keyId) != null) throw db("key " + keyId.toHex() + " already exists");
            try (PreparedStatement keyRow = statement(INSERT_KEY_ROW);
                 PreparedStatement versionRow = statement(INSERT_VERSION_ROW)) {
                insertKey(keyRow, versionRow, share, 0);
            }
            return null;
        });
    }

    /**
     * Bulk load of keys that are committed at once (benchmark seeding, tooling): exactly the rows, sealing
     * and SEC-11 own-share check of {@link #prepareNewKey} followed by {@link #commit}, but the whole batch is
     * one transaction (one fsync) with statements reused across rows. All or nothing: a key id that already
     * exists (committed or prepared) or repeats within the batch rolls the batch back.
     *
     * <p>The own-share checks (elliptic-curve work) run before the storage lock is taken, so callers may
     * load from several threads.
     */
    public void importCommitted(Collection<KeyShare> shares) {
        for (KeyShare share : shares) share.versions().forEach(v -> OwnShare.verify(self, share.keyId(), v));
        synchronized (this) {
            inTransaction(null, "import", () -> {
                Set<H256> seen = new HashSet<>();
                try (PreparedStatement exists = statement("SELECT 1 FROM key_shares WHERE key_id = ?");
                     PreparedStatement keyRow = statement(INSERT_KEY_ROW);
                     PreparedStatement versionRow = statement(INSERT_VERSION_ROW)) {
                    for (KeyShare share : shares) {
                        H256 keyId = share.keyId();
                        exists.setBytes(1, keyId.toBytes());
                        try (ResultSet rs = exists.executeQuery()) {
                            if (rs.next() || !seen.add(keyId)) throw db("key " + keyId.toHex() + " already exists");
                        }
                        insertKey(keyRow, versionRow, share, 1);
                    }
                }
                return null;
            });
        }
    }

    private static final String INSERT_KEY_ROW = "INSERT INTO key_shares (key_id, author, threshold, public_key, committed,"
            + " doc_common_point, doc_encrypted_point, doc_tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_VERSION_ROW = "INSERT INTO key_versions (key_id, version_hash, id_numbers, commitments,"
            + " sealed_share, committed, version_nonce) VALUES (?, ?, ?, ?, ?, ?, ?)";

    /** One key row and its version rows, all with the given committed flag. */
    private void insertKey(PreparedStatement keyRow, PreparedStatement versionRow, KeyShare share, int committed) throws SQLException {
        H256 keyId = share.keyId();
        byte[] author = share.author().toBytes();
        byte[] y = share.publicKey().toBytes();
        keyRow.setBytes(1, keyId.toBytes());
        keyRow.setBytes(2, author);
        keyRow.setInt(3, share.threshold());
        keyRow.setBytes(4, y);
        keyRow.setInt(5, committed);
        if (share.documentKey().isPresent()) {
            byte[][] doc = sealDocumentKey(keyId, share.documentKey().get());
            keyRow.setBytes(6, doc[0]);
            keyRow.setBytes(7, doc[1]);
            keyRow.setBytes(8, doc[2]);
        } else {
            keyRow.setNull(6, java.sql.Types.BLOB);
            keyRow.setNull(7, java.sql.Types.BLOB);
            keyRow.setNull(8, java.sql.Types.BLOB);
        }
        keyRow.executeUpdate();
        for (KeyVersion v : share.versions()) insertVersion(versionRow, keyId, author, share.threshold(), y, v, committed);
    }

    @Override
    public synchronized void prepareDocumentKey(H256 keyId, DocumentKey documentKey) {
        inTransaction(keyId, "prepare document key", () -> {
            try (PreparedStatement ps = statement(
                    "SELECT doc_common_point IS NOT NULL FROM key_shares WHERE key_id = ? AND committed = 1")) {
                ps.setBytes(1, keyId.toBytes());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw db("no such key " + keyId.toHex());
                    if (rs.getBoolean(1)) throw db("key " + keyId.toHex() + " already has a document key");
                }
            }
            byte[][] doc = sealDocumentKey(keyId, documentKey);
            try (PreparedStatement ps = statement(
                    "UPDATE key_shares SET pending_doc_common_point = ?, pending_doc_encrypted_point = ?,"
                            + " pending_doc_tag = ? WHERE key_id = ?")) {
                ps.setBytes(1, doc[0]);
                ps.setBytes(2, doc[1]);
                ps.setBytes(3, doc[2]);
                ps.setBytes(4, keyId.toBytes());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public synchronized void prepareVersion(H256 keyId, KeyVersion version) {
        OwnShare.verify(self, keyId, version);
        inTransaction(keyId, "prepare version", () -> {
            try (PreparedStatement ps = statement(
                    "SELECT author, threshold, public_key FROM key_shares WHERE key_id = ? AND committed = 1")) {
                ps.setBytes(1, keyId.toBytes());
                try (ResultSet rs = ps.executeQuery(); PreparedStatement versionRow = statement(INSERT_VERSION_ROW)) {
                    if (!rs.next()) throw db("no such key " + keyId.toHex());
                    insertVersion(versionRow, keyId, rs.getBytes(1), rs.getInt(2), rs.getBytes(3), version, 0);
                }
            }
            return null;
        });
    }

    @Override
    public synchronized void commit(H256 keyId) {
        inTransaction(keyId, "commit", () -> {
            byte[] id = keyId.toBytes();
            update("UPDATE key_shares SET committed = 1 WHERE key_id = ? AND committed = 0", id);
            update("UPDATE key_shares SET doc_common_point = pending_doc_common_point,"
                    + " doc_encrypted_point = pending_doc_encrypted_point, doc_tag = pending_doc_tag,"
                    + " pending_doc_common_point = NULL, pending_doc_encrypted_point = NULL, pending_doc_tag = NULL"
                    + " WHERE key_id = ? AND pending_doc_common_point IS NOT NULL", id);
            update("UPDATE key_versions SET committed = 1 WHERE key_id = ? AND committed = 0", id);
            return null;
        });
    }

    @Override
    public synchronized void discard(H256 keyId) {
        inTransaction(keyId, "discard", () -> {
            byte[] id = keyId.toBytes();
            update("DELETE FROM key_versions WHERE key_id = ? AND committed = 0", id);
            update("UPDATE key_shares SET pending_doc_common_point = NULL, pending_doc_encrypted_point = NULL,"
                    + " pending_doc_tag = NULL WHERE key_id = ?", id);
            update("DELETE FROM key_shares WHERE key_id = ? AND committed = 0", id);
            return null;
        });
    }

    @Override
    public synchronized void removeVersion(H256 keyId, H256 versionHash) {
        inTransaction(keyId, "remove version", () -> {
            if (!Integer.valueOf(1).equals(keyRowState(keyId))) return null;
            int committedVersions = 0;
            boolean found = false;
            try (PreparedStatement ps = statement(
                    "SELECT version_hash FROM key_versions WHERE key_id = ? AND committed = 1")) {
                ps.setBytes(1, keyId.toBytes());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        committedVersions++;
                        found |= Arrays.equals(rs.getBytes(1), versionHash.toBytes());
                    }
                }
            }
            if (!found) return null;
            if (committedVersions == 1) {
                throw db("cannot remove the last version of key " + keyId.toHex());
            }
            try (PreparedStatement ps = statement(
                    "DELETE FROM key_versions WHERE key_id = ? AND version_hash = ? AND committed = 1")) {
                ps.setBytes(1, keyId.toBytes());
                ps.setBytes(2, versionHash.toBytes());
                ps.executeUpdate();
            }
            return null;
        });
        eraseWal(keyId);
    }

    @Override
    public synchronized void removeKey(H256 keyId) {
        inTransaction(keyId, "remove key", () -> {
            byte[] id = keyId.toBytes();
            update("DELETE FROM key_versions WHERE key_id = ?", id); // secure_delete = ON overwrites the freed pages
            update("DELETE FROM key_shares WHERE key_id = ?", id);
            return null;
        });
        eraseWal(keyId);
    }

    /**
     * After a removal (SEC-26): secure_delete zeroed the freed cells in the new page images, but the WAL still
     * holds the pages as they were written, sealed share included, until it is checkpointed. A TRUNCATE checkpoint
     * writes the zeroed pages into the database file and empties the WAL. The removal itself is already durable, so
     * a checkpoint that cannot run now (a reader holds the WAL) is logged and left to the next one.
     */
    private void eraseWal(H256 keyId) {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            if (rs.next() && rs.getInt(1) != 0) {
                LOG.warning(() -> "key storage: WAL checkpoint after removing data of key " + keyId.toHex()
                        + " was blocked; the old pages stay in the WAL until the next checkpoint");
            }
        } catch (SQLException e) {
            LOG.warning(() -> "key storage: WAL checkpoint after removing data of key " + keyId.toHex() + " failed: " + e.getMessage());
        }
    }

    /**
     * Writes a consistent copy of the whole store, as of now, to {@code target} (absent or empty; one self-contained
     * file in rollback-journal mode): {@code VACUUM INTO} on this connection, so no write interleaves, then the meta
     * rows {@link StoreSnapshots#NODE_ID} (this node) and {@link StoreSnapshots#CREATED} are added to the copy. Rows
     * stay as they are stored: shares sealed under this node's storage key.
     */
    public synchronized void snapshot(Path target, java.time.Instant created) {
        ensureOpen();
        try {
            StoragePermissions.prepareFile(target); // 0600 before the first byte
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("VACUUM INTO '" + target.toAbsolutePath().toString().replace("'", "''") + "'");
            }
            try (Connection copy = DriverManager.getConnection("jdbc:sqlite:" + target.toAbsolutePath());
                 Statement st = copy.createStatement();
                 PreparedStatement ps = copy.prepareStatement("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)")) {
                try (ResultSet mode = st.executeQuery("PRAGMA journal_mode = DELETE")) {
                    if (!mode.next() || !"delete".equalsIgnoreCase(mode.getString(1))) throw new SQLException("cannot leave WAL mode");
                }
                ps.setString(1, StoreSnapshots.NODE_ID);
                ps.setBytes(2, self.toBytes());
                ps.executeUpdate();
                ps.setString(1, StoreSnapshots.CREATED);
                ps.setBytes(2, created.toString().getBytes(StandardCharsets.US_ASCII));
                ps.executeUpdate();
                st.execute("DELETE FROM meta WHERE name = '" + HEALTH_PROBE_NAME + "'");
            }
        } catch (SQLException | IOException e) {
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "key storage snapshot to " + target + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
        cipher.destroy();
    }

    // ---------------------------------------------------------------- helpers

    private PreparedStatement statement(String sql) throws SQLException {
        statements++;
        return conn.prepareStatement(sql);
    }

    /**
     * The store's own connection, null once closed (tests: the store holds the file exclusively, so a test that
     * inspects or alters rows under an open store does it on this connection).
     */
    synchronized Connection connection() {
        return conn;
    }

    /** The number of statements this store prepared since it was opened; a test hook for "one read per request". */
    synchronized long statementCount() {
        return statements;
    }

    /** null if no row, else the committed flag of the key row. */
    private Integer keyRowState(H256 keyId) throws SQLException {
        try (PreparedStatement ps = statement("SELECT committed FROM key_shares WHERE key_id = ?")) {
            ps.setBytes(1, keyId.toBytes());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    private void insertVersion(PreparedStatement ps, H256 keyId, byte[] author, int threshold, byte[] y, KeyVersion v, int committed)
            throws SQLException {
        byte[] commitments = encodeCommitments(v.commitments());
        byte[] plain = v.share().toBytes();
        byte[] sealed;
        try {
            sealed = cipher.seal(plain, shareAad(keyId, author, threshold, y, v.hash(), commitments));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        ps.setBytes(1, keyId.toBytes());
        ps.setBytes(2, v.hash().toBytes());
        ps.setBytes(3, encodeIdNumbers(v.idNumbers()));
        ps.setBytes(4, commitments);
        ps.setBytes(5, sealed);
        ps.setInt(6, committed);
        if (v.metadata().nonce().isPresent()) ps.setBytes(7, v.metadata().nonce().get().toBytes());
        else ps.setNull(7, java.sql.Types.BLOB);
        ps.executeUpdate();
    }

    private byte[][] sealDocumentKey(H256 keyId, DocumentKey dk) {
        byte[] c = dk.commonPoint().toBytes();
        byte[] e = dk.encryptedPoint().toBytes();
        return new byte[][] {c, e, cipher.seal(new byte[0], documentKeyAad(keyId, c, e))};
    }

    private void update(String sql, byte[] keyId) throws SQLException {
        try (PreparedStatement ps = statement(sql)) {
            ps.setBytes(1, keyId);
            ps.executeUpdate();
        }
    }

    /** Associated data of a sealed share: everything that must not change under it. */
    static byte[] shareAad(H256 keyId, byte[] author, int threshold, byte[] y, H256 versionHash, byte[] commitments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(SHARE_DOMAIN);
        out.writeBytes(keyId.toBytes());
        out.writeBytes(author);
        out.writeBytes(ByteBuffer.allocate(4).putInt(threshold).array());
        out.writeBytes(y);
        out.writeBytes(versionHash.toBytes());
        out.writeBytes(Keccak256.hash(commitments));
        return out.toByteArray();
    }

    private static byte[] documentKeyAad(H256 keyId, byte[] c, byte[] e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(200);
        out.writeBytes(DOCUMENT_KEY_DOMAIN);
        out.writeBytes(keyId.toBytes());
        out.writeBytes(c);
        out.writeBytes(e);
        return out.toByteArray();
    }

    static byte[] encodeIdNumbers(SortedMap<NodeId, Scalar> ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.size() * ID_ENTRY_LENGTH);
        ids.forEach((node, x) -> {
            out.writeBytes(node.toBytes());
            out.writeBytes(x.toBytes());
        });
        return out.toByteArray();
    }

    private static SortedMap<NodeId, Scalar> decodeIdNumbers(byte[] blob) {
        if (blob.length == 0 || blob.length % ID_ENTRY_LENGTH != 0) throw new IllegalArgumentException("id numbers length");
        SortedMap<NodeId, Scalar> ids = new TreeMap<>();
        for (int off = 0; off < blob.length; off += ID_ENTRY_LENGTH) {
            NodeId node = NodeId.fromBytes(Arrays.copyOfRange(blob, off, off + NODE_ID_LENGTH));
            Scalar x = Scalar.fromBytes(Arrays.copyOfRange(blob, off + NODE_ID_LENGTH, off + ID_ENTRY_LENGTH));
            if (ids.put(node, x) != null) throw new IllegalArgumentException("duplicate holder");
        }
        return ids;
    }

    static byte[] encodeCommitments(List<PublicPoint> points) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(points.size() * PublicPoint.LENGTH);
        points.forEach(p -> out.writeBytes(p.toBytes()));
        return out.toByteArray();
    }

    private static List<PublicPoint> decodeCommitments(byte[] blob) {
        if (blob.length == 0 || blob.length % PublicPoint.LENGTH != 0) throw new IllegalArgumentException("commitments length");
        List<PublicPoint> points = new ArrayList<>(blob.length / PublicPoint.LENGTH);
        for (int off = 0; off < blob.length; off += PublicPoint.LENGTH) {
            points.add(PublicPoint.fromBytes(Arrays.copyOfRange(blob, off, off + PublicPoint.LENGTH)));
        }
        return points;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T run(H256 keyId, String what, Work<T> work) {
        ensureOpen();
        try {
            return work.run();
        } catch (SQLException e) {
            throw failure(keyId, what, e);
        }
    }

    /**
     * Runs {@code work} in one transaction: all of its writes land durably, or none does. Refused (SEC-38) while the
     * database file is not at its path any more: a moved or deleted data directory would otherwise take writes into
     * files the next start never sees.
     */
    private <T> T inTransaction(H256 keyId, String what, Work<T> work) {
        ensureOpen();
        try {
            checkFileInPlace();
            conn.setAutoCommit(false);
            try {
                T result = work.run();
                conn.commit();
                writeFault = null;
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            String fault = faultOf(e);
            if (fault != null) writeFault = fault;
            throw failure(keyId, what, e);
        }
    }

    /** A rollback that cannot run (the disk failed mid-transaction) leaves SQLite to roll back on the next access. */
    private void rollbackQuietly() {
        try {
            conn.rollback();
        } catch (SQLException e) {
            LOG.warning(() -> "key storage: rollback failed: " + e.getMessage());
        }
    }

    /** Throws a storage fault unless the file at {@link #file} is still the one this store opened. */
    private void checkFileInPlace() throws SQLException {
        Object now;
        try {
            now = fileKey(file);
        } catch (IOException e) {
            now = null;
        }
        if (fileKey != null && !fileKey.equals(now)) {
            throw new SQLException("key database " + file + " is no longer at its path (the data directory was moved, "
                    + "deleted or replaced); writes are refused until it is back", null, STORAGE_MISSING);
        }
    }

    /** Vendor code of the {@link SQLException} {@link #checkFileInPlace} throws (outside SQLite's own codes). */
    private static final int STORAGE_MISSING = 0x10000;

    /**
     * The {@link StorageHealth} state a failed write reports, or null when the failure is not the disk's (a
     * constraint, a corrupt row): SQLITE_FULL is {@code full}, SQLITE_READONLY and SQLITE_PERM {@code read_only},
     * SQLITE_IOERR and SQLITE_CANTOPEN {@code io_error}, a database file not at its path {@code missing}.
     */
    private static String faultOf(SQLException e) {
        if (e.getErrorCode() == STORAGE_MISSING) return "missing";
        return switch (e.getErrorCode() & 0xff) {
            case 13 -> "full";
            case 8, 3 -> "read_only";
            case 10, 14 -> "io_error";
            default -> null;
        };
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /**
     * What {@code /health} reports as {@code storage} (SEC-38): {@link StorageHealth#probe} of the data directory;
     * else {@code missing} when the database file is not the one this store opened; else, after a write failed for a
     * storage reason, one small probe write, whose success clears the state (so a node recovers when the disk does,
     * even when no request writes) and whose failure reports it again.
     */
    public String health() {
        String state = StorageHealth.probe(file.getParent());
        if (!StorageHealth.OK.equals(state)) return state;
        try {
            checkFileInPlace();
        } catch (SQLException e) {
            return "missing";
        }
        return writeFault == null ? StorageHealth.OK : probeWrite();
    }

    /** Only after a failed write, so {@code /health} waits for the store's lock (a running write) only then. */
    private synchronized String probeWrite() {
        if (conn == null) return "missing";
        try {
            inTransaction(null, "health probe", () -> {
                try (PreparedStatement ps = statement("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)")) {
                    ps.setString(1, HEALTH_PROBE_NAME);
                    ps.setBytes(2, new byte[] {1});
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (SecretStoreException e) {
            String fault = writeFault;
            return fault == null ? "io_error" : fault;
        }
        return StorageHealth.OK;
    }

    private static final String HEALTH_PROBE_NAME = "health-probe";

    private SecretStoreException failure(H256 keyId, String what, SQLException e) {
        String subject = keyId == null ? "" : " of key " + keyId.toHex();
        return SecretStoreException.of(SecretStoreException.Kind.DATABASE,
                "key storage " + what + subject + " failed: " + e.getMessage(), e);
    }

    private void ensureOpen() {
        if (conn == null) throw db("key storage " + file + " is closed");
    }

    private void closeQuietly() {
        if (conn == null) return;
        try {
            conn.close();
        } catch (SQLException ignored) {
            // nothing useful to do on close
        }
        conn = null;
    }

    private static SecretStoreException corrupt(H256 keyId, String what) {
        return db("stored key " + keyId.toHex() + " is corrupt: " + what);
    }

    private static SecretStoreException db(String message) {
        return SecretStoreException.of(SecretStoreException.Kind.DATABASE, message);
    }
}
