package dev.secretstore.node.acl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * {@code acl_contract = "policy"} (acl-and-config.md §2.6): the key's author is always allowed;
 * anyone else only with a matching grant from the policy file. Fails closed: a key this node does not
 * hold, or any error, is a denial. The file is read again when it changes (size or modification time,
 * checked at most once a second). A file that stops parsing or disappears while the node runs denies
 * every grant (authors keep access to their own keys) until it is fixed, logged as SEVERE at once and
 * then at most once a minute while requests keep arriving (SEC-39): a revoked grant never survives a
 * broken edit.
 *
 * <pre>
 * [[grant]]
 * address = "0x&lt;40 hex&gt;"
 * key_id  = "0x&lt;64 hex&gt;"   # or "*"
 *
 * [[creator]]                    # optional (SEC-35): only these may generate keys
 * address = "0x&lt;40 hex&gt;"
 * </pre>
 *
 * Without a {@code [[creator]]} entry anyone may generate keys; with one or more, only those requesters
 * ({@link #mayCreate}). A broken or missing file lets nobody generate keys until it is fixed (fail closed).
 */
public final class PolicyFileAclChecker implements AclChecker {
    /** A grant; {@code keyId} empty means every key. */
    public record Grant(Address address, Optional<H256> keyId) {}

    private static final long RELOAD_INTERVAL_NANOS = 1_000_000_000L;
    private static final long BROKEN_LOG_INTERVAL_NANOS = 60_000_000_000L;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PolicyFileAclChecker.class.getName());

    private final KeyStorage storage;
    private final String source;
    private final Path file; // null: fixed grants (tests)
    private final LongSupplier nanoTime;
    private volatile Set<Grant> grants;
    /** The {@code [[creator]]} addresses; empty: anyone may create keys. */
    private volatile Optional<Set<Address>> creators = Optional.empty();
    private volatile String stamp;
    private volatile long checkedAt;
    /** Why the file is unusable (every grant denied), or null while it parses. */
    private volatile String broken;
    private volatile long brokenLoggedAt;

    public PolicyFileAclChecker(Set<Grant> grants, KeyStorage storage, String source) {
        this.grants = Set.copyOf(grants);
        this.storage = storage;
        this.source = source;
        this.file = null;
        this.nanoTime = System::nanoTime;
    }

    /** Reads {@code file} now (a parse error is thrown: the node must not start) and again whenever it changes. */
    public PolicyFileAclChecker(Path file, KeyStorage storage) {
        this(file, storage, System::nanoTime);
    }

    /** As {@link #PolicyFileAclChecker(Path, KeyStorage)} with the monotonic clock (nanoseconds) given. */
    PolicyFileAclChecker(Path file, KeyStorage storage, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.file = file;
        this.storage = storage;
        this.source = "policy " + file.getFileName();
        this.stamp = stamp(file);
        this.grants = Set.copyOf(load(file));
        this.creators = loadCreators(file);
        this.checkedAt = nanoTime.getAsLong();
    }

    private static String stamp(Path file) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = java.nio.file.Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return a.size() + "/" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return "missing";
        }
    }

    /** Re-reads the file if it changed since the last look (at most once a second). */
    private void refresh() {
        if (file == null || nanoTime.getAsLong() - checkedAt < RELOAD_INTERVAL_NANOS) return;
        synchronized (this) {
            refreshNow();
        }
    }

    private void refreshNow() {
        long now = nanoTime.getAsLong();
        if (now - checkedAt < RELOAD_INTERVAL_NANOS) return;
        checkedAt = now;
        String current = stamp(file);
        if (!current.equals(stamp)) {
            stamp = current;
            try {
                Set<Grant> loaded = Set.copyOf(load(file));
                Optional<Set<Address>> loadedCreators = loadCreators(file);
                boolean wasBroken = broken != null;
                grants = loaded;
                creators = loadedCreators;
                broken = null;
                if (wasBroken) {
                    LOG.severe(() -> source + ": fixed, grants apply again: " + loaded.size() + " grant(s)");
                } else {
                    LOG.info(() -> source + ": reloaded, " + loaded.size() + " grant(s)");
                }
            } catch (IllegalArgumentException e) {
                grants = Set.of(); // fail closed: a revoked grant must not survive a broken edit
                creators = Optional.of(Set.of());
                broken = e.getMessage();
                brokenLoggedAt = now;
                logBroken();
            }
        } else if (broken != null && now - brokenLoggedAt >= BROKEN_LOG_INTERVAL_NANOS) {
            brokenLoggedAt = now;
            logBroken();
        }
    }

    private void logBroken() {
        String why = broken;
        LOG.severe(() -> source + ": unusable, EVERY GRANT IS DENIED (authors keep access to their own keys) until it is fixed: " + why);
    }

    /** Whether the policy file is unusable (missing or not parsing) and every grant is therefore denied. */
    public boolean broken() {
        return broken != null;
    }

    private static JsonNode read(Path file) {
        try {
            return new TomlMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the ACL policy file: " + e.getClass().getSimpleName());
        }
    }

    /** Reads the policy file; any problem is an {@link IllegalArgumentException} naming the file and the grant. */
    public static Set<Grant> load(Path file) {
        JsonNode root = read(file);
        Set<Grant> out = new HashSet<>();
        if (root == null || root.isEmpty()) return out;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!name.equals("grant") && !name.equals("creator")) {
                throw new IllegalArgumentException(file + ": unknown entry '" + name + "' (expected [[grant]] or [[creator]])");
            }
        }
        loadCreators(root, file);
        JsonNode list = root.get("grant");
        if (list == null) return out;
        if (!list.isArray()) throw new IllegalArgumentException(file + ": 'grant' must be an array of tables ([[grant]])");
        int i = 0;
        for (JsonNode g : list) {
            i++;
            for (Iterator<String> names = g.fieldNames(); names.hasNext(); ) {
                String n = names.next();
                if (!n.equals("address") && !n.equals("key_id")) {
                    throw new IllegalArgumentException(file + ": grant " + i + ": unknown option '" + n + "'");
                }
            }
            try {
                Address address = Address.fromHex(text(g, "address", file, i));
                String key = text(g, "key_id", file, i);
                out.add(new Grant(address, key.equals("*") ? Optional.empty() : Optional.of(H256.fromHex(key))));
            } catch (CryptoException e) {
                throw new IllegalArgumentException(file + ": grant " + i + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** The file's {@code [[creator]]} addresses (SEC-35); empty when it lists none (anyone may create keys). */
    public static Optional<Set<Address>> loadCreators(Path file) {
        return loadCreators(read(file), file);
    }

    private static Optional<Set<Address>> loadCreators(JsonNode root, Path file) {
        JsonNode list = root == null ? null : root.get("creator");
        if (list == null) return Optional.empty();
        if (!list.isArray()) throw new IllegalArgumentException(file + ": 'creator' must be an array of tables ([[creator]])");
        Set<Address> out = new HashSet<>();
        int i = 0;
        for (JsonNode c : list) {
            i++;
            for (Iterator<String> names = c.fieldNames(); names.hasNext(); ) {
                String n = names.next();
                if (!n.equals("address")) throw new IllegalArgumentException(file + ": creator " + i + ": unknown option '" + n + "'");
            }
            JsonNode v = c.get("address");
            if (v == null || !v.isTextual()) throw new IllegalArgumentException(file + ": creator " + i + ": 'address' must be a string");
            try {
                out.add(Address.fromHex(v.textValue()));
            } catch (CryptoException e) {
                throw new IllegalArgumentException(file + ": creator " + i + ": " + e.getMessage());
            }
        }
        return Optional.of(Set.copyOf(out));
    }

    /**
     * Whether {@code requester} may generate keys (SEC-35): anyone when the file lists no {@code [[creator]]},
     * else only the listed; nobody while the file is broken or missing.
     */
    public boolean mayCreate(Address requester) {
        refresh();
        return creators.map(c -> c.contains(requester)).orElse(true);
    }

    private static String text(JsonNode g, String field, Path file, int i) {
        JsonNode v = g.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(file + ": grant " + i + ": '" + field + "' must be a string");
        return v.textValue();
    }

    @Override
    public CompletionStage<Decision> check(Address requester, H256 keyId) {
        try {
            refresh();
            Optional<KeyMetadata> key = storage.metadata(keyId); // the author only: no share is unsealed
            if (key.isPresent() && key.get().author().equals(requester)) {
                return CompletableFuture.completedFuture(Decision.allow(source + ": author"));
            }
            boolean granted = grants.contains(new Grant(requester, Optional.of(keyId))) || grants.contains(new Grant(requester, Optional.empty()));
            if (granted) return CompletableFuture.completedFuture(Decision.allow(source + ": grant"));
            return CompletableFuture.completedFuture(Decision.deny(broken != null ? source + ": unusable, every grant denied" : source));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Decision.deny(source + ": error"));
        }
    }
}
