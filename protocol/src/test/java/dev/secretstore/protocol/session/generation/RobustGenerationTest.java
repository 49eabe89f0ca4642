package dev.secretstore.protocol.session.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.generation.GenerationMessage.DealerPair;
import dev.secretstore.protocol.session.generation.GenerationMessage.DealerVector;
import dev.secretstore.protocol.session.generation.GenerationMessage.Feldman;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanAll;
import dev.secretstore.protocol.session.generation.GenerationMessage.Final;
import dev.secretstore.protocol.session.generation.GenerationMessage.Init;
import dev.secretstore.protocol.session.generation.GenerationMessage.Shares;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SEC-40: generation with members down, and GJKR's rule that a dealer failing after QUAL is fixed cannot change Y. */
class RobustGenerationTest {
    private final SecureRandom rng = new SecureRandom();
    private final KeyPair author = KeyPair.random();
    private final H256 keyId = GenerationFixture.randomId(rng);

    private KeyGenerationSession start(InMemoryCluster c, int t, Availability availability) {
        return GenerationFixture.start(c, 0, t, availability, keyId, author, rng);
    }

    private static Set<NodeId> ids(InMemoryCluster c, int... indexes) {
        Set<NodeId> out = new TreeSet<>();
        for (int i : indexes) out.add(c.node(i).id);
        return out;
    }

    // ------------------------------------------------------------------ members down at the start

    @ParameterizedTest(name = "{1}-of-{0}, {2} down")
    @CsvSource({"3,1,1", "5,2,2", "5,2,1", "5,1,3", "4,1,2"})
    void theConnectedMembersGenerateAKeyWhoseVersionNamesEveryMember(int n, int t, int down) { // SEC-40
        InMemoryCluster c = GenerationFixture.cluster(n, rng);
        Set<NodeId> absent = new TreeSet<>();
        for (int i = n - down; i < n; i++) {
            c.disconnect(c.node(i).id);
            absent.add(c.node(i).id);
        }
        List<Init> inits = new ArrayList<>();
        c.intercept(d -> {
            if (d.envelope().body() instanceof Init i) inits.add(i);
            return List.of(d);
        });
        KeyGenerationSession s = start(c, t, Availability.DEFAULTS);
        c.deliverAll();
        Set<NodeId> up = new TreeSet<>(c.memberIds());
        up.removeAll(absent);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), t, up); // absent members: no row at all
        assertThat(s.culprits()).as("absent members are not culprits").isEmpty();
        assertThat(c.allIdle()).isTrue();
        // the init told every participant who takes part, and carried id numbers for every member
        assertThat(inits).hasSize(n - down - 1).allSatisfy(i -> {
            assertThat(new TreeSet<>(i.participants())).isEqualTo(up);
            assertThat(i.idNumbers()).hasSize(n);
        });
    }

    @ParameterizedTest(name = "{1}-of-{0}, {2} down")
    @CsvSource({"3,1,2", "5,2,3", "5,3,2"})
    void fewerThanTPlusOneConnectedIsNodeDisconnected(int n, int t, int down) { // SEC-40: floor = t+1
        InMemoryCluster c = GenerationFixture.cluster(n, rng);
        for (int i = n - down; i < n; i++) c.disconnect(c.node(i).id);
        KeyGenerationSession s = start(c, t, Availability.DEFAULTS);
        assertThat(GenerationFixture.failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(c.pending()).as("nothing was sent").isEmpty();
        GenerationFixture.assertNoRowAnywhere(c, keyId);
    }

    @Test
    void theConfiguredFloorIsTheFewestThatGenerate() { // SEC-40: generation_min_members = 4 of 5, t = 1
        InMemoryCluster c = GenerationFixture.cluster(5, rng);
        c.disconnect(c.node(4).id);
        KeyGenerationSession s = start(c, 1, GenerationFixture.floor(4));
        c.deliverAll();
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 1, ids(c, 0, 1, 2, 3));
        c.disconnect(c.node(3).id);
        KeyGenerationSession again = GenerationFixture.start(c, 0, 1, GenerationFixture.floor(4), GenerationFixture.randomId(rng),
                author, rng);
        assertThat(GenerationFixture.failureKind(again)).isEqualTo(Kind.NODE_DISCONNECTED);
    }

    // ------------------------------------------------------------------ a QUAL dealer failing afterwards (GJKR)

    /** How the dealer fails once QUAL is fixed. */
    enum LateFault { DROPS_FELDMAN, BAD_FELDMAN, WRONG_LENGTH_FELDMAN, DISCONNECTS_AFTER_QUAL }

    /**
     * Y is the sum of the constant terms of every QUAL dealer, the failed one included: its A_i is reconstructed from
     * the others' Pedersen-verified pairs, so its exclusion does not let anyone move Y (GJKR; docs/availability/generation.md).
     */
    @ParameterizedTest(name = "{1}-of-{0}: {2}")
    @CsvSource({"3,1,DROPS_FELDMAN", "3,1,BAD_FELDMAN", "3,1,WRONG_LENGTH_FELDMAN", "3,1,DISCONNECTS_AFTER_QUAL",
        "5,2,DROPS_FELDMAN", "5,2,BAD_FELDMAN", "5,2,DISCONNECTS_AFTER_QUAL"})
    void aDealerFailingAfterQualIsReconstructedAndYIsUnchanged(int n, int t, LateFault fault) { // SEC-10, SEC-40
        InMemoryCluster c = GenerationFixture.cluster(n, rng);
        NodeId late = c.node(1).id;
        Map<NodeId, List<PublicPoint>> genuine = new HashMap<>();
        List<FeldmanAll> relayed = new ArrayList<>();
        List<Final> finals = new ArrayList<>();
        boolean[] cut = {false};
        c.intercept(d -> {
            Object body = d.envelope().body();
            if (body instanceof FeldmanAll all) relayed.add(all);
            if (body instanceof Final f) finals.add(f);
            if (body instanceof Feldman f && d.from().equals(late)) {
                genuine.put(late, f.feldman());
                switch (fault) {
                    case DROPS_FELDMAN -> {
                        return List.of();
                    }
                    case BAD_FELDMAN -> {
                        List<PublicPoint> v = new ArrayList<>(f.feldman());
                        v.set(0, SecretScalar.random().mulG()); // another constant term: an attempt to move Y
                        return List.of(with(d, new Feldman(v)));
                    }
                    case WRONG_LENGTH_FELDMAN -> {
                        List<PublicPoint> v = new ArrayList<>(f.feldman());
                        v.add(SecretScalar.random().mulG());
                        return List.of(with(d, new Feldman(v)));
                    }
                    default -> { }
                }
            }
            return List.of(d);
        });
        KeyGenerationSession s = start(c, t, Availability.DEFAULTS);
        if (fault == LateFault.DISCONNECTS_AFTER_QUAL) {
            while (!cut[0] && c.deliverOne()) {
                if (!genuine.isEmpty()) cut[0] = true; // its A_i was sent (and is in flight): it leaves now
            }
            c.disconnect(late);
        }
        GenerationFixture.settle(c, s);
        Set<NodeId> rest = new TreeSet<>(c.memberIds());
        rest.remove(late);
        PublicPoint y = GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), t, rest);
        assertThat(s.culprits()).extracting(Culprit::node).containsExactly(late);

        // Y = Σ over QUAL of f_i[0]·G, with the failed dealer's genuine constant term
        Map<NodeId, List<PublicPoint>> vectors = new HashMap<>(genuine);
        for (DealerVector v : finals.get(0).feldman()) vectors.putIfAbsent(v.dealer(), v.points());
        assertThat(vectors.keySet()).as("QUAL is every member").isEqualTo(c.memberIds());
        PublicPoint sum = null;
        for (List<PublicPoint> v : vectors.values()) sum = sum == null ? v.get(0) : sum.add(v.get(0));
        assertThat(y).isEqualTo(sum);
        // the reconstructed vector the master relayed is the failed dealer's genuine one
        DealerVector reconstructed = finals.get(0).feldman().stream().filter(v -> v.dealer().equals(late)).findFirst().orElseThrow();
        assertThat(reconstructed.points()).isEqualTo(genuine.get(late));
        // dropping the failed dealer instead would have given another key
        assertThat(y).isNotEqualTo(sum.subtract(genuine.get(late).get(0)));
        assertThat(relayed).isNotEmpty();
    }

    @Test
    void aHolderRevealingABadPairForTheReconstructionIsExcludedToo() { // SEC-10, SEC-40: 5 members, t = 2, floor 3
        InMemoryCluster c = GenerationFixture.cluster(5, rng);
        NodeId late = c.node(1).id;
        NodeId liar = c.node(2).id;
        c.intercept(d -> {
            Object body = d.envelope().body();
            if (body instanceof Feldman && d.from().equals(late)) return List.of();
            if (body instanceof Shares sh && d.from().equals(liar)) {
                return List.of(with(d, new Shares(sh.pairs().stream()
                        .map(p -> new DealerPair(p.dealer(), p.f().add(Scalar.ONE), p.g())).toList())));
            }
            return List.of(d);
        });
        KeyGenerationSession s = start(c, 2, Availability.DEFAULTS);
        GenerationFixture.settle(c, s);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 2, ids(c, 0, 3, 4));
        assertThat(s.culprits()).extracting(Culprit::node).containsExactly(late, liar);
        assertThat(s.culprits()).extracting(Culprit::reason).containsExactly(Culprit.Reason.NO_ANSWER, Culprit.Reason.INVALID_CONTRIBUTION);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Feldman", "Verdicts"})
    void aCulpritWithNoSlackLeftFailsTheGenerationNamingIt(String dropped) { // SEC-40: N = 3, t = 1, one down
        InMemoryCluster c = GenerationFixture.cluster(3, rng);
        c.disconnect(c.node(2).id);
        NodeId culprit = c.node(1).id;
        c.intercept(d -> d.from().equals(culprit) && d.envelope().body().getClass().getSimpleName().equals(dropped) ? List.of() : List.of(d));
        KeyGenerationSession s = start(c, 1, Availability.DEFAULTS);
        GenerationFixture.settle(c, s);
        assertThat(GenerationFixture.failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(s.failure().orElseThrow().culprits()).extracting(Culprit::node).containsExactly(culprit);
        GenerationFixture.assertNoRowAnywhere(c, keyId);
    }

    @ParameterizedTest(name = "member ends with {0}")
    @CsvSource({"NODE_DISCONNECTED,NO_ANSWER,NODE_DISCONNECTED", "INVALID_MESSAGE,REFUSED,INVALID_MESSAGE"})
    void aMemberThatEndsItsSessionIsExcludedAsLostOrRefusing(Kind ended, Culprit.Reason reason, Kind answer) { // SEC-40
        InMemoryCluster c = GenerationFixture.cluster(3, rng);
        NodeId quitter = c.node(1).id;
        c.intercept(d -> d.from().equals(quitter) && d.envelope().body() instanceof GenerationMessage.InitAck
                ? List.of(with(d, new GenerationMessage.Abort(ended, List.of()))) : List.of(d));
        KeyGenerationSession s = start(c, 1, GenerationFixture.floor(3)); // no slack: the exclusion ends the request
        GenerationFixture.settle(c, s);
        assertThat(GenerationFixture.failureKind(s)).isEqualTo(answer);
        assertThat(s.culprits()).extracting(Culprit::node, Culprit::reason).containsExactly(org.assertj.core.groups.Tuple.tuple(quitter, reason));
        GenerationFixture.assertNoRowAnywhere(c, keyId);
    }

    static Delivery with(Delivery d, GenerationMessage body) {
        Envelope e = d.envelope();
        return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    static Function<Delivery, List<Delivery>> passAll() {
        return List::of;
    }
}
