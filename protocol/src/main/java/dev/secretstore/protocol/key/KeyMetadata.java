package dev.secretstore.protocol.key;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

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

    /** The newest version (the one requests use first, SEC-26). */
    public VersionMetadata latestVersion() {
        return versions.get(versions.size() - 1);
    }

    /**
     * The version a request uses (SEC-26): the newest one of which at least {@code needed} holders
     * are reachable; the newest version if none qualifies (the request then fails for lack of holders,
     * naming the version every member is asked about).
     */
    public VersionMetadata usableVersion(Predicate<NodeId> reachable, int needed) {
        for (int i = versions.size() - 1; i >= 0; i--) {
            VersionMetadata v = versions.get(i);
            if (v.idNumbers().keySet().stream().filter(reachable).count() >= needed) return v;
        }
        return latestVersion();
    }

    /** {@link #usableVersion} with the t+1 holders decryption and Schnorr signing need. */
    public VersionMetadata usableVersion(Predicate<NodeId> reachable) {
        return usableVersion(reachable, threshold + 1);
    }

    public Optional<VersionMetadata> version(H256 id) {
        return versions.stream().filter(v -> v.id().equals(id)).findFirst();
    }
}
