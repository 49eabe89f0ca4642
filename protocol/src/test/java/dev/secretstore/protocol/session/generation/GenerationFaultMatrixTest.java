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
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.generation.GenerationMessage.Abort;
import dev.secretstore.protocol.session.generation.GenerationMessage.Committed;
import dev.secretstore.protocol.session.generation.GenerationMessage.Deal;
import dev.secretstore.protocol.session.generation.GenerationMessage.Feldman;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanComplaint;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanVerdicts;
import dev.secretstore.protocol.session.generation.GenerationMessage.InitAck;
import dev.secretstore.protocol.session.generation.GenerationMessage.Prepared;
import dev.secretstore.protocol.session.generation.GenerationMessage.Reveal;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdict;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdicts;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Keep-style fault matrix of key generation (SEC-10, SEC-40): for every message a member sends in each phase
 * (init acknowledgement, Pedersen deal, verdicts, reveal, Feldman vector, Feldman verdicts, prepared, committed), one
 * member (never the master, which coordinates) drops it, delays it, corrupts it, or equivocates it (different content
 * to different receivers; for a message that goes to the master only, two different copies, of which the first
 * counts). Three clusters: 1-of-3 and 2-of-5 with everyone up (slack for one exclusion), and 1-of-3 with one member
 * down (no slack). With slack the generation completes with the honest members, the culprit is named and stores
 * nothing, and every holder stores the same Y and commitments; without slack it fails naming the culprit and nobody
 * keeps a row. A fault that only delays, or that comes after the commit decision, excludes nobody.
 */
class GenerationFaultMatrixTest {
    enum Fault { DROP, DELAY, CORRUPT, EQUIVOCATE }

    /** One cluster shape: {@code n} members, threshold {@code t}, the last {@code down} members disconnected. */
    record Shape(int n, int t, int down) {
        @Override
        public String toString() {
            return t + "-of-" + n + (down == 0 ? "" : ", " + down + " down");
        }
    }

    static final List<Class<? extends GenerationMessage>> TYPES = List.of(InitAck.class, Deal.class, Verdicts.class, Reveal.class,
            Feldman.class, FeldmanVerdicts.class, Prepared.class, Committed.class);

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        long seed = 1;
        for (Shape shape : List.of(new Shape(3, 1, 0), new Shape(5, 2, 0), new Shape(3, 1, 1))) {
            for (Class<? extends GenerationMessage> type : TYPES) {
                for (Fault fault : Fault.values()) out.add(Arguments.of(shape, type.getSimpleName(), fault, seed++));
            }
        }
        return out.stream();
    }

    private static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether this fault must exclude the culprit (else every participant ends up holding the key). */
    private static boolean excludes(Shape shape, String type, Fault fault) {
        if (fault == Fault.DELAY || type.equals("Committed")) return false; // late but correct, or after the decision
        int receivers = shape.n() - shape.down() - 1;
        if (type.equals("Deal") && fault != Fault.EQUIVOCATE) return receivers > shape.t(); // > t complaints, else a reveal resolves them
        return true;
    }

    @ParameterizedTest(name = "{0}: {2} {1} [seed {3}]")
    @MethodSource("matrix")
    void oneMembersFaultExcludesOnlyItAndTheOthersAgree(Shape shape, String type, Fault fault, long seed) {
        SecureRandom rng = seeded(seed);
        InMemoryCluster c = GenerationFixture.cluster(shape.n(), rng);
        Set<NodeId> up = new TreeSet<>(c.memberIds());
        for (int i = shape.n() - shape.down(); i < shape.n(); i++) {
            c.disconnect(c.node(i).id);
            up.remove(c.node(i).id);
        }
        NodeId culprit = c.node(1).id;
        NodeId firstOther = up.stream().filter(x -> !x.equals(culprit)).findFirst().orElseThrow();
        H256 keyId = GenerationFixture.randomId(rng);
        KeyPair author = KeyPair.random();
        Set<Delivery> held = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Delivery> released = Collections.newSetFromMap(new IdentityHashMap<>());
        c.intercept(d -> {
            if (released.remove(d)) return List.of(d);
            GenerationMessage body = (GenerationMessage) d.envelope().body();
            if (!d.from().equals(culprit) || !body.getClass().getSimpleName().equals(type)) return List.of(d);
            return switch (fault) {
                case DROP -> List.of();
                case DELAY -> {
                    held.add(d);
                    yield List.of();
                }
                case CORRUPT -> List.of(RobustGenerationTest.with(d, corrupt(body, culprit, c.node(0).id, rng)));
                case EQUIVOCATE -> body instanceof Deal
                        ? List.of(d.to().equals(firstOther) ? RobustGenerationTest.with(d, otherVector((Deal) body)) : d)
                        : List.of(RobustGenerationTest.with(d, corrupt(body, culprit, c.node(0).id, rng)), d);
            };
        });
        KeyGenerationSession s = GenerationFixture.start(c, 0, shape.t(), Availability.DEFAULTS, keyId, author, rng);
        for (int round = 0; round < 12 && !(s.isFinished() && c.allIdle() && held.isEmpty()); round++) {
            c.deliverAll();
            if (!held.isEmpty()) { // the delayed messages arrive after everything else in flight, before any timer
                List<Delivery> late = new ArrayList<>(held);
                held.clear();
                released.addAll(late);
                late.forEach(c::inject);
                continue;
            }
            if (!(s.isFinished() && c.allIdle())) c.advance(InMemoryCluster.STALL);
        }
        assertThat(s.isFinished()).isTrue();
        assertThat(c.allIdle()).isTrue();

        boolean excluded = excludes(shape, type, fault);
        Set<NodeId> holders = new TreeSet<>(up);
        if (excluded) holders.remove(culprit);
        Availability floor = Availability.DEFAULTS;
        if (holders.size() >= floor.floor(shape.t())) {
            PublicPoint y = GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), shape.t(), holders);
            assertThat(y).isNotNull();
            assertThat(s.holders()).isEqualTo(holders);
            assertThat(s.culprits()).extracting(Culprit::node).containsExactlyElementsOf(excluded ? List.of(culprit) : List.of());
        } else {
            assertThat(GenerationFixture.failureKind(s)).isIn(Kind.NODE_DISCONNECTED, Kind.INVALID_MESSAGE);
            assertThat(s.failure().orElseThrow().culprits()).extracting(Culprit::node).containsExactly(culprit);
            GenerationFixture.assertNoRowAnywhere(c, keyId);
        }
    }

    /** A deal whose Pedersen vector differs in one point: what an equivocating dealer shows one receiver. */
    private static Deal otherVector(Deal d) {
        List<PublicPoint> v = new ArrayList<>(d.pedersen());
        v.set(v.size() - 1, SecretScalar.random().mulG());
        return new Deal(v, d.f(), d.g());
    }

    /** The culprit's message with content it may not send (each one attributable to it). */
    private static GenerationMessage corrupt(GenerationMessage m, NodeId culprit, NodeId master, SecureRandom rng) {
        UnaryOperator<List<PublicPoint>> bend = v -> {
            List<PublicPoint> out = new ArrayList<>(v);
            out.set(0, SecretScalar.random(rng).mulG());
            return out;
        };
        if (m instanceof InitAck || m instanceof Committed) {
            return new Abort(Kind.INVALID_MESSAGE, List.of()); // it gives up instead
        }
        if (m instanceof Deal d) return new Deal(d.pedersen(), d.f().add(Scalar.ONE), d.g()); // a pair off its polynomial
        if (m instanceof Verdicts v) {
            List<Verdict> fewer = new ArrayList<>(v.verdicts());
            fewer.remove(0); // SEC-03: one verdict per other dealer, exactly
            return new Verdicts(fewer);
        }
        if (m instanceof Reveal r) return new Reveal(bend.apply(r.pedersen()), r.pairs()); // not the vector it dealt
        if (m instanceof Feldman f) return new Feldman(bend.apply(f.feldman())); // another constant term
        if (m instanceof FeldmanVerdicts) { // a false complaint against the master, with a pair that is not its own
            return new FeldmanVerdicts(List.of(new FeldmanComplaint(master, SecretScalar.random(rng), SecretScalar.random(rng))));
        }
        if (m instanceof Prepared) return new Prepared(GenerationFixture.randomId(rng));
        throw new AssertionError("no corruption for " + m.getClass().getSimpleName() + " of " + culprit.shortId());
    }
}
