package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests over random keys and thresholds {@code 1 ≤ t < n ≤ 10} (bounded so the
 * module stays fast). Every run goes through the full verification path of each protocol.
 */
class ThresholdPropertiesTest {
    static final int CASES = 4;

    record Setting(int t, int n, IdNumbers ids, ThresholdTestDriver.Run run, SecureRandom rng, Random pick) {
        List<PublicPoint> randomGroup(int size) {
            List<PublicPoint> all = new ArrayList<>(ids.nodes());
            Collections.shuffle(all, pick);
            return List.copyOf(all.subList(0, size));
        }
    }

    /** Random (t, n) with 1 ≤ t < n ≤ 10 and optionally 2t < n; DKG run with the production H. */
    static Setting setting(long seed, boolean honestMajority) {
        SecureRandom rng = ThresholdTestDriver.seeded(seed);
        Random pick = new Random(seed);
        int n = honestMajority ? 3 + pick.nextInt(8) : 2 + pick.nextInt(9);
        int t = honestMajority ? 1 + pick.nextInt((n - 1) / 2) : 1 + pick.nextInt(n - 1);
        IdNumbers ids = IdNumbers.random(ThresholdTestDriver.randomNodes(n, rng), rng);
        return new Setting(t, n, ids, ThresholdTestDriver.run(ids, t, PedersenGenerator.H, rng), rng, pick);
    }

    static ProofContext ctx(PublicPoint prover, long attempt) {
        return new ProofContext(H256.fromHex("11".repeat(32)), H256.fromHex("22".repeat(32)), H256.keccak(Scalar.of(attempt).toBytes()), prover);
    }

    @Test
    void dkg_anyTPlusOneSharesReconstruct_andTDoNot() {
        for (long seed = 100; seed < 100 + CASES; seed++) {
            Setting s = setting(seed, false);
            PublicPoint y = s.run().publicKey();
            for (int rep = 0; rep < 3; rep++) {
                List<PublicPoint> q = s.randomGroup(s.t() + 1);
                assertThat(ThresholdTestDriver.reconstructPublic(s.ids(), q, s.run().shares())).as("t=%d n=%d", s.t(), s.n()).isEqualTo(y);
                List<PublicPoint> tooFew = q.subList(0, s.t());
                assertThat(ThresholdTestDriver.reconstructPublic(s.ids(), tooFew, s.run().shares())).isNotEqualTo(y);
            }
            for (PublicPoint m : s.ids().nodes()) {
                assertThat(s.run().key().publicShare(s.ids().of(m))).isEqualTo(s.run().share(m).mulG());
            }
        }
    }

    @Test
    void decryption_shadowAndPlainReturnTheDocumentKey() {
        for (long seed = 200; seed < 200 + CASES; seed++) {
            Setting s = setting(seed, false);
            PublicPoint m = SecretScalar.random(s.rng()).mulG();
            EncryptedDocumentKey doc = DocumentKey.encrypt(m, s.run().publicKey(), s.rng());
            List<PublicPoint> q = s.randomGroup(s.t() + 1);
            SecretScalar a = SecretScalar.random(s.rng());
            Map<PublicPoint, Decryption.Share> plain = new TreeMap<>(NodeIds.ORDER);
            Map<PublicPoint, Decryption.ShadowShare> shadow = new TreeMap<>(NodeIds.ORDER);
            List<SecretScalar> ds = new ArrayList<>();
            for (PublicPoint i : q) {
                Decryption.Share p = Decryption.nodeShare(ctx(i, seed), s.ids(), q, s.t(), s.run().share(i), a, doc.commonPoint(), s.rng());
                Decryption.verifyShare(ctx(i, seed), s.ids(), q, s.run().key(), Decryption.AccessPoint.of(a, doc.commonPoint()), p);
                plain.put(i, p);
                Decryption.ShadowOutput o = Decryption.nodeShadowShare(ctx(i, seed), s.ids(), q, s.t(), s.run().share(i), a, doc.commonPoint(), s.rng());
                Decryption.verifyShadowShare(ctx(i, seed), s.ids(), q, s.run().key(), Decryption.AccessPoint.of(a, doc.commonPoint()), o.toMaster());
                assertThat(o.decryptShadow().isZero()).isFalse();
                shadow.put(i, o.toMaster());
                ds.add(o.decryptShadow());
            }
            assertThat(Decryption.combine(doc, a, s.t(), plain)).isEqualTo(m);
            Decryption.ShadowResult r = Decryption.combineShadow(doc, a, s.t(), shadow);
            assertThat(r.commonPoint()).isEqualTo(s.t() % 2 == 0 ? doc.commonPoint() : doc.commonPoint().negate());
            assertThat(Decryption.clientCombine(r.decryptedSecret(), r.commonPoint(), ds)).isEqualTo(m);
        }
    }

    /** Runs a Schnorr signing among a random t+1 group with a nested nonce generation; the master's combine verifies. */
    static SchnorrSignature schnorr(Setting s, H256 mh) {
        List<PublicPoint> q = s.randomGroup(s.t() + 1);
        IdNumbers nestedIds = ThresholdTestDriver.restrict(s.ids(), q);
        ThresholdTestDriver.Run nonceGen = ThresholdTestDriver.run(nestedIds, s.t(), PedersenGenerator.H, s.rng());
        Map<PublicPoint, PublicPoint> commitments = Schnorr.nonceCommitments(nonceGen.feldman(), s.t()); // R_i = A_{i,0}
        Map<PublicPoint, SchnorrNonce> nonces = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint i : q) {
            nonces.put(i, SchnorrNonce.create(mh, nonceGen.dealers().get(i).freeCoefficient()));
            assertThat(nonces.get(i).commitment()).isEqualTo(commitments.get(i));
        }
        PublicPoint r = Schnorr.aggregateNonce(commitments.values());
        assertThat(r).isEqualTo(nonceGen.publicKey());
        Map<PublicPoint, Scalar> partials = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint i : q) {
            partials.put(i, nonces.get(i).partialSign(mh, r, s.ids(), q, s.t(), i, s.run().share(i)));
        }
        return Schnorr.combine(mh, s.ids(), q, s.run().key(), partials, commitments);
    }

    @Test
    void schnorr_resultsVerifyUnderY() {
        for (long seed = 300; seed < 300 + CASES; seed++) {
            Setting s = setting(seed, false);
            H256 mh = H256.keccak(Scalar.of(seed).toBytes());
            SchnorrSignature sig = schnorr(s, mh);
            assertThat(Schnorr.verify(s.run().publicKey(), mh, sig)).isTrue();
            assertThat(Schnorr.verify(s.run().publicKey(), H256.keccak(mh.toBytes()), sig)).isFalse();
            assertThat(SchnorrSignature.fromBytes(sig.toBytes())).isEqualTo(sig);
        }
    }

    /** Full ECDSA run among a random 2t+1 group; the master's combine verifies the result. */
    static ThresholdEcdsaSignature ecdsa(Setting s, H256 mh, long attempt) {
        List<PublicPoint> q = ThresholdEcdsa.requireGroup(s.ids(), s.randomGroup(2 * s.t() + 1), s.t());
        IdNumbers nestedIds = ThresholdTestDriver.restrict(s.ids(), q);
        ThresholdTestDriver.Run k = ThresholdTestDriver.run(nestedIds, s.t(), PedersenGenerator.H, s.rng());
        ThresholdTestDriver.Run e = ThresholdTestDriver.run(nestedIds, s.t(), PedersenGenerator.H, s.rng());
        ThresholdTestDriver.ZeroRun z = ThresholdTestDriver.runZero(nestedIds, 2 * s.t(), s.rng());
        Map<PublicPoint, ThresholdEcdsa.NonceShares> ns = new TreeMap<>(NodeIds.ORDER);
        Map<PublicPoint, Scalar> us = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint i : q) {
            ns.put(i, ThresholdEcdsa.NonceShares.of(k.share(i).copy(), e.share(i).copy(), z.shares().get(i).copy()));
            ThresholdEcdsa.UShare u = ns.get(i).computeU(ctx(i, attempt), s.rng());
            ThresholdEcdsa.verifyU(ctx(i, attempt), s.ids(), k.key(), e.key(), z.aggregate(), u);
            us.put(i, u.u());
        }
        Scalar uInv = ThresholdEcdsa.invertU(s.ids(), q, s.t(), us);
        Map<PublicPoint, Scalar> ss = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint i : q) {
            ss.put(i, ns.get(i).signatureShare(uInv, k.publicKey(), mh, s.run().share(i)));
        }
        return ThresholdEcdsa.combineSignature(s.ids(), q, s.t(), ss, k.publicKey(), mh, s.run().publicKey());
    }

    @Test
    void ecdsa_withHonestMajorityVerifiesUnderY() {
        for (long seed = 400; seed < 400 + CASES; seed++) {
            Setting s = setting(seed, true);
            H256 mh = H256.keccak(Scalar.of(seed).toBytes());
            ThresholdEcdsaSignature sig = ecdsa(s, mh, seed);
            assertThat(ThresholdEcdsa.verify(s.run().publicKey(), mh, sig)).isTrue();
            assertThat(dev.secretstore.crypto.Ecdsa.recover(dev.secretstore.crypto.RecoverableSignature.fromBytes(sig.toBytes()), mh))
                    .isEqualTo(s.run().publicKey());
            assertThat(sig.s().toBigInteger()).isLessThanOrEqualTo(dev.secretstore.crypto.Secp256k1.HALF_N);
            assertThat(ThresholdEcdsa.verify(s.run().publicKey(), H256.keccak(mh.toBytes()), sig)).isFalse();
        }
    }

    @Test
    void redistribution_preservesYAndNewSharesReconstruct() {
        for (long seed = 500; seed < 500 + CASES; seed++) {
            Setting s = setting(seed, false);
            int t = s.t();
            List<PublicPoint> q = s.randomGroup(t + 1);
            // new map: keep a random non-empty part of the old holders, add 1..3 fresh nodes, at least t+1 in total
            List<PublicPoint> keep = s.randomGroup(1 + s.pick().nextInt(s.n()));
            List<PublicPoint> added = ThresholdTestDriver.randomNodes(Math.max(1 + s.pick().nextInt(3), t + 1 - keep.size()), s.rng());
            IdNumbers newIds = IdNumbers.redistribute(s.ids(), keep, added, s.rng());
            Map<PublicPoint, CommitmentVector> f = new TreeMap<>(NodeIds.ORDER);
            Map<PublicPoint, Map<PublicPoint, SecretScalar>> dealt = new TreeMap<>(NodeIds.ORDER);
            for (PublicPoint i : q) {
                Redistribution.Dealer d = Redistribution.Dealer.create(s.run().share(i), t, s.rng());
                f.put(i, d.commitments());
                dealt.put(i, d.deal(newIds));
                d.destroy();
            }
            KeyCommitments newKey = Redistribution.newCommitments(s.ids(), q, s.run().key(), f);
            assertThat(newKey.publicKey()).isEqualTo(s.run().publicKey());
            Map<PublicPoint, SecretScalar> newShares = new TreeMap<>(NodeIds.ORDER);
            for (PublicPoint j : newIds.nodes()) {
                Map<PublicPoint, SecretScalar> mine = new TreeMap<>(NodeIds.ORDER);
                for (PublicPoint i : q) {
                    Redistribution.verifySubshare(i, f.get(i), s.ids(), s.run().key(), newIds.of(j), dealt.get(i).get(j));
                    mine.put(i, dealt.get(i).get(j));
                }
                SecretScalar sj = Redistribution.newShare(s.ids(), q, t, mine);
                Redistribution.checkOwnShare(j, sj, newKey, newIds.of(j));
                newShares.put(j, sj);
            }
            List<PublicPoint> all = new ArrayList<>(newIds.nodes());
            Collections.shuffle(all, s.pick());
            List<PublicPoint> q2 = all.subList(0, t + 1);
            assertThat(ThresholdTestDriver.reconstructPublic(newIds, q2, newShares)).isEqualTo(s.run().publicKey());
        }
    }

    @Test
    void thresholdZero_singleHolderDecryptsAndSigns() {
        SecureRandom rng = ThresholdTestDriver.seeded(600);
        IdNumbers ids = IdNumbers.random(ThresholdTestDriver.randomNodes(2, rng), rng);
        Setting s = new Setting(0, 2, ids, ThresholdTestDriver.run(ids, 0, PedersenGenerator.H, rng), rng, new Random(600));
        // t = 0: every share equals the joint secret
        for (PublicPoint n : ids.nodes()) {
            assertThat(s.run().share(n).mulG()).isEqualTo(s.run().publicKey());
        }
        PublicPoint m = SecretScalar.random(rng).mulG();
        EncryptedDocumentKey doc = DocumentKey.encrypt(m, s.run().publicKey(), rng);
        PublicPoint self = ids.nodes().get(1);
        SecretScalar a = SecretScalar.random(rng);
        Decryption.ShadowOutput o = Decryption.nodeShadowShare(ctx(self, 0), ids, List.of(self), 0, s.run().share(self), a, doc.commonPoint(), rng);
        Decryption.verifyShadowShare(ctx(self, 0), ids, List.of(self), s.run().key(), Decryption.AccessPoint.of(a, doc.commonPoint()), o.toMaster());
        Decryption.ShadowResult r = Decryption.combineShadow(doc, a, 0, Map.of(self, o.toMaster()));
        assertThat(r.commonPoint()).isEqualTo(doc.commonPoint());
        assertThat(Decryption.clientCombine(r.decryptedSecret(), r.commonPoint(), List.of(o.decryptShadow()))).isEqualTo(m);
        H256 mh = H256.keccak(new byte[] {1});
        assertThat(Schnorr.verify(s.run().publicKey(), mh, schnorr(s, mh))).isTrue();
    }

    @Test
    void documentKey_generatedForEndpoint3DecryptsToTheSameKey() {
        for (long seed = 700; seed < 702; seed++) {
            Setting s = setting(seed, false);
            DocumentKey.Generated gen = DocumentKey.generate(s.run().publicKey(), s.rng());
            assertThat(gen.toString()).doesNotContain(gen.documentKey().toHex());
            List<PublicPoint> q = s.randomGroup(s.t() + 1);
            SecretScalar a = SecretScalar.random(s.rng());
            Map<PublicPoint, Decryption.Share> shares = new TreeMap<>(NodeIds.ORDER);
            for (PublicPoint i : q) {
                Decryption.Share p = Decryption.nodeShare(ctx(i, seed), s.ids(), q, s.t(), s.run().share(i), a, gen.encrypted().commonPoint(), s.rng());
                Decryption.verifyShare(ctx(i, seed), s.ids(), q, s.run().key(), Decryption.AccessPoint.of(a, gen.encrypted().commonPoint()), p);
                shares.put(i, p);
            }
            assertThat(Decryption.combine(gen.encrypted(), a, s.t(), shares)).isEqualTo(gen.documentKey());
        }
    }
}
