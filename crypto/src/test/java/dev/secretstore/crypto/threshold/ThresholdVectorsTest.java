package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
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

    static ProofContext ctx(PublicPoint prover) {
        return new ProofContext(H256.fromHex("01".repeat(32)), H256.fromHex("02".repeat(32)), H256.fromHex("03".repeat(32)), prover);
    }

    static final EncryptedDocumentKey DOC = new EncryptedDocumentKey(
            PublicPoint.fromHex("7525d8e66c44ad84f6d5f785e26f6936be264a859278086502173085febc5b8b82b09a4d480f27689f04fa61ffeb71aeebdb39023161cbd4502f0ef2b29acf88"),
            PublicPoint.fromHex("b82b20b3fc8cd620aead8b262b93aa3a4761e1b306edb5010be337cac2f00a76f1443e59ee57fb28a325cfe756254d42b958ddddd2381dfaa285f2dc4c1a8ed9"));
    static final PublicPoint M = PublicPoint.fromHex(
            "9f004a5bab5dd55346dbdf50832f100c3ce460bb2c2ace8016ade927f863bb5594e63587517696bed1609bfb513979446d772f696608235fadd439623c4fa634");

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

    @Test
    void vectorB3_documentKeyEncryption() {
        assertThat(g(0x6006)).isEqualTo(M);
        assertThat(Hex.encode(M.toBytes()).substring(0, 32)).isEqualTo("9f004a5bab5dd55346dbdf50832f100c");
        EncryptedDocumentKey enc = DocumentKey.encrypt(M, keyGeneration().publicKey(), sec(0x7007));
        assertThat(enc).isEqualTo(DOC);
    }

    @Test
    void vectorB4_decryption() {
        ThresholdTestDriver.Run run = keyGeneration();
        List<PublicPoint> group = List.of(N0, N1);
        SecretScalar a = sec(0x8008);
        assertThat(Decryption.nodeShadow(run.share(N0), Lagrange.unsigned(IDS, group, N0)).reveal())
                .isEqualTo(Scalar.fromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd00ae05e"));
        assertThat(Decryption.nodeShadow(run.share(N1), Lagrange.unsigned(IDS, group, N1)).reveal())
                .isEqualTo(Scalar.fromHex("2b30c2"));
        SecureRandom rng = ThresholdTestDriver.seeded(4);
        Decryption.Share p0 = Decryption.nodeShare(ctx(N0), IDS, group, T, run.share(N0), a, DOC.commonPoint(), rng);
        Decryption.Share p1 = Decryption.nodeShare(ctx(N1), IDS, group, T, run.share(N1), a, DOC.commonPoint(), rng);
        assertThat(p0.shadowPoint().toHex()).isEqualTo(
                "ec798955066900cfb3831c72b4784b77102aa3eb62e1c0a54f110b2a4a65de693257c3f8668fe4cabbe7ee6a56ea59e8d7c3a210c7ed9702011e940caf435502");
        assertThat(p1.shadowPoint().toHex()).isEqualTo(
                "7589dfe7d9ed4bb697ca7bfed360e8c6c0f48cc6d512c0754db2533931292d1cd42eaf721b82c95fa8a88b0677502353c0f8170eafea3a5fc4b24309f00e829a");
        // master side: §11.2 non-shadow proofs verify against the stored commitments
        Decryption.verifyShare(ctx(N0), IDS, group, run.key(), Decryption.AccessPoint.of(a, DOC.commonPoint()), p0);
        Decryption.verifyShare(ctx(N1), IDS, group, run.key(), Decryption.AccessPoint.of(a, DOC.commonPoint()), p1);
        assertThat(Decryption.combine(DOC, a, T, Map.of(N0, p0, N1, p1))).isEqualTo(M);
    }

    @Test
    void vectorB5_shadowDecryption() {
        ThresholdTestDriver.Run run = keyGeneration();
        List<PublicPoint> group = List.of(N0, N1);
        SecretScalar a = sec(0x8008);
        SecureRandom rng = ThresholdTestDriver.seeded(5);
        Decryption.ShadowOutput o0 = Decryption.nodeShadowShareWithDelta(ctx(N0), IDS, group, T, run.share(N0), a, DOC.commonPoint(), sec(0x9009), rng);
        Decryption.ShadowOutput o1 = Decryption.nodeShadowShareWithDelta(ctx(N1), IDS, group, T, run.share(N1), a, DOC.commonPoint(), sec(0xa00a), rng);
        assertThat(o0.decryptShadow().reveal()).isEqualTo(Scalar.fromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e74685b8a29"));
        assertThat(o1.decryptShadow().reveal()).isEqualTo(Scalar.fromHex("1afffdf6d2"));
        for (PublicPoint n : group) {
            Decryption.ShadowOutput o = n.equals(N0) ? o0 : o1;
            Decryption.verifyShadowShare(ctx(n), IDS, group, run.key(), Decryption.AccessPoint.of(a, DOC.commonPoint()), o.toMaster());
        }
        Decryption.ShadowResult res = Decryption.combineShadow(DOC, a, T, Map.of(N0, o0.toMaster(), N1, o1.toMaster()));
        assertThat(res.decryptedSecret().toHex()).isEqualTo(
                "373a4fb7844436c3f63e87443b295ad5083a56dc2634d99dd43ffd1ac0942d19113be9d591e7b641d2015db2fe3ab22f7f287a54d9130794501e9b7a71b7d093");
        assertThat(res.commonPoint().toHex()).isEqualTo(
                "7525d8e66c44ad84f6d5f785e26f6936be264a859278086502173085febc5b8b7d4f65b2b7f0d89760fb059e00148e511424c6fdce9e342bafd0f10c4d652ca7");
        assertThat(res.commonPoint()).isEqualTo(DOC.commonPoint().negate()); // t odd: −C
        assertThat(Decryption.clientCombine(res.decryptedSecret(), res.commonPoint(), List.of(o0.decryptShadow(), o1.decryptShadow())))
                .isEqualTo(M);
        // SEC-12: a changed shadow point P_i no longer verifies, and the culprit is named
        Decryption.ShadowShare forged = new Decryption.ShadowShare(o1.toMaster().shadowPoint().add(PublicPoint.generator()),
                o1.toMaster().w(), o1.toMaster().proof());
        assertThatThrownBy(() -> Decryption.verifyShadowShare(ctx(N1), IDS, group, run.key(), Decryption.AccessPoint.of(a, DOC.commonPoint()), forged))
                .isInstanceOf(CryptoException.class)
                .hasMessageContaining(NodeIds.label(N1))
                .extracting(e -> ((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.VERIFICATION_FAILED);
    }

    @Test
    void vectorB6_schnorr() {
        ThresholdTestDriver.Run run = keyGeneration();
        List<PublicPoint> group = List.of(N0, N1);
        SchnorrNonce n0 = SchnorrNonce.create(MH, sec(0xb00b));
        SchnorrNonce n1 = SchnorrNonce.create(MH, sec(0xc00c));
        PublicPoint r = Schnorr.aggregateNonce(List.of(n0.commitment(), n1.commitment()));
        assertThat(r.toHex()).isEqualTo(
                "2045ea99361ebb3a5c397b2f778efe787f279641709dae568421a6683020a398fe9d155bbbfa58e3dc1f690285c6128ce176d258557026e1e056e63e8f1ef8bc");
        Scalar c = Schnorr.challenge(MH, r);
        assertThat(c).isEqualTo(Scalar.fromHex("8b911551e37e221ea2ac27e5e25f8b7b69664d453d86a2bb226a44f78433ef9f"));
        Scalar ps0 = n0.partialSign(MH, r, IDS, group, T, N0, run.share(N0));
        Scalar ps1 = n1.partialSign(MH, r, IDS, group, T, N1, run.share(N1));
        assertThat(ps0).isEqualTo(Scalar.fromHex("419a2ce43f36eeea7ec56438032048612a1dcc41a9546507ab8eef0ff1ec397f"));
        assertThat(ps1).isEqualTo(Scalar.fromHex("8cb2b8e5c720eca2418e5cb3e467779a09fe2ff3fdaa6a58ca5cf77e3639ead7"));
        // §11.4 per-partial check (t odd: ps_i·G = R_i + c·λ'_i·Y_i)
        Schnorr.verifyPartial(N0, ps0, IDS, group, run.key(), g(0xb00b), c);
        Schnorr.verifyPartial(N1, ps1, IDS, group, run.key(), g(0xc00c), c);
        SchnorrSignature sig = Schnorr.combine(MH, IDS, group, run.key(), Map.of(N0, ps0, N1, ps1), Map.of(N0, g(0xb00b), N1, g(0xc00c)));
        assertThat(sig.s()).isEqualTo(Scalar.fromHex("ce4ce5ca0657db8cc053c0ebe787bffb341bfc35a6fecf6075ebe68e28262456"));
        assertThat(sig.c()).isEqualTo(c);
        assertThat(Schnorr.verify(run.publicKey(), MH, sig)).isTrue();
        assertThat(n0.isUsed()).isTrue();
    }

    @Test
    void vectorB7_ecdsa() {
        ThresholdTestDriver.Run run = keyGeneration();
        List<PublicPoint> group = NODES;
        // nested sharings among Q with the key's id numbers
        Map<PublicPoint, Dkg.Dealer> nonceDealers = new TreeMap<>(NodeIds.ORDER);
        Map<PublicPoint, Dkg.Dealer> invDealers = new TreeMap<>(NodeIds.ORDER);
        Map<PublicPoint, Polynomial> zeroPolys = new TreeMap<>(NodeIds.ORDER);
        for (int i = 0; i < 3; i++) {
            nonceDealers.put(NODES.get(i), Dkg.Dealer.of(Polynomial.ofPublic(false, 0xd00d + i, 0xe00e + i), Polynomial.ofPublic(false, 1, 2)));
            invDealers.put(NODES.get(i), Dkg.Dealer.of(Polynomial.ofPublic(false, 0xf00f + i, 0x1010 + i), Polynomial.ofPublic(false, 3, 4)));
            zeroPolys.put(NODES.get(i), Polynomial.ofPublic(true, 0, 0x1111 + i, 0x1212 + i));
        }
        ThresholdTestDriver.Run nonce = ThresholdTestDriver.run(IDS, T, PedersenGenerator.H, nonceDealers);
        ThresholdTestDriver.Run inv = ThresholdTestDriver.run(IDS, T, PedersenGenerator.H, invDealers);
        ThresholdTestDriver.ZeroRun zero = ThresholdTestDriver.runZero(IDS, 2 * T, zeroPolys);

        SecureRandom rng = ThresholdTestDriver.seeded(7);
        Map<PublicPoint, ThresholdEcdsa.NonceShares> ns = new TreeMap<>(NodeIds.ORDER);
        Map<PublicPoint, Scalar> us = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint n : group) {
            ns.put(n, ThresholdEcdsa.NonceShares.of(nonce.share(n).copy(), inv.share(n).copy(), zero.shares().get(n).copy()));
            ThresholdEcdsa.UShare u = ns.get(n).computeU(ctx(n), rng);
            ThresholdEcdsa.verifyU(ctx(n), IDS, nonce.key(), inv.key(), zero.aggregate(), u);
            us.put(n, u.u());
        }
        assertThat(us.get(N0)).isEqualTo(Scalar.fromHex("86c0a53ec8"));
        assertThat(us.get(N1)).isEqualTo(Scalar.fromHex("98fad801bc"));
        assertThat(us.get(N2)).isEqualTo(Scalar.fromHex("ac3227e310"));
        Scalar uInv = ThresholdEcdsa.invertU(IDS, group, T, us);
        assertThat(uInv).isEqualTo(Scalar.fromHex("008cb495da569b5df5afcd614090262e2a23a8547eafc4b20ca90e4c445454b0"));
        PublicPoint bigR = nonce.publicKey();
        Map<PublicPoint, Scalar> ss = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint n : group) {
            ss.put(n, ns.get(n).signatureShare(uInv, bigR, MH, run.share(n)));
            assertThat(ns.get(n).isDestroyed()).isTrue();
        }
        assertThat(ss.get(N0)).isEqualTo(Scalar.fromHex("2c67260aa8f3151f817b536cdad028177355694f798eb75e60b5ec921fadd71a"));
        assertThat(ss.get(N1)).isEqualTo(Scalar.fromHex("ee8232bd57e5aa3ff75efd6a0895bc7b3022f23e1373ac769249df54095f8d1b"));
        assertThat(ss.get(N2)).isEqualTo(Scalar.fromHex("f0c25af61c1aecfac0530539e06a61c56ca0225fa342e33daa690924968bf0db"));
        ThresholdEcdsaSignature sig = ThresholdEcdsa.combineSignature(IDS, group, T, ss, bigR, MH, run.publicKey());
        assertThat(Hex.encode(sig.toBytes())).isEqualTo(
                "ad509b3f25919509803c039134a3b8fc06b9db1769ee4643ca6ca87d4e0c0b315f5190de64cc8e02bf1ad7cb9a54fd793d834417d8d7ec6fb01b5e17f87a8c8a01");
        assertThat(ThresholdEcdsa.verify(run.publicKey(), MH, sig)).isTrue();
        // crypto.md §10.8 step 6 / §11.5: the serialized signature recovers to Y with the raw recovery of §4.
        assertThat(dev.secretstore.crypto.Ecdsa.recover(dev.secretstore.crypto.RecoverableSignature.fromBytes(sig.toBytes()), MH))
                .isEqualTo(run.publicKey());
        // the wrong recovery id does not verify
        assertThat(ThresholdEcdsa.verify(run.publicKey(), MH, new ThresholdEcdsaSignature(sig.r(), sig.s(), sig.v() ^ 1))).isFalse();
    }

    @Test
    void vectorA5_shadowCombination() {
        PublicPoint decryptedSecret = PublicPoint.fromHex(
                "843645726384530ffb0c52f175278143b5a93959af7864460f5a4fec9afd1450cfb8aef63dec90657f43f55b13e0a73c7524d4e9a13c051b4e5f1e53f39ecd91");
        PublicPoint commonPoint = PublicPoint.fromHex(
                "07230e34ebfe41337d3ed53b186b3861751f2401ee74b988bba55694e2a6f60c757677e194be2e53c3523cc8548694e636e6acb35c4e8fdc5e29d28679b9b2f3");
        SecretScalar d = SecretScalar.fromBytes(Hex.decode("46f542416216f66a7d7881f5a283d2a1ab7a87b381cbc5f29d0b093c7c89ee31"));
        PublicPoint m = Decryption.clientCombine(decryptedSecret, commonPoint, List.of(d));
        assertThat(m.toHex()).isEqualTo(
                "ae21625d668151fc963bf5756622fbdf99946763c30cbcb79dda77430eb94dfdabaa65cacc0556b6b9a03667c67097c442b268796e22af16090b67d7c2241c3a");
        assertThat(Hex.encode(m.toBytes()).substring(0, 32)).isEqualTo("ae21625d668151fc963bf5756622fbdf");
    }
}
