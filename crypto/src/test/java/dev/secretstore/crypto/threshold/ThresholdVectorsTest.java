package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Known-answer tests: test-vectors.md B.1–B.7 (synthetic 2-of-3, t = 1) and A.5; crypto.md §10.3.3 (SEC-09). */
class ThresholdVectorsTest {
    // ---- B.1 setting
    static final PublicPoint N0 = node(0x11);
    static final PublicPoint N1 = node(0x22);
    static final PublicPoint N2 = node(0x33);
    static final List<PublicPoint> NODES = List.of(N0, N1, N2);
    static final int T = 1;
    static final PublicPoint H_VECTORS = g(0x5005);
    static final IdNumbers IDS = IdNumbers.validate(NODES, Map.of(N0, Scalar.of(0x0a), N1, Scalar.of(0x0b), N2, Scalar.of(0x0c)));
    static final H256 MH = H256.fromHex("0000000000000000000000000000000000000000000000000000000000000042");

    static PublicPoint node(int digit) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) digit);
        return KeyPair.fromSecretBytes(b).publicKey();
    }

    static PublicPoint g(long k) {
        return SecretScalar.of(Scalar.of(k)).mulG();
    }

    static SecretScalar sec(long v) {
        return SecretScalar.of(Scalar.of(v));
    }

    static ThresholdTestDriver.Run keyGeneration() {
        Map<PublicPoint, Dkg.Dealer> dealers = new TreeMap<>(NodeIds.ORDER);
        for (int i = 0; i < 3; i++) {
            dealers.put(NODES.get(i), Dkg.Dealer.of(Polynomial.ofPublic(false, 0x1001 + 10 * i, 0x2002 + 10 * i),
                    Polynomial.ofPublic(false, 0x3003 + 10 * i, 0x4004 + 10 * i)));
        }
        return ThresholdTestDriver.run(IDS, T, H_VECTORS, dealers);
    }

    @Test
    void pedersenGeneratorH_recomputedFromDefinition() {
        // SEC-09: the fixed H of crypto.md §10.3.3, recomputed from the try-and-increment definition
        PublicPoint h = PedersenGenerator.derive("secretstore/v1/pedersen-h");
        assertThat(Hex.encode(h.x())).isEqualTo("4cd5e456bea252d9c0169d15189811627459e97552714bc4bf1458acc4c7b8d3");
        assertThat(h.toHex().substring(64)).isEqualTo("587fd285f7ddffc1e48ef569281a621a4cd1582cbc9a8b1b58c5c6be4bef5a08");
        assertThat(h.isYOdd()).isFalse();
        assertThat(PedersenGenerator.H).isEqualTo(h);
    }

    @Test
    void vectorB2_keyGeneration() {
        assertThat(H_VECTORS.toHex()).isEqualTo(
                "7cdcaef67e477fca8fe105bc67fab43132747330468be11bb62bdfe8734de17e4d1abf027d8bc6babafd7d451dbea56681c931331e518985bab9015ebc0d92a8");
        ThresholdTestDriver.Run run = keyGeneration();
        // Pedersen C_0 (abbreviated in the source: first and last 4 bytes of each entry)
        CommitmentVector c0 = run.pedersen().get(N0);
        assertThat(c0.get(0).toHex()).startsWith("1c873b9c").endsWith("31c3");
        assertThat(c0.get(1).toHex()).startsWith("5063eec2").endsWith("d638");
        // dealer publics f_i[0]·G (abbreviated)
        assertThat(run.feldman().get(N0).get(0).toHex()).startsWith("22ca5039").endsWith("11e8");
        assertThat(run.feldman().get(N1).get(0).toHex()).startsWith("74074d05").endsWith("574d");
        assertThat(run.feldman().get(N2).get(0).toHex()).startsWith("202b13ea").endsWith("cba0");
        assertThat(run.share(N0).reveal()).isEqualTo(Scalar.of(0x3f189));
        assertThat(run.share(N1).reveal()).isEqualTo(Scalar.of(0x451ad));
        assertThat(run.share(N2).reveal()).isEqualTo(Scalar.of(0x4b1d1));
        assertThat(run.publicKey().toHex()).isEqualTo(
                "efc7519f4676989aa12d823e8e49b1de96397ca211fe729ccf0fd67bbc6d6a743f304e50be6dc6f1b7c7997904ae38ffed11a253778d029413a98547e3b889d5");
        assertThat(run.publicKey()).isEqualTo(g(0x3021));
        assertThat(IDS.nodes()).containsExactly(N2, N1, N0);
        assertThat(IDS.versionHash().toHex()).isEqualTo("e3262c61ed265fcb475995df187d48be39347646684377729037888244b77514");
        // public shares from the aggregated vector equal s_i·G
        for (PublicPoint n : NODES) {
            assertThat(run.key().publicShare(IDS.of(n))).isEqualTo(run.share(n).mulG());
        }
    }
}
