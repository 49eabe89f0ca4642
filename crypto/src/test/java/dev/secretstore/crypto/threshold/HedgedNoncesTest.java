package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** SEC-08: hedged nonces depend on secret, fresh randomness and context. */
class HedgedNoncesTest {
    /** An RNG that always returns zero bytes: hedging must still separate contexts and secrets. */
    static final class StuckRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;

        @Override
        public void nextBytes(byte[] bytes) {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    @Test
    void sec08_stuckRngStillGivesDistinctNoncesPerContextSecretAndIndex() {
        SecureRandom stuck = new StuckRandom();
        SecretScalar s1 = SecretScalar.of(Scalar.of(1));
        SecretScalar s2 = SecretScalar.of(Scalar.of(2));
        Scalar a = HedgedNonces.draw(s1, new byte[] {1}, 0, stuck).reveal();
        assertThat(HedgedNonces.draw(s1, new byte[] {1}, 0, stuck).reveal()).isEqualTo(a); // deterministic without entropy
        assertThat(HedgedNonces.draw(s1, new byte[] {2}, 0, stuck).reveal()).isNotEqualTo(a);
        assertThat(HedgedNonces.draw(s2, new byte[] {1}, 0, stuck).reveal()).isNotEqualTo(a);
        assertThat(HedgedNonces.draw(s1, new byte[] {1}, 1, stuck).reveal()).isNotEqualTo(a);
        // with a working RNG the same inputs give fresh values
        SecureRandom rng = ThresholdTestDriver.seeded(41);
        assertThat(HedgedNonces.draw(s1, new byte[] {1}, 0, rng).reveal()).isNotEqualTo(HedgedNonces.draw(s1, new byte[] {1}, 0, rng).reveal());
    }

    @Test
    void hedgedDealersRunAVerifiedGenerationAndHedgedZeroSharingsHaveZeroConstant() {
        SecureRandom rng = ThresholdTestDriver.seeded(42);
        IdNumbers ids = IdNumbers.random(ThresholdTestDriver.randomNodes(4, rng), rng);
        Map<PublicPoint, Dkg.Dealer> dealers = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint n : ids.nodes()) {
            dealers.put(n, Dkg.Dealer.createHedged(2, SecretScalar.random(rng), n.toBytes(), rng));
        }
        ThresholdTestDriver.Run run = ThresholdTestDriver.run(ids, 2, PedersenGenerator.H, dealers);
        List<PublicPoint> q = ids.nodes().subList(1, 4);
        assertThat(ThresholdTestDriver.reconstructPublic(ids, q, run.shares())).isEqualTo(run.publicKey());
        Polynomial z = Polynomial.randomHedged(4, true, SecretScalar.random(rng), new byte[] {9}, rng);
        assertThat(z.constantTerm().isZero()).isTrue();
        assertThat(z.feldman().points()).hasSize(4);
    }
}
