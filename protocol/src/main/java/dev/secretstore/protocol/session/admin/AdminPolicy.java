package dev.secretstore.protocol.session.admin;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.NodeSetHash;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.protocol.NodeId;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * A node's servers-set-change settings: the administrator key ({@code admin_public}) and
 * {@code allow_key_loss_on_set_change} (acl-and-config.md §5, SEC-24, SEC-26).
 */
public record AdminPolicy(Optional<PublicPoint> adminPublic, boolean allowKeyLoss) {
    /** No administrator: endpoint 9 is refused with 403 {@code AccessDenied}. */
    public static final AdminPolicy NONE = new AdminPolicy(Optional.empty(), false);

    public AdminPolicy {
        Objects.requireNonNull(adminPublic, "adminPublic");
    }

    /**
     * SEC-24: true only if both signatures are well-formed raw signatures (crypto.md §4) over the ordered
     * nodes hashes of the two sets (crypto.md §8) and both recover to {@code admin_public}.
     */
    public boolean authorizes(Collection<NodeId> oldSet, Collection<NodeId> newSet, byte[] oldSetSignature, byte[] newSetSignature) {
        if (adminPublic.isEmpty()) return false;
        return recoversToAdmin(oldSet, oldSetSignature) && recoversToAdmin(newSet, newSetSignature);
    }

    private boolean recoversToAdmin(Collection<NodeId> set, byte[] signature) {
        try {
            PublicPoint signer = Ecdsa.recover(RecoverableSignature.fromBytes(signature),
                    NodeSetHash.of(set.stream().map(NodeId::publicKey).toList()));
            return signer.equals(adminPublic.get());
        } catch (CryptoException e) {
            return false;
        }
    }
}
