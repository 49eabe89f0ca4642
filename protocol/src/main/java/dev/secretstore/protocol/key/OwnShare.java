package dev.secretstore.protocol.key;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;

/**
 * This node's share of one key version, checked (SEC-11): the node is a holder of the version and its
 * public share derived from the commitment vector, Σ x_self^k·A_k, equals share·G. The only way to obtain
 * one is {@link #verify}; every {@link KeyStorage} applies it to each version it stores and hands out, so
 * all backends refuse the same data with the same {@code DATABASE} failure.
 */
public final class OwnShare {
    private final NodeId self;
    private final KeyVersion version;

    private OwnShare(NodeId self, KeyVersion version) {
        this.self = self;
        this.version = version;
    }

    /**
     * Remembers versions that passed the check, so a store may skip the multiplications when it hands out
     * the very same share under the very same commitments again. An implementation answers
     * {@link #passedBefore} true only if that identity is guaranteed (e.g. by an authenticated encryption
     * tag over share and commitments); {@link #NONE} always checks.
     */
    public interface Memo {
        Memo NONE = new Memo() {
            @Override
            public boolean passedBefore() {
                return false;
            }

            @Override
            public void passed() {}
        };

        boolean passedBefore();

        void passed();
    }

    /** The SEC-11 own-share check on {@code version} for node {@code self}, every time. */
    public static OwnShare verify(NodeId self, H256 keyId, KeyVersion version) {
        return verify(self, keyId, version, Memo.NONE);
    }

    /**
     * The SEC-11 own-share check, skipped when {@code memo} vouches that this share passed it before.
     * Throws {@code DATABASE} naming the key and version (never the share) if it fails.
     */
    public static OwnShare verify(NodeId self, H256 keyId, KeyVersion version, Memo memo) {
        if (!version.metadata().isHolder(self)) {
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "key " + keyId.toHex() + " version "
                    + version.id().toHex() + " refused: this node is not a holder of it (SEC-11)");
        }
        if (memo.passedBefore()) return new OwnShare(self, version);
        if (!shareMatchesCommitments(self, version)) {
            throw SecretStoreException.of(SecretStoreException.Kind.DATABASE, "key " + keyId.toHex() + " version "
                    + version.id().toHex() + " refused: this node's share does not match the commitment vector (SEC-11)");
        }
        memo.passed();
        return new OwnShare(self, version);
    }

    private static boolean shareMatchesCommitments(NodeId self, KeyVersion v) {
        try {
            return v.publicShare(self).equals(v.share().mulG());
        } catch (RuntimeException e) { // a share of zero or a sum at infinity
            return false;
        }
    }

    /** The node the share belongs to. */
    public NodeId self() {
        return self;
    }

    public VersionMetadata version() {
        return version.metadata();
    }

    public SecretScalar share() {
        return version.share();
    }

    /** The checked version with its share, as the sessions' threshold code takes it. */
    public KeyVersion keyVersion() {
        return version;
    }

    @Override
    public String toString() {
        return "OwnShare[" + version + ", self=" + self.shortId() + "]";
    }
}
