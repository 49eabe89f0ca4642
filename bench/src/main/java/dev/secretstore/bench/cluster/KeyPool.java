package dev.secretstore.bench.cluster;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.key.DocumentKey;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Existing keys a workload draws from (indices {@code 0 … size−1}), with what a correct answer must match:
 * the server key Y, the document key M (for keys that have one) and an encryption (C, E) of a document key
 * under Y for storing one.
 */
public record KeyPool(long size, LongFunction<H256> keyId, LongFunction<PublicPoint> serverKey, LongFunction<PublicPoint> documentKey,
                      LongFunction<DocumentKey> encryptedDocumentKey) {

    /** Keys dealt by {@link SeededKeys}. */
    static KeyPool seeded(SeededKeys keys, long size) {
        return new KeyPool(size, keys::keyId, keys::serverKey, keys::documentKey, keys::encryptedDocumentKey);
    }

    /** One key made through the HTTP API of a remote cluster. */
    record Made(H256 keyId, PublicPoint serverKey, PublicPoint documentKey, DocumentKey encrypted) {}

    /** Keys made through the API (remote clusters, {@code --url}). */
    static KeyPool of(List<Made> keys) {
        List<Made> list = List.copyOf(keys);
        return new KeyPool(list.size(), i -> list.get((int) i).keyId(), i -> list.get((int) i).serverKey(),
                i -> list.get((int) i).documentKey(), i -> list.get((int) i).encrypted());
    }
}
