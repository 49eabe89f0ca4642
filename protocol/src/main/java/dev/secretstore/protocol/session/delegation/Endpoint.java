package dev.secretstore.protocol.session.delegation;

import dev.secretstore.crypto.Ecies;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.session.consensus.AclConsensus;
import dev.secretstore.protocol.session.consensus.KeyUse;
import dev.secretstore.protocol.session.decryption.DecryptionSession;
import dev.secretstore.protocol.session.signing.EcdsaSigningSession;
import dev.secretstore.protocol.session.signing.SchnorrSigningSession;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP endpoints (http-api.md §6) a member that does not hold a key serves through the holders (SEC-40):
 * what each needs from a holder and what its successful answer looks like on the wire.
 */
public enum Endpoint {
    /** 2: store (C, E); any holder of the key can master the store. */
    STORE_DOCUMENT_KEY(Optional.empty(), false, -1),
    /** 4: Y for the author; answered by the entry node from metadata t+1 holders agree on, never delegated. */
    RETRIEVE_SERVER_KEY(Optional.empty(), false, -1),
    /** 5: {@code ecies(requester, M)}. */
    RETRIEVE_DOCUMENT_KEY(Optional.of(DecryptionSession.PROFILE), true, Ecies.OVERHEAD + 64),
    /** 6: decrypted secret, common point and t+1 encrypted decrypt shadows. */
    RETRIEVE_SHADOWS(Optional.of(DecryptionSession.PROFILE), true, -1),
    /** 7: {@code ecies(requester, c ‖ s)}. */
    SIGN_SCHNORR(Optional.of(SchnorrSigningSession.PROFILE), false, SchnorrSigningSession.SIGNATURE_BLOB_LENGTH),
    /** 8: {@code ecies(requester, r ‖ s ‖ v)}. */
    SIGN_ECDSA(Optional.of(EcdsaSigningSession.PROFILE), false, EcdsaSigningSession.SIGNATURE_BLOB_LENGTH);

    /** {@code ecies(requester, d_i)}: one decrypt shadow of endpoint 6. */
    public static final int SHADOW_BLOB_LENGTH = Ecies.OVERHEAD + 32;

    private final Optional<KeyUse.Profile> profile;
    private final boolean needsDocumentKey;
    private final int resultLength;

    Endpoint(Optional<KeyUse.Profile> profile, boolean needsDocumentKey, int resultLength) {
        this.profile = profile;
        this.needsDocumentKey = needsDocumentKey;
        this.resultLength = resultLength;
    }

    /** The operation a requester's credential must authorize for this endpoint (docs/auth.md). */
    public Operation operation() {
        return switch (this) {
            case STORE_DOCUMENT_KEY -> Operation.STORE_DOCUMENT_KEY;
            case RETRIEVE_SERVER_KEY -> Operation.RETRIEVE_SERVER_KEY;
            case RETRIEVE_DOCUMENT_KEY -> Operation.RETRIEVE_DOCUMENT_KEY;
            case RETRIEVE_SHADOWS -> Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS;
            case SIGN_SCHNORR -> Operation.SIGN_SCHNORR;
            case SIGN_ECDSA -> Operation.SIGN_ECDSA;
        };
    }

    /** The parameter field the credential binds: (C, E) for 2, the message hash for 7 and 8, zero otherwise. */
    public H256 params(H256 messageHash, List<PublicPoint> documentKey) {
        return switch (this) {
            case STORE_DOCUMENT_KEY -> Operation.storeParams(documentKey.get(0), documentKey.get(1));
            case SIGN_SCHNORR, SIGN_ECDSA -> messageHash;
            default -> Operation.NO_PARAMS;
        };
    }

    /** Whether a holder needs the document key (C, E) to serve it (5, 6). */
    public boolean needsDocumentKey() {
        return needsDocumentKey;
    }

    /** The exact length of the single result blob (5, 7, 8); -1 when the answer is no blob (2) or several (6). */
    public int resultLength() {
        return resultLength;
    }

    /**
     * Whether {@code key} (one node's committed metadata) has a version this endpoint's session could use:
     * the candidates its {@link KeyUse.Profile} admits ({@link AclConsensus#candidates}); always true for 2 and 4.
     */
    public boolean usable(KeyMetadata key) {
        return profile.map(p -> !AclConsensus.candidates(key, p.groupSize().applyAsInt(key.threshold()), p.usable()).isEmpty())
                .orElse(true);
    }

    /**
     * Whether a node with this committed metadata (empty: it does not hold the key) must look for the key's
     * holders instead of mastering the request itself: it lacks the key, for 5 and 6 the document key, or
     * for 5 to 8 a version the session could use.
     */
    public boolean delegationNeeded(Optional<KeyMetadata> local) {
        if (local.isEmpty()) return true;
        if (needsDocumentKey && local.get().documentKey().isEmpty()) return true;
        return !usable(local.get());
    }
}
