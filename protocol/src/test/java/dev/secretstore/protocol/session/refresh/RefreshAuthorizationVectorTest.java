package dev.secretstore.protocol.session.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SEC-24, SEC-32: the refresh parameter field (the message an administrator signs for a share refresh, and the params
 * of operation 10) reproduces the vector of docs/auth.md §2, computed by the independent docs/auth-vector.py.
 */
class RefreshAuthorizationVectorTest {
    @Test
    void refreshMessageMatchesTheDocumentedVector() {
        // input order does not matter: the key ids are sorted before hashing
        H256 message = RefreshAuthorization.message(List.of(H256.keccak("other key".getBytes()), H256.keccak("key".getBytes())));
        assertThat(message.toHex()).isEqualTo("2fd5fd0aabb736491bbe2c92fe4972c10cf4201490cb190b5d3ce3cb3d0a06eb");
    }
}
