package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.CryptoException.Reason;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.Secp256k1;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Rejection tests: every value from another node that is wrong is refused with the culprit named
 * (identifiable abort, crypto.md §11.3). SEC items are in the method names.
 */
class ThresholdRejectionTest {
    final SecureRandom rng = ThresholdTestDriver.seeded(31);
    final List<PublicPoint> nodes = ThresholdTestDriver.randomNodes(4, rng);
    final PublicPoint a = nodes.get(0), b = nodes.get(1), c = nodes.get(2), d = nodes.get(3);
    final IdNumbers ids = IdNumbers.random(nodes, rng);
    final int t = 1;
    final PublicPoint h = PedersenGenerator.H;

    static AbstractThrowableAssert<?, ? extends Throwable> blames(ThrowingCallable call, PublicPoint culprit, Reason reason) {
        return assertThatThrownBy(call).isInstanceOf(CryptoException.class)
                .hasMessageContaining(NodeIds.label(culprit))
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(reason))
                // the culprit is data for the sessions, never parsed from the message (issue #12)
                .satisfies(e -> assertThat(((CryptoException) e).culprit()).contains(culprit));
    }

    static CommitmentVector withAdded(CommitmentVector v, PublicPoint extra) {
        List<PublicPoint> p = new ArrayList<>(v.points());
        p.add(extra);
        return new CommitmentVector(p, v.zeroConstant());
    }

    static CommitmentVector withDropped(CommitmentVector v) {
        return new CommitmentVector(v.points().subList(0, v.points().size() - 1), v.zeroConstant());
    }

    static CommitmentVector withChanged(CommitmentVector v, int slot) {
        List<PublicPoint> p = new ArrayList<>(v.points());
        p.set(slot, p.get(slot).add(PublicPoint.generator()));
        return new CommitmentVector(p, v.zeroConstant());
    }

    static ProofContext ctx(PublicPoint prover, String attempt) {
        return new ProofContext(H256.fromHex("01".repeat(32)), H256.fromHex("02".repeat(32)), H256.fromHex(attempt.repeat(32)), prover);
    }

    // ------------------------------------------------------------------ id numbers (SEC-02)

    @Test
    void sec02_duplicateZeroMissingOrForeignIdNumbersAreRefusedNamingTheNode() {
        Map<PublicPoint, Scalar> dup = new HashMap<>(ids.asMap());
        dup.put(b, ids.of(a));
        assertThatThrownBy(() -> IdNumbers.validate(nodes, dup)).isInstanceOf(CryptoException.class)
                .hasMessageContaining("duplicates").hasMessageContaining("SEC-02")
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(NodeIds.label(a), NodeIds.label(b)));
        Map<PublicPoint, Scalar> zero = new HashMap<>(ids.asMap());
        zero.put(c, Scalar.ZERO);
        blames(() -> IdNumbers.validate(nodes, zero), c, Reason.INVALID_ARGUMENT);
        Map<PublicPoint, Scalar> missing = new HashMap<>(ids.asMap());
        missing.remove(d);
        blames(() -> IdNumbers.validate(nodes, missing), d, Reason.INVALID_ARGUMENT);
        PublicPoint stranger = SecretScalar.random(rng).mulG();
        Map<PublicPoint, Scalar> extra = new HashMap<>(ids.asMap());
        extra.put(stranger, Scalar.of(7));
        blames(() -> IdNumbers.validate(nodes, extra), stranger, Reason.INVALID_ARGUMENT);
    }

    @Test
    void sec02_encodedIdNumbersOutOfRangeAreRejectedNotReduced() {
        byte[] zero = new byte[32];
        byte[] n = Scalar.of(0).toBytes();
        byte[] nb = Secp256k1.N.toByteArray();
        System.arraycopy(nb, nb.length - 32, n, 0, 32);
        byte[] max = new byte[32];
        java.util.Arrays.fill(max, (byte) 0xff);
        for (byte[] bad : new byte[][] {zero, n, max, new byte[31]}) {
            blames(() -> IdNumbers.decode(a, bad), a, Reason.INVALID_ARGUMENT);
        }
        byte[] one = new byte[32];
        one[31] = 1;
        assertThat(IdNumbers.decode(a, one)).isEqualTo(Scalar.ONE);
        byte[] nMinus1 = Scalar.of(Secp256k1.N.subtract(java.math.BigInteger.ONE)).toBytes();
        assertThat(IdNumbers.decode(a, nMinus1).toBigInteger()).isEqualTo(Secp256k1.N.subtract(java.math.BigInteger.ONE));
    }

    @Test
    void lagrangeWithEqualIdNumbersIsZeroResult() {
        assertThatThrownBy(() -> Lagrange.unsigned(Scalar.of(5), List.of(Scalar.of(5))))
                .isInstanceOf(CryptoException.class)
                .satisfies(e -> assertThat(((CryptoException) e).reason()).isEqualTo(Reason.ZERO_RESULT));
    }

    @Test
    void sec03_groupsOfTheWrongSizeOrWithStrangersAreRefused() {
        assertThatThrownBy(() -> ids.requireGroup(List.of(a, b, c), t + 1)).isInstanceOf(CryptoException.class).hasMessageContaining("SEC-03");
        PublicPoint stranger = SecretScalar.random(rng).mulG();
        blames(() -> ids.requireGroup(List.of(a, stranger), t + 1), stranger, Reason.INVALID_ARGUMENT);
        blames(() -> ids.requireGroup(List.of(a, a), t + 1), a, Reason.INVALID_ARGUMENT);
    }

    // ------------------------------------------------------------------ DKG (SEC-03, SEC-10)

    @Test
    void sec10_changedSharePairIsRejectedNamingTheDealer() {
        Dkg.Dealer dealer = Dkg.Dealer.create(t, rng);
        CommitmentVector cv = dealer.pedersenCommitments(h);
        SharePair good = dealer.shareFor(ids.of(b));
        assertThatCode(() -> Dkg.verifyPedersenShare(a, cv, t, ids.of(b), good, h)).doesNotThrowAnyException();
        SharePair badF = new SharePair(good.f().add(Scalar.ONE), good.g());
        SharePair badG = new SharePair(good.f(), good.g().add(Scalar.ONE));
        SharePair otherX = dealer.shareFor(ids.of(c));
        for (SharePair bad : List.of(badF, badG, otherX)) {
            blames(() -> Dkg.verifyPedersenShare(a, cv, t, ids.of(b), bad, h), a, Reason.VERIFICATION_FAILED);
            blames(() -> Dkg.resolvePedersenComplaint(a, cv, t, ids.of(b), bad, h), a, Reason.VERIFICATION_FAILED);
        }
        assertThatCode(() -> Dkg.resolvePedersenComplaint(a, cv, t, ids.of(b), good, h)).doesNotThrowAnyException();
    }

    @Test
    void sec03_commitmentVectorsWithOneEntryAddedOrDroppedAreRejectedNamingTheDealer() {
        Dkg.Dealer dealer = Dkg.Dealer.create(t, rng);
        CommitmentVector cv = dealer.pedersenCommitments(h);
        CommitmentVector av = dealer.feldmanCommitments();
        SharePair pair = dealer.shareFor(ids.of(b));
        PublicPoint extra = SecretScalar.random(rng).mulG();
        for (CommitmentVector bad : List.of(withAdded(cv, extra), withDropped(cv))) {
            blames(() -> Dkg.verifyPedersenShare(a, bad, t, ids.of(b), pair, h), a, Reason.INVALID_ARGUMENT).hasMessageContaining("SEC-03");
        }
        for (CommitmentVector bad : List.of(withAdded(av, extra), withDropped(av))) {
            blames(() -> Dkg.verifyFeldmanShare(a, bad, t, ids.of(b), pair.f()), a, Reason.INVALID_ARGUMENT).hasMessageContaining("SEC-03");
            Map<PublicPoint, CommitmentVector> all = new TreeMap<>(NodeIds.ORDER);
            all.put(b, Dkg.Dealer.create(t, rng).feldmanCommitments());
            all.put(a, bad);
            blames(() -> Dkg.aggregate(all, t), a, Reason.INVALID_ARGUMENT);
        }
        // zero sharing of degree 2t: exactly 2t entries, slot 0 not transmitted
        Polynomial zero = Polynomial.randomZeroConstant(2 * t, rng);
        CommitmentVector zv = zero.feldman();
        assertThat(zv.points()).hasSize(2 * t);
        SecretScalar zs = zero.evaluate(ids.of(b));
        assertThatCode(() -> Dkg.verifyZeroShare(a, zv, 2 * t, ids.of(b), zs)).doesNotThrowAnyException();
        for (CommitmentVector bad : List.of(withAdded(zv, extra), withDropped(zv), new CommitmentVector(zv.points(), false))) {
            blames(() -> Dkg.verifyZeroShare(a, bad, 2 * t, ids.of(b), zs), a, Reason.INVALID_ARGUMENT);
        }
        blames(() -> Dkg.verifyZeroShare(a, withChanged(zv, 0), 2 * t, ids.of(b), zs), a, Reason.VERIFICATION_FAILED);
    }

    @Test
    void sec10_changedFeldmanEntryIsRejectedAndTheComplaintBlamesTheDealer() {
        Dkg.Dealer dealer = Dkg.Dealer.create(t, rng);
        CommitmentVector cv = dealer.pedersenCommitments(h);
        CommitmentVector av = dealer.feldmanCommitments();
        SharePair pair = dealer.shareFor(ids.of(b));
        assertThatCode(() -> Dkg.verifyFeldmanShare(a, av, t, ids.of(b), pair.f())).doesNotThrowAnyException();
        for (int k = 0; k <= t; k++) {
            CommitmentVector bad = withChanged(av, k);
            blames(() -> Dkg.verifyFeldmanShare(a, bad, t, ids.of(b), pair.f()), a, Reason.VERIFICATION_FAILED);
            // b's Feldman complaint (pair valid for C, invalid for A) is valid: the dealer is at fault
            assertThat(Dkg.judgeFeldmanComplaint(a, b, cv, bad, t, ids.of(b), pair, h)).isEqualTo(new Dkg.ComplaintVerdict(a, Dkg.Blame.DEALER));
        }
        // a false complaint (pair passes Feldman) or a forged pair (fails Pedersen) blames the complainer
        assertThat(Dkg.judgeFeldmanComplaint(a, b, cv, av, t, ids.of(b), pair, h)).isEqualTo(new Dkg.ComplaintVerdict(b, Dkg.Blame.COMPLAINER));
        SharePair forged = new SharePair(pair.f().add(Scalar.ONE), pair.g());
        assertThat(Dkg.judgeFeldmanComplaint(a, b, cv, av, t, ids.of(b), forged, h)).isEqualTo(new Dkg.ComplaintVerdict(b, Dkg.Blame.COMPLAINER));
    }

    @Test
    void sec10_equivocationIsDetectedByCommitmentHashes() {
        Dkg.Dealer dealer = Dkg.Dealer.create(t, rng);
        CommitmentVector cv = dealer.pedersenCommitments(h);
        CommitmentVector other = withChanged(cv, 1);
        assertThat(cv.hash()).isEqualTo(CommitmentVector.of(cv.points()).hash()).isNotEqualTo(other.hash());
        assertThatCode(() -> Dkg.checkReportedHashes(a, cv, Map.of(b, cv.hash(), c, cv.hash()))).doesNotThrowAnyException();
        blames(() -> Dkg.checkReportedHashes(a, cv, Map.of(b, cv.hash(), c, other.hash())), a, Reason.VERIFICATION_FAILED)
                .hasMessageContaining(NodeIds.label(c));
    }

    @Test
    void sec10_dealerWithMoreThanTComplaintsIsAtFault() {
        assertThatCode(() -> Dkg.checkComplaintCount(a, t, t)).doesNotThrowAnyException();
        blames(() -> Dkg.checkComplaintCount(a, t + 1, t), a, Reason.VERIFICATION_FAILED);
    }

    @Test
    void sec11_ownShareThatDoesNotMatchTheAggregateIsRefused() {
        ThresholdTestDriver.Run run = ThresholdTestDriver.run(ids, t, h, rng);
        SecretScalar wrong = run.share(b).add(Scalar.ONE);
        blames(() -> Dkg.checkOwnShare(b, wrong, run.key(), ids.of(b)), b, Reason.VERIFICATION_FAILED);
    }

    // ------------------------------------------------------------------ decryption (SEC-12, SEC-16)

    @Test
    void sec12_sec16_changedOrCopiedDecryptionSharesAreRejectedNamingTheSender() {
        ThresholdTestDriver.Run run = ThresholdTestDriver.run(ids, t, h, rng);
        PublicPoint m = SecretScalar.random(rng).mulG();
        EncryptedDocumentKey doc = DocumentKey.encrypt(m, run.publicKey(), rng);
        SecretScalar key = SecretScalar.random(rng);
        List<PublicPoint> q = List.of(a, b);
        Decryption.Share pa = Decryption.nodeShare(ctx(a, "03"), ids, q, t, run.share(a), key, doc.commonPoint(), rng);
        Decryption.Share pb = Decryption.nodeShare(ctx(b, "03"), ids, q, t, run.share(b), key, doc.commonPoint(), rng);
        Decryption.verifyShare(ctx(b, "03"), ids, q, run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), pb);
        // changed shadow point
        Decryption.Share changed = new Decryption.Share(pb.shadowPoint().add(PublicPoint.generator()), pb.proof());
        blames(() -> Decryption.verifyShare(ctx(b, "03"), ids, q, run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), changed), b, Reason.VERIFICATION_FAILED);
        // b replays a's share and proof as its own
        blames(() -> Decryption.verifyShare(ctx(b, "03"), ids, q, run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), pa), b, Reason.VERIFICATION_FAILED);
        // b's proof replayed in another attempt or another session
        blames(() -> Decryption.verifyShare(ctx(b, "04"), ids, q, run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), pb), b, Reason.VERIFICATION_FAILED);
        ProofContext otherSession = new ProofContext(H256.fromHex("01".repeat(32)), H256.fromHex("09".repeat(32)), H256.fromHex("03".repeat(32)), b);
        blames(() -> Decryption.verifyShare(otherSession, ids, q, run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), pb), b, Reason.VERIFICATION_FAILED);
        // under another group the same share is wrong (different λ')
        blames(() -> Decryption.verifyShare(ctx(b, "03"), ids, List.of(b, c), run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), pb), b, Reason.VERIFICATION_FAILED);
        // shadow mode: changed W_i, changed P_i
        Decryption.ShadowOutput o = Decryption.nodeShadowShare(ctx(b, "03"), ids, q, t, run.share(b), key, doc.commonPoint(), rng);
        Decryption.verifyShadowShare(ctx(b, "03"), ids, q, run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), o.toMaster());
        Decryption.ShadowShare s = o.toMaster();
        Decryption.ShadowShare badW = new Decryption.ShadowShare(s.shadowPoint(), s.w().add(PublicPoint.generator()), s.proof());
        Decryption.ShadowShare badP = new Decryption.ShadowShare(s.shadowPoint().add(PublicPoint.generator()), s.w(), s.proof());
        for (Decryption.ShadowShare bad : List.of(badW, badP)) {
            blames(() -> Decryption.verifyShadowShare(ctx(b, "03"), ids, q, run.key(), Decryption.AccessPoint.of(key, doc.commonPoint()), bad), b, Reason.VERIFICATION_FAILED);
        }
        assertThat(o.toString()).contains("redacted");
        // SEC-03: the master combines exactly t+1 shadow points
        assertThatThrownBy(() -> Decryption.combine(doc, key, t, Map.of(a, pa))).isInstanceOf(CryptoException.class).hasMessageContaining("SEC-03");
    }

    // ------------------------------------------------------------------ Schnorr (SEC-13)

    @Test
    void sec13_changedSchnorrPartialIsRejectedNamingTheSender() {
        ThresholdTestDriver.Run run = ThresholdTestDriver.run(ids, t, h, rng);
        H256 mh = H256.fromHex("42".repeat(32));
        List<PublicPoint> q = List.of(a, c);
        SchnorrNonce na = SchnorrNonce.create(mh, SecretScalar.random(rng));
        SchnorrNonce nc = SchnorrNonce.create(mh, SecretScalar.random(rng));
        PublicPoint r = Schnorr.aggregateNonce(List.of(na.commitment(), nc.commitment()));
        Map<PublicPoint, PublicPoint> commitments = Map.of(a, na.commitment(), c, nc.commitment());
        Scalar psA = na.partialSign(mh, r, ids, q, t, a, run.share(a));
        Scalar psC = nc.partialSign(mh, r, ids, q, t, c, run.share(c));
        Scalar ch = Schnorr.challenge(mh, r);
        Schnorr.verifyPartial(c, psC, ids, q, run.key(), nc.commitment(), ch);
        blames(() -> Schnorr.verifyPartial(c, psC.add(Scalar.ONE), ids, q, run.key(), nc.commitment(), ch), c, Reason.VERIFICATION_FAILED);
        blames(() -> Schnorr.combine(mh, ids, q, run.key(), Map.of(a, psA, c, psC.add(Scalar.ONE)), commitments), c, Reason.VERIFICATION_FAILED);
        // a partial sent under the wrong nonce commitment (R_i swapped) is blamed
        blames(() -> Schnorr.combine(mh, ids, q, run.key(), Map.of(a, psA, c, psC), Map.of(a, nc.commitment(), c, na.commitment())), a,
                Reason.VERIFICATION_FAILED);
        assertThat(Schnorr.combine(mh, ids, q, run.key(), Map.of(a, psA, c, psC), commitments)).isNotNull();
    }

    // ------------------------------------------------------------------ ECDSA (SEC-14, SEC-16)

    @Test
    void sec14_ecdsaNeedsAnHonestMajorityAndAGroupOfExactly2tPlus1() {
        assertThatThrownBy(() -> ThresholdEcdsa.requireHonestMajority(2, 4)).isInstanceOf(CryptoException.class).hasMessageContaining("SEC-14");
        assertThatCode(() -> ThresholdEcdsa.requireHonestMajority(1, 3)).doesNotThrowAnyException();
        assertThatThrownBy(() -> ThresholdEcdsa.requireGroup(ids, List.of(a, b), 1)).isInstanceOf(CryptoException.class).hasMessageContaining("SEC-03");
        assertThatThrownBy(() -> ThresholdEcdsa.requireGroup(ids, nodes, 1)).isInstanceOf(CryptoException.class).hasMessageContaining("SEC-03");
    }

    @Test
    void sec14_sec16_changedOrCopiedUShareIsRejectedNamingTheSender() {
        List<PublicPoint> q = List.of(a, b, c);
        IdNumbers nested = ThresholdTestDriver.restrict(ids, q);
        ThresholdTestDriver.Run k = ThresholdTestDriver.run(nested, t, h, rng);
        ThresholdTestDriver.Run e = ThresholdTestDriver.run(nested, t, h, rng);
        ThresholdTestDriver.ZeroRun z = ThresholdTestDriver.runZero(nested, 2 * t, rng);
        Map<PublicPoint, ThresholdEcdsa.UShare> us = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint i : q) {
            ThresholdEcdsa.NonceShares ns = ThresholdEcdsa.NonceShares.of(k.share(i).copy(), e.share(i).copy(), z.shares().get(i).copy());
            us.put(i, ns.computeU(ctx(i, "05"), rng));
            ThresholdEcdsa.verifyU(ctx(i, "05"), ids, k.key(), e.key(), z.aggregate(), us.get(i));
            // second u_i from the same nonce shares is refused (SEC-08)
            assertThatThrownBy(() -> ns.computeU(ctx(i, "05"), rng)).isInstanceOf(CryptoException.class).hasMessageContaining("SEC-08");
            assertThat(ns.isDestroyed()).isTrue();
        }
        ThresholdEcdsa.UShare ub = us.get(b);
        ThresholdEcdsa.UShare changed = new ThresholdEcdsa.UShare(ub.u().add(Scalar.ONE), ub.proof());
        blames(() -> ThresholdEcdsa.verifyU(ctx(b, "05"), ids, k.key(), e.key(), z.aggregate(), changed), b, Reason.VERIFICATION_FAILED);
        blames(() -> ThresholdEcdsa.verifyU(ctx(b, "05"), ids, k.key(), e.key(), z.aggregate(), us.get(a)), b, Reason.VERIFICATION_FAILED);
        blames(() -> ThresholdEcdsa.verifyU(ctx(b, "06"), ids, k.key(), e.key(), z.aggregate(), ub), b, Reason.VERIFICATION_FAILED);
    }

    // ------------------------------------------------------------------ redistribution (SEC-15)

    @Test
    void sec15_wrongRedistributionDealerIsBlamed() {
        ThresholdTestDriver.Run run = ThresholdTestDriver.run(ids, t, h, rng);
        List<PublicPoint> q = List.of(a, b);
        IdNumbers newIds = IdNumbers.redistribute(ids, List.of(a, b, c), List.of(SecretScalar.random(rng).mulG()), rng);
        // a re-shares a wrong share: F_{a,0} ≠ Y_a
        Redistribution.Dealer liar = Redistribution.Dealer.create(run.share(a).add(Scalar.ONE), t, rng);
        Redistribution.Dealer honest = Redistribution.Dealer.create(run.share(b), t, rng);
        Map<PublicPoint, CommitmentVector> f = new TreeMap<>(NodeIds.ORDER);
        f.put(a, liar.commitments());
        f.put(b, honest.commitments());
        blames(() -> Redistribution.verifyDealerCommitments(a, f.get(a), ids, run.key()), a, Reason.VERIFICATION_FAILED);
        blames(() -> Redistribution.newCommitments(ids, q, run.key(), f), a, Reason.VERIFICATION_FAILED);
        // wrong-length F (SEC-03)
        PublicPoint extra = SecretScalar.random(rng).mulG();
        blames(() -> Redistribution.verifyDealerCommitments(b, withAdded(f.get(b), extra), ids, run.key()), b, Reason.INVALID_ARGUMENT);
        blames(() -> Redistribution.verifyDealerCommitments(b, withDropped(f.get(b)), ids, run.key()), b, Reason.INVALID_ARGUMENT);
        // a wrong subshare from an honest-looking vector
        SecretScalar sub = honest.deal(newIds).get(c);
        Redistribution.verifySubshare(b, f.get(b), ids, run.key(), newIds.of(c), sub);
        blames(() -> Redistribution.verifySubshare(b, f.get(b), ids, run.key(), newIds.of(c), sub.add(Scalar.ONE)), b, Reason.VERIFICATION_FAILED);
        // new holders get fresh id numbers distinct from every old one (§10.1)
        for (PublicPoint n : newIds.nodes()) {
            if (!ids.contains(n)) {
                assertThat(ids.asMap().values()).doesNotContain(newIds.of(n));
            } else {
                assertThat(newIds.of(n)).isEqualTo(ids.of(n));
            }
        }
    }

    // ------------------------------------------------------------------ SEC-07

    @Test
    void sec07_noSecretInToString() {
        Dkg.Dealer dealer = Dkg.Dealer.create(t, rng);
        SharePair pair = dealer.shareFor(ids.of(a));
        Polynomial p = Polynomial.random(2, rng);
        String hex = pair.f().reveal().toString();
        for (Object o : List.of(dealer, pair, p, Redistribution.Dealer.create(pair.f(), t, rng), SchnorrNonce.create(H256.fromHex("00".repeat(32)), pair.f().copy()))) {
            assertThat(o.toString()).contains("redacted").doesNotContain(hex);
        }
        p.destroy();
        assertThat(p.isDestroyed()).isTrue();
    }
}
