package dev.secretstore.protocol;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The key server's operations, one per HTTP endpoint (http-api.md §6). Every stage completes
 * normally with the result or exceptionally with a {@link SecretStoreException}; it always completes,
 * because every session ends.
 */
public interface KeyServer {
    /** 1: distributed generation of server key {@code keyId} with threshold {@code t}; returns Y. */
    CompletionStage<PublicPoint> generateServerKey(H256 keyId, Requester requester, long threshold);

    /** 2: store the encrypted document key (C, E) on every holder. */
    CompletionStage<Void> storeDocumentKey(H256 keyId, Requester requester, PublicPoint commonPoint, PublicPoint encryptedPoint);

    /** 3: generate a server key and a document key; returns ECIES(requester, M). */
    CompletionStage<byte[]> generateDocumentKey(H256 keyId, Requester requester, long threshold);

    /** 4: the server key Y, for its author only. */
    CompletionStage<PublicPoint> retrieveServerKey(H256 keyId, Requester requester);

    /** 5: the document key, assembled by the master and returned as ECIES(requester, M). */
    CompletionStage<byte[]> retrieveDocumentKey(H256 keyId, Requester requester);

    /** 6: decryption shadows; the document key is never assembled on a node. */
    CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester);

    /**
     * 6, without the members {@code excluded} in the decryption group (SEC-33: a client retries without a member whose
     * shadow it caught); fewer than {@code t+1} remaining members is answered as any unreachable consensus. A key server
     * that cannot exclude members refuses a non-empty set (fails closed) rather than ignore it.
     */
    default CompletionStage<ShadowRetrieval> retrieveDocumentKeyShadows(H256 keyId, Requester requester, Set<NodeId> excluded) {
        if (excluded.isEmpty()) return retrieveDocumentKeyShadows(keyId, requester);
        return java.util.concurrent.CompletableFuture.failedFuture(
                SecretStoreException.of(SecretStoreException.Kind.INTERNAL, "excluding members is not supported"));
    }

    /** 7: threshold Schnorr signature of {@code messageHash}; returns ECIES(requester, c ‖ s). */
    CompletionStage<byte[]> signSchnorr(H256 keyId, Requester requester, H256 messageHash);

    /** 8: threshold ECDSA signature of {@code messageHash}; returns ECIES(requester, r ‖ s ‖ v). */
    CompletionStage<byte[]> signEcdsa(H256 keyId, Requester requester, H256 messageHash);

    /** 9: re-share every key to a new server set, authorised by the administrator's two signatures. */
    CompletionStage<Void> changeServersSet(byte[] oldSetSignature, byte[] newSetSignature, Set<NodeId> newServersSet);

    /**
     * Extension: re-randomise the shares of {@code keyIds} (empty: every key this node holds), authorised by the
     * administrator's signature over {@code RefreshAuthorization.message(keyIds)} (SEC-40, docs/availability/refresh.md).
     */
    default CompletionStage<Void> refreshShares(byte[] signature, List<H256> keyIds) {
        return java.util.concurrent.CompletableFuture.failedFuture(SecretStoreException.of(SecretStoreException.Kind.ACCESS_DENIED));
    }

    /**
     * 9 with the administrator's fresh authorization ({@code Secretstore-Authorization}, docs/auth.md §7) if one was
     * sent: it then authorizes the change alone (the path's signatures are ignored) and travels to every member.
     * Implementations that do not know fresh authorizations refuse one (403 {@code AccessDenied}).
     */
    default CompletionStage<Void> changeServersSet(byte[] oldSetSignature, byte[] newSetSignature, Set<NodeId> newServersSet,
                                                   java.util.Optional<dev.secretstore.crypto.auth.Authorization> authorization) {
        if (authorization.isPresent()) {
            return java.util.concurrent.CompletableFuture.failedFuture(SecretStoreException.of(SecretStoreException.Kind.ACCESS_DENIED));
        }
        return changeServersSet(oldSetSignature, newSetSignature, newServersSet);
    }

    /** The refresh extension with the administrator's fresh authorization, as {@link #changeServersSet(byte[], byte[], Set, java.util.Optional)}. */
    default CompletionStage<Void> refreshShares(byte[] signature, List<H256> keyIds,
                                                java.util.Optional<dev.secretstore.crypto.auth.Authorization> authorization) {
        if (authorization.isPresent()) {
            return java.util.concurrent.CompletableFuture.failedFuture(SecretStoreException.of(SecretStoreException.Kind.ACCESS_DENIED));
        }
        return refreshShares(signature, keyIds);
    }

    /**
     * Endpoint 6's answer: {@code decrypted_secret}, {@code common_point} and the {@code t+1}
     * ECIES-encrypted decrypt shadows ordered by ascending node id (http-api.md §6.2), and for each shadow
     * (same order) the member that sent it and the point {@code W_i = d_i·G} its proof to the master covered
     * (SEC-33): a requester that decrypts {@code d_i} checks {@code d_i·G == W_i} and names the member when not.
     * {@code checks} is empty only where a result carries no check data (tests' fakes); otherwise one per shadow.
     */
    record ShadowRetrieval(PublicPoint decryptedSecret, PublicPoint commonPoint, List<byte[]> decryptShadows, List<ShadowCheck> checks) {
        public ShadowRetrieval {
            decryptShadows = List.copyOf(decryptShadows);
            checks = List.copyOf(checks);
            if (!checks.isEmpty() && checks.size() != decryptShadows.size()) {
                throw new IllegalArgumentException("one check per decrypt shadow");
            }
        }

        /** A result without check data. */
        public ShadowRetrieval(PublicPoint decryptedSecret, PublicPoint commonPoint, List<byte[]> decryptShadows) {
            this(decryptedSecret, commonPoint, decryptShadows, List.of());
        }
    }

    /** SEC-33: the member {@code node} proved {@code w = d_i·G} for the decrypt shadow it encrypted to the requester. */
    record ShadowCheck(NodeId node, PublicPoint w) {
        public ShadowCheck {
            java.util.Objects.requireNonNull(node, "node");
            java.util.Objects.requireNonNull(w, "w");
        }
    }
}
