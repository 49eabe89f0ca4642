package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PublicPoint;

/**
 * The stored pair of a document key (crypto.md §10.4): common point {@code C = k·G} and encrypted
 * point {@code E = M + k·Y}. Public.
 *
 * @param commonPoint {@code C}
 * @param encryptedPoint {@code E}
 */
public record EncryptedDocumentKey(PublicPoint commonPoint, PublicPoint encryptedPoint) {
    public EncryptedDocumentKey {
        if (commonPoint == null || encryptedPoint == null) {
            throw NodeIds.invalid("common and encrypted point must be present");
        }
    }
}
