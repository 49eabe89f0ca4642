package dev.secretstore.client;

import dev.secretstore.crypto.PublicPoint;
import java.util.List;
import java.util.Objects;

/**
 * The answer of HTTP endpoint 6 (document key shadow retrieval): {@code decrypted_secret},
 * {@code common_point} and the {@code decrypt_shadows} (ECIES blobs to the requester), and, from a key server
 * that offers them (SEC-33), one {@link Check} per shadow in the same order; empty from a server that does not
 * (a Parity node).
 */
public record ShadowResponse(PublicPoint decryptedSecret, PublicPoint commonPoint, List<byte[]> decryptShadows, List<Check> checks) {
    public ShadowResponse {
        decryptShadows = List.copyOf(decryptShadows);
        checks = List.copyOf(checks);
        if (!checks.isEmpty() && checks.size() != decryptShadows.size()) {
            throw new IllegalArgumentException("one check per decrypt shadow");
        }
    }

    /** An answer without check data. */
    public ShadowResponse(PublicPoint decryptedSecret, PublicPoint commonPoint, List<byte[]> decryptShadows) {
        this(decryptedSecret, commonPoint, decryptShadows, List.of());
    }

    /**
     * The key server {@code node} (its node id, a public key) sent a shadow {@code d} and proved {@code proved = d·G}
     * to the master; a decrypted shadow that does not match names {@code node}.
     */
    public record Check(PublicPoint node, PublicPoint proved) {
        public Check {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(proved, "proved");
        }
    }
}
