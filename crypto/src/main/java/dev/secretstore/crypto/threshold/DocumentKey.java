package dev.secretstore.crypto.threshold;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;

/**
 * Document key encryption (crypto.md §10.4, Parity {@code math.rs encrypt_secret}):
 * {@code C = k·G}, {@code E = M + k·Y} for random {@code k} (secret, constant-time
 * multiplications, destroyed after use).
 */
public final class DocumentKey {
    private DocumentKey() {}

    /**
     * A generated document key (HTTP endpoint 3): {@code M = m·G} for random {@code m} and its
     * encryption. {@code M} is the document key itself and must only go to the requester (ECIES).
     *
     * @param documentKey {@code M}
     * @param encrypted {@code (C, E)}
     */
    public record Generated(PublicPoint documentKey, EncryptedDocumentKey encrypted) {
        @Override
        public String toString() {
            return "DocumentKey.Generated[documentKey=redacted, encrypted=" + encrypted + "]";
        }
    }

    /** Encrypts a client-given document key {@code M} under server key {@code Y}. */
    public static EncryptedDocumentKey encrypt(PublicPoint documentKey, PublicPoint serverKey, SecureRandom rng) {
        SecretScalar k = SecretScalar.random(rng);
        try {
            return encrypt(documentKey, serverKey, k);
        } finally {
            k.destroy();
        }
    }

    /** With an injected {@code k} (known-answer vectors); does not destroy {@code k}. */
    static EncryptedDocumentKey encrypt(PublicPoint documentKey, PublicPoint serverKey, SecretScalar k) {
        PublicPoint c = k.mulG();
        PublicPoint e = documentKey.add(k.mul(serverKey)); // infinity (M = −k·Y) is ZERO_RESULT, negligible
        return new EncryptedDocumentKey(c, e);
    }

    /** Endpoint 3: draws {@code M = m·G} and encrypts it; {@code m} is destroyed. */
    public static Generated generate(PublicPoint serverKey, SecureRandom rng) {
        SecretScalar m = SecretScalar.random(rng);
        try {
            PublicPoint documentKey = m.mulG();
            return new Generated(documentKey, encrypt(documentKey, serverKey, rng));
        } finally {
            m.destroy();
        }
    }
}
