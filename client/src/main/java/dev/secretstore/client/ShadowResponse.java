package dev.secretstore.client;

import dev.secretstore.crypto.PublicPoint;
import java.util.List;

/**
 * The answer of HTTP endpoint 6 (document key shadow retrieval): {@code decrypted_secret},
 * {@code common_point} and the {@code decrypt_shadows} (ECIES blobs to the requester).
 */
public record ShadowResponse(PublicPoint decryptedSecret, PublicPoint commonPoint, List<byte[]> decryptShadows) {
    public ShadowResponse {
        decryptShadows = List.copyOf(decryptShadows);
    }
}
