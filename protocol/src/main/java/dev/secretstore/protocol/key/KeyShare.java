package dev.secretstore.protocol.key;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import java.util.List;
import java.util.Optional;

/**
 * Everything one node stores for one server key: author, threshold, the server key Y, the optional
 * document key, and the key versions this node holds, oldest first. Only committed data is ever
 * represented here (pending data lives behind {@link KeyStorage}'s two-phase methods).
 */
public record KeyShare(H256 keyId, Address author, int threshold, PublicPoint publicKey,
                       Optional<DocumentKey> documentKey, List<KeyVersion> versions) {
    public KeyShare {
        versions = List.copyOf(versions);
        if (versions.isEmpty()) throw new IllegalArgumentException("a key share needs at least one version");
        if (threshold < 0) throw new IllegalArgumentException("negative threshold");
    }

    /** The newest committed version. Which version a request uses is the consensus's choice (AclConsensus, SEC-26). */
    public KeyVersion latestVersion() {
        return versions.get(versions.size() - 1);
    }

    /** The public part of this key: everything but the shares. */
    public KeyMetadata metadata() {
        return new KeyMetadata(keyId, author, threshold, publicKey, documentKey,
                versions.stream().map(KeyVersion::metadata).toList());
    }

    public Optional<KeyVersion> version(H256 hash) {
        return versions.stream().filter(v -> v.hash().equals(hash)).findFirst();
    }

    public KeyShare withDocumentKey(DocumentKey key) {
        return new KeyShare(keyId, author, threshold, publicKey, Optional.of(key), versions);
    }
}
