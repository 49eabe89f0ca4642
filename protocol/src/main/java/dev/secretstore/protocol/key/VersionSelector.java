package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import java.util.Optional;

/**
 * Chooses, from a key's committed metadata, the version whose share {@link KeyStorage#read} unseals. Runs
 * inside the storage read; it must be a pure function of the metadata (no I/O, no storage calls).
 */
@FunctionalInterface
public interface VersionSelector {
    Optional<VersionMetadata> select(KeyMetadata key);

    /** The newest committed version. */
    static VersionSelector latest() {
        return key -> Optional.of(key.latestVersion());
    }

    /** The version with this id, if this node holds it committed. */
    static VersionSelector id(H256 versionId) {
        return key -> key.version(versionId);
    }
}
