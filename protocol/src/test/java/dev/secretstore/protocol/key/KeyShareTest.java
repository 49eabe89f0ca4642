package dev.secretstore.protocol.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SEC-26: requests use the newest committed version that has enough reachable holders. */
class KeyShareTest {
    private static final NodeId A = node(), B = node(), C = node(), D = node();

    private static NodeId node() {
        return new NodeId(KeyPair.random().publicKey());
    }

    private static KeyVersion version(NodeId... holders) {
        Map<NodeId, Scalar> ids = new HashMap<>();
        for (int i = 0; i < holders.length; i++) ids.put(holders[i], Scalar.of(i + 1));
        SecretScalar f0 = SecretScalar.random();
        return new KeyVersion(ids, SecretScalar.random(), List.of(f0.mulG(), SecretScalar.random().mulG()));
    }

    private final KeyVersion old = version(A, B, C);
    private final KeyVersion newer = version(A, D, C);
    private final KeyShare share = new KeyShare(H256.fromBytes(new byte[32]), Address.fromBytes(new byte[20]), 1,
            old.commitments().get(0), Optional.empty(), List.of(old, newer));

    @Test
    void theLatestVersionIsTheLastCommitted() {
        assertThat(share.latestVersion()).isSameAs(newer);
        assertThat(share.metadata().latestVersion()).isEqualTo(newer.metadata());
    }

    @Test
    void metadataIsTheShareWithoutItsSecrets() {
        KeyMetadata m = share.metadata();
        assertThat(m.versions()).containsExactly(old.metadata(), newer.metadata());
        assertThat(m.version(old.id())).contains(old.metadata());
        assertThat(m.author()).isEqualTo(share.author());
        assertThat(m.publicKey()).isEqualTo(share.publicKey());
    }
}
