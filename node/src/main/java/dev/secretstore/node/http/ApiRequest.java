package dev.secretstore.node.http;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import java.util.Set;

/** A parsed request of the Parity-compatible HTTP API: one record per endpoint of http-api.md §3. */
public sealed interface ApiRequest {

    /** Endpoints 1–8 carry a key id and a requester signature over it. */
    sealed interface KeyRequest extends ApiRequest {
        H256 keyId();

        RawSignature signature();
    }

    /** 1: {@code POST /shadow/{key_id}/{signature}/{threshold}}. Threshold is unsigned, up to 2^64−1. */
    record GenerateServerKey(H256 keyId, RawSignature signature, long threshold) implements KeyRequest {}

    /** 2: {@code POST /shadow/{key_id}/{signature}/{common_point}/{encrypted_point}}. */
    record StoreDocumentKey(H256 keyId, RawSignature signature, PublicPoint commonPoint, PublicPoint encryptedPoint)
            implements KeyRequest {}

    /** 3: {@code POST /{key_id}/{signature}/{threshold}}. */
    record GenerateDocumentKey(H256 keyId, RawSignature signature, long threshold) implements KeyRequest {}

    /** 4: {@code GET /server/{key_id}/{signature}}. */
    record RetrieveServerKey(H256 keyId, RawSignature signature) implements KeyRequest {}

    /** 5: {@code GET /{key_id}/{signature}}. */
    record RetrieveDocumentKey(H256 keyId, RawSignature signature) implements KeyRequest {}

    /** 6: {@code GET /shadow/{key_id}/{signature}}. */
    record RetrieveDocumentKeyShadows(H256 keyId, RawSignature signature) implements KeyRequest {}

    /** 7: {@code GET /schnorr/{key_id}/{signature}/{message_hash}}. */
    record SchnorrSign(H256 keyId, RawSignature signature, H256 messageHash) implements KeyRequest {}

    /** 8: {@code GET /ecdsa/{key_id}/{signature}/{message_hash}}. */
    record EcdsaSign(H256 keyId, RawSignature signature, H256 messageHash) implements KeyRequest {}

    /** 9: {@code POST /admin/servers_set_change/{old_set_signature}/{new_set_signature}} with the new set as body. */
    record ServersSetChange(RawSignature oldSetSignature, RawSignature newSetSignature, Set<PublicPoint> newServersSet)
            implements ApiRequest {
        public ServersSetChange {
            newServersSet = Set.copyOf(newServersSet);
        }
    }

    /**
     * Extension (not in {@code parity_strict} mode): {@code POST /admin/refresh_shares/{signature}} with an optional body,
     * a JSON array of key ids ({@code "0x"} + 64 hex); no body or {@code []} = every key the node holds. The signature is
     * the administrator's over {@code RefreshAuthorization.message(keyIds)} (docs/availability/refresh.md).
     */
    record RefreshShares(RawSignature signature, java.util.List<H256> keyIds) implements ApiRequest {
        public RefreshShares {
            keyIds = java.util.List.copyOf(keyIds);
        }
    }

    /**
     * Extension (not in {@code parity_strict} mode): {@code GET /cluster}, what a requester needs to make a fresh
     * authorization (docs/auth.md §3): the cluster id, the legacy policy, the clock rules and the node's time.
     */
    record ClusterInfo() implements ApiRequest {}
}
