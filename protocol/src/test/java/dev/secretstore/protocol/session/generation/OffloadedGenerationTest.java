package dev.secretstore.protocol.session.generation;

import static dev.secretstore.protocol.session.generation.GenerationFixture.modify;
import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.MemberOutcomes;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.generation.GenerationMessage.Deal;
import dev.secretstore.protocol.session.generation.GenerationMessage.Feldman;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdicts;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Server-key generation with its curve work off the loop ({@code ClusterSessions.offload}, issue #18): each node's
 * derivation of the author (SEC-31), its checks of the dealt pairs against the Pedersen vectors, of the Feldman vectors
 * (each vector once per node), and the aggregation with the own-share check run as computations that every message may
 * overtake ({@code InMemoryCluster.deferComputations}); every decision (complaints, exclusions, QUAL, the commit) stays
 * on the loop. Deterministic: the cluster runs a computation only when no message or task is left.
 */
class OffloadedGenerationTest {
    private static final SecureRandom RNG = new SecureRandom();
    private final KeyPair author = KeyPair.random();
    private final H256 keyId = GenerationFixture.randomId(RNG);

    private InMemoryCluster cluster(int n) {
        InMemoryCluster c = GenerationFixture.cluster(n, RNG);
        c.deferComputations();
        return c;
    }

    private KeyGenerationSession start(InMemoryCluster c, int masterIndex, int t) {
        return GenerationFixture.start(c, masterIndex, t, Availability.DEFAULTS, keyId, author, RNG);
    }

    /**
     * The computations of a generation without faults: per node the author's recovery, the check of the deals
     * (N ≥ 2), the aggregation; the master's check of the Feldman vectors, and each other member's (the master does
     * not check again what it found good, and no node checks the final vectors it already checked).
     */
    static int computations(int n) {
        return n == 1 ? 2 : n + n + 1 + (n - 1) + n;
    }

    @ParameterizedTest(name = "{1}-of-{0}")
    @CsvSource({"1,0", "2,1", "3,1", "5,2"})
    void theSameKeyIsGeneratedWithEveryCheckOffTheLoop(int n, int t) {
        InMemoryCluster c = cluster(n);
        KeyGenerationSession s = start(c, n - 1, t);
        GenerationFixture.settle(c, s);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), t, c.memberIds());
        assertThat(s.culprits()).isEmpty();
        assertThat(c.computedCount()).isEqualTo(computations(n));
    }

    /**
     * A member's verdicts on the deals leave only once its checks came back from the workers: with every deal delivered
     * and every message and task handled, but no computation run, no member has reported.
     */
    @Test
    void aMembersVerdictsWaitForItsChecks() {
        InMemoryCluster c = cluster(3);
        List<NodeId> reported = new ArrayList<>();
        int[] deals = new int[1];
        c.intercept(d -> {
            if (d.envelope().body() instanceof Verdicts) reported.add(d.from());
            if (d.envelope().body() instanceof Deal) deals[0]++;
            return List.of(d);
        });
        KeyGenerationSession s = start(c, 0, 1);
        boolean seen = false;
        do {
            while (c.deliverOne()) {
                // every message and task, no computation
            }
            if (!seen && deals[0] == 6) {
                assertThat(reported).as("every deal delivered, no check run: no verdict sent").isEmpty();
                seen = true;
            }
        } while (c.runComputations() > 0);
        assertThat(seen).as("the deals were delivered").isTrue();
        GenerationFixture.settle(c, s);
        assertThat(reported).containsExactlyInAnyOrder(c.node(1).id, c.node(2).id);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 1, c.memberIds());
    }

    /** SEC-10 with the checks offloaded: a corrupted pair is complained about, revealed, resolved; the key is generated. */
    @Test
    void aCorruptedPairIsComplainedAboutAndResolved_SEC10() {
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        NodeId receiver = c.node(2).id;
        c.intercept(modify(Deal.class, d -> d.from().equals(dealer) && d.to().equals(receiver),
                m -> new Deal(((Deal) m).pedersen(), ((Deal) m).f().add(Scalar.ONE), ((Deal) m).g())));
        KeyGenerationSession s = start(c, 0, 1);
        GenerationFixture.settle(c, s);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 1, c.memberIds());
        assertThat(s.culprits()).isEmpty();
    }

    /**
     * SEC-10 with the checks offloaded: a wrong Feldman vector excludes its dealer, whose vector is reconstructed; every
     * node checks the reconstructed final vector (it differs from the one it checked before) and the key is generated.
     */
    @Test
    void aWrongFeldmanVectorExcludesTheDealerAndTheReconstructedVectorIsChecked_SEC10() {
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        PublicPoint wrong = SecretScalar.random().mulG();
        c.intercept(modify(Feldman.class, d -> d.from().equals(dealer), m -> {
            List<PublicPoint> v = new ArrayList<>(((Feldman) m).feldman());
            v.set(1, wrong);
            return new Feldman(v);
        }));
        KeyGenerationSession s = start(c, 0, 1);
        GenerationFixture.settle(c, s);
        Set<NodeId> rest = new TreeSet<>(c.memberIds());
        rest.remove(dealer);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 1, rest);
        assertThat(s.culprits()).extracting(Culprit::node).containsExactly(dealer);
    }

    /**
     * SEC-10: a master that relays, in its Final, a Feldman vector other than the one a member checked in round 4 is
     * caught by that member's check of the final vector (nothing is skipped for a vector that changed): it blames the
     * master and stores nothing.
     */
    @Test
    void aFinalVectorThatDiffersFromTheCheckedOneIsCheckedAndBlamesTheMaster_SEC10() {
        InMemoryCluster c = cluster(3);
        NodeId master = c.node(0).id;
        NodeId member = c.node(2).id;
        NodeId dealer = c.node(1).id;
        PublicPoint wrong = SecretScalar.random().mulG();
        c.intercept(modify(GenerationMessage.Final.class, d -> d.to().equals(member), m -> {
            GenerationMessage.Final f = (GenerationMessage.Final) m;
            List<GenerationMessage.DealerVector> vs = f.feldman().stream().map(v -> {
                if (!v.dealer().equals(dealer)) return v;
                List<PublicPoint> p = new ArrayList<>(v.points());
                p.set(1, wrong);
                return new GenerationMessage.DealerVector(v.dealer(), p);
            }).toList();
            return new GenerationMessage.Final(vs, f.holders());
        }));
        MemberOutcomes outcomes = MemberOutcomes.watch(c);
        KeyGenerationSession s = start(c, 0, 1);
        GenerationFixture.settle(c, s);
        assertThat(outcomes.culprits(member, SessionType.KEY_GENERATION)).extracting(Culprit::node).containsExactly(master);
        assertThat(c.node(member).storage.get(keyId)).isEmpty();
        assertThat(c.node(member).storage.pendingKeyIds()).doesNotContain(keyId);
    }

    /** SEC-31: the master's own check refuses a credential for another key when its recovery comes back; nothing is sent. */
    @Test
    void theMastersOwnRecoveryRefusesACredentialForAnotherKey_SEC31() {
        InMemoryCluster c = cluster(3);
        KeyGenerationSession s = GenerationFixture.start(c, 0, 1, Availability.DEFAULTS, keyId,
                TestRequesters.fresh(author, c, Operation.GENERATE_SERVER_KEY, GenerationFixture.randomId(RNG), Operation.thresholdParams(1)),
                Operation.GENERATE_SERVER_KEY, RNG);
        assertThat(s.isFinished()).as("the recovery is still to run").isFalse();
        assertThat(c.runComputations()).isEqualTo(1);
        c.deliverAll();
        assertThat(GenerationFixture.failureKind(s)).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(c.deliveredCount()).as("nothing was sent").isZero();
    }

    /** SEC-18 with the checks offloaded: every message delivered twice still generates one key, each check computed once. */
    @Test
    void everyMessageDeliveredTwiceStillGeneratesOnce_SEC18() {
        InMemoryCluster c = cluster(3);
        c.intercept(d -> List.of(d, d));
        KeyGenerationSession s = start(c, 2, 1);
        GenerationFixture.settle(c, s);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 1, c.memberIds());
        assertThat(c.computedCount()).isEqualTo(computations(3));
    }
}
