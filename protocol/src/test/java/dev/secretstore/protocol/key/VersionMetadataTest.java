package dev.secretstore.protocol.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.Keccak256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.protocol.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Version identity (issue #12): Parity's hash for generation and set change, a nonce-derived id otherwise. */
class VersionMetadataTest {
    private static final NodeId A = new NodeId(KeyPair.random().publicKey());
    private static final NodeId B = new NodeId(KeyPair.random().publicKey());
    private static final Map<NodeId, Scalar> IDS = Map.of(A, Scalar.of(3), B, Scalar.of(5));
    private static final List<PublicPoint> COMMITMENTS = List.of(SecretScalar.random().mulG(), SecretScalar.random().mulG());

    private static H256 nonce(int i) {
        byte[] b = new byte[32];
        b[0] = (byte) i;
        return H256.fromBytes(b);
    }

    @Test
    void withoutANonceTheIdIsParitysVersionHash() {
        Map<PublicPoint, Scalar> byKey = new HashMap<>();
        IDS.forEach((node, x) -> byKey.put(node.publicKey(), x));
        H256 parity = IdNumbers.validate(byKey.keySet(), byKey).versionHash(); // pinned by the crypto module's vectors
        VersionMetadata v = VersionMetadata.of(IDS, COMMITMENTS);
        assertThat(v.id()).isEqualTo(parity);
        assertThat(v.nonce()).isEmpty();
        assertThat(new KeyVersion(IDS, SecretScalar.random(), COMMITMENTS).hash()).isEqualTo(parity);
        assertThat(KeyVersion.versionHash(new TreeMap<>(IDS))).isEqualTo(parity);
    }

    @Test
    void aNonceGivesTheSameHoldersAnIdOfTheirOwn() {
        VersionMetadata v = VersionMetadata.withNonce(IDS, COMMITMENTS, nonce(1));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("secretstore/v1/key-version\0".getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(nonce(1).toBytes());
        new TreeMap<>(IDS).forEach((node, x) -> {
            expected.writeBytes(node.toBytes());
            expected.writeBytes(x.toBytes());
        });
        assertThat(v.id()).isEqualTo(H256.fromBytes(Keccak256.hash(expected.toByteArray())));
        assertThat(v.id()).isNotEqualTo(VersionMetadata.of(IDS, COMMITMENTS).id())
                .isNotEqualTo(VersionMetadata.withNonce(IDS, COMMITMENTS, nonce(2)).id())
                .isEqualTo(VersionMetadata.withNonce(IDS, List.of(COMMITMENTS.get(0)), nonce(1)).id());
        assertThat(v.nonce()).contains(nonce(1));
    }

    @Test
    void restoreRefusesAStoredIdThatIsNotDerived() {
        VersionMetadata v = VersionMetadata.withNonce(IDS, COMMITMENTS, nonce(1));
        assertThat(VersionMetadata.restore(v.id(), Optional.of(nonce(1)), IDS, COMMITMENTS)).isEqualTo(v);
        assertThatThrownBy(() -> VersionMetadata.restore(v.id(), Optional.empty(), IDS, COMMITMENTS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionMetadata.restore(v.id(), Optional.of(nonce(2)), IDS, COMMITMENTS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionMetadata.restore(v.id(), Optional.of(nonce(1)), Map.of(A, Scalar.of(3)), COMMITMENTS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sec11_ownShareIsCheckedAgainstTheCommitmentsAndHolders() {
        SecretScalar f0 = SecretScalar.random();
        SecretScalar f1 = SecretScalar.random();
        SecretScalar shareA = f0.add(f1.mul(Scalar.of(3)));
        KeyVersion v = new KeyVersion(IDS, shareA, List.of(f0.mulG(), f1.mulG()));
        H256 keyId = nonce(9);
        assertThat(OwnShare.verify(A, keyId, v).share()).isEqualTo(shareA);
        assertThatThrownBy(() -> OwnShare.verify(B, keyId, v)).hasMessageContaining("SEC-11"); // A's share, not B's
        NodeId outsider = new NodeId(KeyPair.random().publicKey());
        assertThatThrownBy(() -> OwnShare.verify(outsider, keyId, v)).hasMessageContaining("not a holder");
        // a memo that vouches skips the multiplications, never the holder check
        OwnShare.Memo vouches = new OwnShare.Memo() {
            @Override
            public boolean passedBefore() {
                return true;
            }

            @Override
            public void passed() {}
        };
        assertThatThrownBy(() -> OwnShare.verify(outsider, keyId, v, vouches)).hasMessageContaining("not a holder");
    }
}
