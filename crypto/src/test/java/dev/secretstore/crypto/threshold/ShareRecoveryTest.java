package dev.secretstore.crypto.threshold;

import static dev.secretstore.crypto.threshold.ThresholdRejectionTest.blames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.CryptoException.Reason;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Verifiable share recovery (SEC-40 repair, SEC-11 own-share check, SEC-03 lengths): the recovered share is F(x_j), culprits are named. */
class ShareRecoveryTest {
    final SecureRandom rng = ThresholdTestDriver.seeded(4711);

    /** One sharing of a random secret: polynomial F, the holders' id numbers, shares F(x_m), commitments. */
    final class Fixture {
        final int t;
        final List<PublicPoint> nodes;
        final IdNumbers ids;
        final Polynomial f;
        final KeyCommitments key;

        Fixture(int t, int n) {
            this.t = t;
            this.nodes = ThresholdTestDriver.randomNodes(n, rng);
            this.ids = IdNumbers.random(nodes, rng);
            this.f = Polynomial.random(t, rng);
            this.key = new KeyCommitments(f.feldman());
        }

        SecretScalar share(PublicPoint m) {
            return f.evaluate(ids.of(m));
        }

        /** The last node is the target, the first t+1 the helpers. */
        PublicPoint target() {
            return nodes.get(nodes.size() - 1);
        }

        List<PublicPoint> helpers() {
            return ids.requireGroup(nodes.subList(0, t + 1), t + 1);
        }
    }

    /** The messages of one run, so a test can tamper with any of them before the checks. */
    static final class Run {
        final Map<PublicPoint, List<PublicPoint>> points = new TreeMap<>(NodeIds.ORDER);
        /** pieces.get(i).get(k) = r_{i,k} as helper k receives it. */
        final Map<PublicPoint, Map<PublicPoint, SecretScalar>> pieces = new TreeMap<>(NodeIds.ORDER);
    }

    Run deal(Fixture fx, Map<PublicPoint, SecretScalar> shares) {
        Run run = new Run();
        for (PublicPoint i : fx.helpers()) {
            ShareRecovery.Helper h = ShareRecovery.Helper.create(i, shares.get(i), fx.ids, fx.helpers(), fx.target(), fx.t, rng);
            run.points.put(i, h.points());
            Map<PublicPoint, SecretScalar> mine = new TreeMap<>(NodeIds.ORDER);
            for (PublicPoint k : fx.helpers()) mine.put(k, h.pieceFor(k));
            run.pieces.put(i, mine);
            h.destroy();
            assertThat(h.isDestroyed()).isTrue();
        }
        return run;
    }

    /** The helpers' and the target's checks, in protocol order; returns the recovered share. */
    static SecretScalar finish(Fixture fx, Run run, Map<PublicPoint, SecretScalar> sigmaOverride) {
        List<PublicPoint> q = fx.helpers();
        for (PublicPoint i : q) ShareRecovery.verifyPoints(i, run.points.get(i), fx.ids, q, fx.target(), fx.key);
        Map<PublicPoint, SecretScalar> sums = new TreeMap<>(NodeIds.ORDER);
        for (PublicPoint k : q) {
            List<SecretScalar> received = new ArrayList<>();
            for (PublicPoint i : q) {
                SecretScalar piece = run.pieces.get(i).get(k);
                ShareRecovery.verifyPiece(i, run.points.get(i), q, k, piece);
                received.add(piece);
            }
            SecretScalar sigma = sigmaOverride.containsKey(k) ? sigmaOverride.get(k) : ShareRecovery.sumPieces(received);
            ShareRecovery.verifySum(k, sigma, ShareRecovery.column(run.points, q, k));
            sums.put(k, sigma);
        }
        return ShareRecovery.recover(fx.target(), sums, q, fx.ids, fx.key);
    }

    Map<PublicPoint, SecretScalar> shares(Fixture fx) {
        Map<PublicPoint, SecretScalar> out = new HashMap<>();
        for (PublicPoint m : fx.nodes) out.put(m, fx.share(m));
        return out;
    }

    @ParameterizedTest(name = "t={0}, n={1}")
    @CsvSource({"0, 2", "1, 3", "1, 5", "2, 4", "2, 5", "3, 7", "4, 6"})
    void sec40_recoveredShareIsTheTargetsPointOfThePolynomial(int t, int n) {
        Fixture fx = new Fixture(t, n);
        SecretScalar recovered = finish(fx, deal(fx, shares(fx)), Map.of());
        assertThat(recovered).isEqualTo(fx.share(fx.target()));
        assertThat(recovered.mulG()).isEqualTo(fx.key.publicShare(fx.ids.of(fx.target())));
    }

    @Test
    void sec40_eachPieceIsMaskedTheTargetSeesOnlyColumnSums() {
        Fixture fx = new Fixture(2, 5);
        Run run = deal(fx, shares(fx));
        PublicPoint i = fx.helpers().get(0);
        SecretScalar delta = ShareRecovery.sumPieces(run.pieces.get(i).values());
        // δ_i = λ_i(x_j)·s_i, yet no single piece equals it (it is split into t+1 random parts)
        assertThat(delta).isEqualTo(fx.share(i).mul(ShareRecovery.coefficient(fx.ids, fx.helpers(), i, fx.target())));
        for (SecretScalar piece : run.pieces.get(i).values()) assertThat(piece).isNotEqualTo(delta);
    }

    @Test
    void sec40_aHelperWithAWrongShareIsNamedByItsPoints() {
        Fixture fx = new Fixture(2, 5);
        Map<PublicPoint, SecretScalar> shares = shares(fx);
        PublicPoint liar = fx.helpers().get(1);
        shares.put(liar, shares.get(liar).add(SecretScalar.random(rng)));
        Run run = deal(fx, shares);
        blames(() -> finish(fx, run, Map.of()), liar, Reason.VERIFICATION_FAILED);
    }

    @Test
    void sec40_aBadPieceIsNamedByTheHelperReceivingIt() {
        Fixture fx = new Fixture(1, 4);
        Run run = deal(fx, shares(fx));
        PublicPoint dealer = fx.helpers().get(0);
        PublicPoint receiver = fx.helpers().get(1);
        run.pieces.get(dealer).put(receiver, run.pieces.get(dealer).get(receiver).add(SecretScalar.random(rng)));
        blames(() -> finish(fx, run, Map.of()), dealer, Reason.VERIFICATION_FAILED);
    }

    @Test
    void sec40_aBadSumIsNamedByTheTarget() {
        Fixture fx = new Fixture(2, 4);
        Run run = deal(fx, shares(fx));
        PublicPoint liar = fx.helpers().get(2);
        blames(() -> finish(fx, run, Map.of(liar, SecretScalar.random(rng))), liar, Reason.VERIFICATION_FAILED);
    }

    @Test
    void sec03_pointVectorsOfTheWrongLengthAreRefusedNamingTheHelper() {
        Fixture fx = new Fixture(1, 3);
        Run run = deal(fx, shares(fx));
        PublicPoint i = fx.helpers().get(0);
        List<PublicPoint> longer = new ArrayList<>(run.points.get(i));
        longer.add(PublicPoint.generator());
        blames(() -> ShareRecovery.verifyPoints(i, longer, fx.ids, fx.helpers(), fx.target(), fx.key), i, Reason.INVALID_ARGUMENT);
        List<PublicPoint> shorter = run.points.get(i).subList(0, 1);
        blames(() -> ShareRecovery.verifyPoints(i, shorter, fx.ids, fx.helpers(), fx.target(), fx.key), i, Reason.INVALID_ARGUMENT);
    }

    @Test
    void sec03_theGroupMustBeExactlyTPlusOneHoldersWithoutTheTarget() {
        Fixture fx = new Fixture(1, 4);
        PublicPoint target = fx.target();
        assertThatThrownBy(() -> ShareRecovery.requireHelpers(fx.ids, fx.nodes.subList(0, 3), target, 1))
                .isInstanceOf(CryptoException.class).hasMessageContaining("SEC-03");
        assertThatThrownBy(() -> ShareRecovery.requireHelpers(fx.ids, List.of(fx.nodes.get(0), target), target, 1))
                .isInstanceOf(CryptoException.class);
        PublicPoint stranger = SecretScalar.random(rng).mulG();
        assertThatThrownBy(() -> ShareRecovery.requireHelpers(fx.ids, fx.nodes.subList(0, 2), stranger, 1))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void sec11_commitmentsOfAnotherSharingDoNotVerifyTheRecovery() {
        // As after a refresh: the same key, the same id numbers, a new polynomial. Helpers using the old shares
        // against the new version's commitments are caught, and the recovered old share fails the new own-share check.
        Fixture fx = new Fixture(1, 4);
        Run old = deal(fx, shares(fx));
        Polynomial refreshed = Polynomial.randomWithConstant(fx.f.constantTerm(), fx.t, rng);
        KeyCommitments newKey = new KeyCommitments(refreshed.feldman());
        assertThat(newKey.publicKey()).isEqualTo(fx.key.publicKey());
        PublicPoint first = fx.helpers().get(0);
        blames(() -> ShareRecovery.verifyPoints(first, old.points.get(first), fx.ids, fx.helpers(), fx.target(), newKey),
                first, Reason.VERIFICATION_FAILED);
        SecretScalar oldShare = finish(fx, old, Map.of());
        Map<PublicPoint, SecretScalar> sums = new TreeMap<>(NodeIds.ORDER);
        sums.put(fx.helpers().get(0), oldShare);
        sums.put(fx.helpers().get(1), SecretScalar.of(dev.secretstore.crypto.Scalar.ZERO));
        assertThatThrownBy(() -> ShareRecovery.recover(fx.target(), sums, fx.helpers(), fx.ids, newKey))
                .isInstanceOf(CryptoException.class).hasMessageContaining("own share");
        assertThat(oldShare).isNotEqualTo(refreshed.evaluate(fx.ids.of(fx.target())));
    }
}
