package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node-side one-shot nonce guard (crypto.md §11.4; SEC-08, SEC-13). */
class SchnorrNonceTest {
    static final H256 MH = H256.fromHex("00".repeat(31) + "42");
    static final H256 OTHER = H256.fromHex("00".repeat(31) + "43");

    @Test
    void sec08_secondPartialForTheSameNonceIsRefused() {
        SecureRandom rng = ThresholdTestDriver.seeded(21);
        ThresholdTestDriver.Run run = ThresholdTestDriver.run(IdNumbers.random(ThresholdTestDriver.randomNodes(3, rng), rng), 1, PedersenGenerator.H, rng);
        List<PublicPoint> group = run.ids().nodes().subList(0, 2);
        PublicPoint self = group.get(0);
        SchnorrNonce nonce = SchnorrNonce.create(MH, SecretScalar.random(rng));
        PublicPoint r = nonce.commitment().add(SecretScalar.random(rng).mulG());
        nonce.partialSign(MH, r, run.ids(), group, 1, self, run.share(self));
        assertThat(nonce.isUsed()).isTrue();
        // a different group (different λ') with the same nonce would reveal s_i: refused
        List<PublicPoint> otherGroup = List.of(self, run.ids().nodes().get(2));
        assertThatThrownBy(() -> nonce.partialSign(MH, r, run.ids(), otherGroup, 1, self, run.share(self)))
                .isInstanceOf(CryptoException.class)
                .hasMessageContaining("SEC-08");
    }

    @Test
    void sec13_differentMessageHashIsRefusedAndBurnsTheNonce() {
        SecureRandom rng = ThresholdTestDriver.seeded(22);
        ThresholdTestDriver.Run run = ThresholdTestDriver.run(IdNumbers.random(ThresholdTestDriver.randomNodes(2, rng), rng), 1, PedersenGenerator.H, rng);
        List<PublicPoint> group = run.ids().nodes();
        PublicPoint self = group.get(0);
        SchnorrNonce nonce = SchnorrNonce.create(MH, SecretScalar.random(rng));
        PublicPoint r = nonce.commitment().add(SecretScalar.random(rng).mulG());
        assertThatThrownBy(() -> nonce.partialSign(OTHER, r, run.ids(), group, 1, self, run.share(self)))
                .isInstanceOf(CryptoException.class)
                .hasMessageContaining("SEC-13");
        // the nonce is destroyed on any failure: even the right message is refused afterwards
        assertThatThrownBy(() -> nonce.partialSign(MH, r, run.ids(), group, 1, self, run.share(self)))
                .isInstanceOf(CryptoException.class);
        assertThat(nonce.isDestroyed()).isTrue();
        assertThat(nonce.toString()).doesNotContain("SecretScalar[").contains("redacted");
    }
}
