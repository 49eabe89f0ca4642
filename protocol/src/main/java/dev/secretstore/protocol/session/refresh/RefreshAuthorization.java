package dev.secretstore.protocol.session.refresh;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The administrator's signed request for an on-demand share refresh (SEC-24, SEC-40; docs/availability/refresh.md).
 *
 * <p>The signature is a raw recoverable ECDSA signature (crypto.md §4) by the key {@code admin_public} over
 *
 * <pre>
 *   keccak256( ASCII "secretstore/v1/admin/share-refresh" ‖ u32 count ‖ key id_1 ‖ … ‖ key id_count )
 * </pre>
 *
 * with the key ids (32 bytes each) in ascending order without duplicates, {@code count} as 4 bytes big-endian;
 * {@code count = 0} asks for every key the receiving node holds. The preimage is {@code 38 + 32·count} bytes long,
 * never a multiple of 64, while a servers set change signs the hash of a concatenation of 64-byte node ids
 * (crypto.md §8): no set-change signature verifies as a refresh request and no refresh signature as a set
 * change, short of a keccak256 collision. A replayed refresh request only refreshes the same keys again.
 */
public final class RefreshAuthorization {
    /** The domain tag that starts the signed preimage. */
    public static final String TAG = "secretstore/v1/admin/share-refresh";

    private RefreshAuthorization() {}

    /** The hash the administrator signs for a refresh of {@code keyIds} (empty: every key the receiving node holds). */
    public static H256 message(Collection<H256> keyIds) {
        List<H256> sorted = List.copyOf(new TreeSet<>(keyIds));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TAG.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(ByteBuffer.allocate(4).putInt(sorted.size()).array());
        for (H256 id : sorted) out.writeBytes(id.toBytes());
        return H256.fromBytes(Keccak256.hash(out.toByteArray()));
    }

    /** True only if {@code signature} is a well-formed raw signature over {@link #message} that recovers to {@code admin_public}. */
    public static boolean authorizes(AdminPolicy policy, Collection<H256> keyIds, byte[] signature) {
        if (policy.adminPublic().isEmpty() || signature == null) return false;
        if (new TreeSet<>(keyIds).size() != keyIds.size()) return false;
        try {
            PublicPoint signer = Ecdsa.recover(RecoverableSignature.fromBytes(signature), message(keyIds));
            return signer.equals(policy.adminPublic().get());
        } catch (CryptoException | IllegalArgumentException e) {
            return false;
        }
    }
}
