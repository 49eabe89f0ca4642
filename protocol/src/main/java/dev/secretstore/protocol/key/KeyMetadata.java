package dev.secretstore.protocol.key;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import java.util.List;
import java.util.Optional;

/**
 * The committed public state of one server key: author, threshold, the server key Y, the optional document
 * key and the versions this node holds, oldest first, each without its secret share
 * ({@link KeyStorage#metadata}). Enough to check an author, choose a version (SEC-26), name holders and
 * derive public shares; a computation that needs this node's share reads it with {@link KeyStorage#read}.
 */
public record KeyMetadata(H256 keyId, Address author, int threshold, PublicPoint publicKey,
                          Optional<DocumentKey> documentKey, List<VersionMetadata> versions) {
    public KeyMetadata {
        versions = List.copyOf(versions);
        if (versions.isEmpty()) throw new IllegalArgumentException("a key needs at least one version");
        if (threshold < 0) throw new IllegalArgumentException("negative threshold");
    }

    /**
     * The newest committed version. A request does not simply use it: the consensus picks the newest
     * version every member of its group holds committed (AclConsensus, SEC-26, issue #12 defect 1).
     */
    public VersionMetadata latestVersion() {
        return versions.get(versions.size() - 1);
    }

    public Optional<VersionMetadata> version(H256 id) {
        return versions.stream().filter(v -> v.id().equals(id)).findFirst();
    }
}
