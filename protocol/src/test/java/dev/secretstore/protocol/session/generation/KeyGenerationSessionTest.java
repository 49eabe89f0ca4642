package dev.secretstore.protocol.session.generation;

import static dev.secretstore.protocol.session.generation.GenerationFixture.modify;
import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.threshold.IdNumbers;
import dev.secretstore.crypto.threshold.Lagrange;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.InMemoryKeyStorage;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.key.KeyVersion;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestKeys;
import dev.secretstore.protocol.session.generation.GenerationMessage.Abort;
import dev.secretstore.protocol.session.generation.GenerationMessage.Deal;
import dev.secretstore.protocol.session.generation.GenerationMessage.Feldman;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanComplaint;
import dev.secretstore.protocol.session.generation.GenerationMessage.FeldmanVerdicts;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import dev.secretstore.protocol.session.generation.GenerationMessage.Init;
import dev.secretstore.protocol.session.generation.GenerationMessage.Prepared;
import dev.secretstore.protocol.session.generation.GenerationMessage.Reveal;
import dev.secretstore.protocol.session.generation.GenerationMessage.RevealedPair;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdict;
import dev.secretstore.protocol.session.generation.GenerationMessage.Verdicts;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key generation (endpoint 1): verified DKG with identifiable abort (SEC-10) and two-phase commit (SEC-25). */
class KeyGenerationSessionTest {
    private static final SecureRandom RNG = new SecureRandom();
    private final KeyPair author = KeyPair.random();
    private final H256 keyId = randomId();

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    private static InMemoryCluster cluster(int n) {
        return GenerationFixture.cluster(n, RNG);
    }

    /** A 1-of sharing of a key with this test's id to every node of {@code c}, as an earlier generation left it (nothing stored). */
    private TestKeys.Sharing existing(InMemoryCluster c) {
        return TestKeys.deal(keyId, author.address(), 1, TestKeys.randomIds(List.copyOf(c.memberIds()), RNG), Optional.empty(), RNG);
    }

    private KeyGenerationSession start(InMemoryCluster c, int masterIndex, long t) {
        return start(c, masterIndex, t, Availability.DEFAULTS);
    }

    private KeyGenerationSession start(InMemoryCluster c, int masterIndex, long t, Availability availability) {
        return GenerationFixture.start(c, masterIndex, t, availability, keyId, author, RNG);
    }

    private static Kind failureKind(KeyGenerationSession s) {
        assertThat(s.isFinished()).isTrue();
        try {
            s.result().join();
        } catch (CompletionException e) {
            return ((SecretStoreException) e.getCause()).kind();
        }
        throw new AssertionError("session succeeded");
    }

    /** Every node holds the same committed key; own shares match the stored commitments; any t+1 shares give Y. */
    private void assertGeneratedEverywhere(InMemoryCluster c, KeyGenerationSession s, int t) {
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), t, c.memberIds());
        assertThat(s.culprits()).isEmpty();
        assertThat(c.allIdle()).isTrue();
    }

    /**
     * SEC-10, SEC-40: the generation completes without {@code culprit}, which is named, stores nothing and is the only
     * node blamed; the others store the same key.
     */
    private void assertExcluded(InMemoryCluster c, KeyGenerationSession s, NodeId culprit, int t) {
        GenerationFixture.settle(c, s);
        java.util.Set<NodeId> rest = new java.util.TreeSet<>(c.memberIds());
        rest.remove(culprit);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), t, rest);
        assertThat(s.culprits()).extracting(dev.secretstore.protocol.Culprit::node).containsExactly(culprit);
        assertThat(s.blamed()).containsExactly(culprit);
    }

    /** SEC-25: no node has the key committed; no node except {@code except} holds a pending row. */
    private void assertCommittedNowhere(InMemoryCluster c, NodeId... except) {
        List<NodeId> cut = List.of(except);
        for (InMemoryCluster.Node n : c.nodes()) {
            assertThat(n.storage.get(keyId)).as(n.id.shortId()).isEmpty();
            if (!cut.contains(n.id)) assertThat(n.storage.pendingKeyIds()).as(n.id.shortId()).isEmpty();
        }
    }

    private static PublicPoint randomPoint() {
        return SecretScalar.random().mulG();
    }

    // ------------------------------------------------------------------ success

    @ParameterizedTest(name = "{1}-of-{0}")
    @CsvSource({"1,0", "3,1", "5,2", "7,3"})
    void generatesTheSameKeyEverywhere(int n, int t) {
        InMemoryCluster c = cluster(n);
        KeyGenerationSession s = start(c, n - 1, t);
        c.deliverAll();
        assertGeneratedEverywhere(c, s, t);
    }

    @Test
    void zeroThresholdOnThreeNodes() {
        InMemoryCluster c = cluster(3);
        KeyGenerationSession s = start(c, 0, 0);
        c.deliverAll();
        assertGeneratedEverywhere(c, s, 0);
    }

    // ------------------------------------------------------------------ request errors (http-api.md §6.2)

    @Test
    void existingKeyIsAlreadyGenerated() {
        InMemoryCluster c = cluster(3);
        start(c, 0, 1);
        c.deliverAll();
        KeyGenerationSession again = start(c, 1, 1);
        assertThat(failureKind(again)).isEqualTo(Kind.SERVER_KEY_ALREADY_GENERATED);
        assertThat(again.failure().orElseThrow().displayText()).isEqualTo("Server key with this ID is already generated");
        c.deliverAll();
        assertThat(c.allIdle()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void keyExistingOnlyOnASlaveIsRefusedByIt(boolean committed) {
        // a cluster in which only one slave already holds a row for this key id
        InMemoryCluster d = cluster(3);
        d.node(2).storage.prepareNewKey(existing(d).of(d.node(2).id));
        if (committed) d.node(2).storage.commit(keyId);
        KeyGenerationSession s = start(d, 0, 1);
        d.deliverAll();
        // committed: final; only prepared: retryable, the recovery path decides the row (issue #12 defect 3)
        assertThat(failureKind(s)).isEqualTo(committed ? Kind.SERVER_KEY_ALREADY_GENERATED : Kind.TOO_EARLY_FOR_REQUEST);
        assertThat(d.node(0).storage.get(keyId)).isEmpty();
        assertThat(d.node(1).storage.pendingKeyIds()).isEmpty();
        assertThat(d.node(2).storage.pendingKeyIds()).isEqualTo(committed ? java.util.Set.of() : java.util.Set.of(keyId)); // its own row is untouched
        assertThat(d.allIdle()).isTrue();
    }

    @Test
    void keyPendingOnTheMasterIsRefusedAsRetryable_issue12_defect3() { // SEC-25: a prepared, unresolved key still blocks the id
        InMemoryCluster c = cluster(3);
        c.node(0).storage.prepareNewKey(existing(c).of(c.node(0).id));
        KeyGenerationSession s = start(c, 0, 1);
        // the row may still be discarded by the recovery path: not "already generated", but try again
        assertThat(failureKind(s)).isEqualTo(Kind.TOO_EARLY_FOR_REQUEST);
        assertThat(s.failure().orElseThrow().kind().retryable()).isTrue();
        assertThat(c.pending()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4})
    void thresholdNotBelowNodeCountIsRefused(int t) {
        InMemoryCluster c = cluster(3);
        KeyGenerationSession s = start(c, 0, t);
        assertThat(failureKind(s)).isEqualTo(Kind.NOT_ENOUGH_NODES_FOR_THRESHOLD);
        assertThat(c.pending()).isEmpty();
    }

    @Test
    void membersBelowTheFloorFailBeforeAnythingIsSent() { // SEC-40: t+1 = 2 members needed, only the master is connected
        InMemoryCluster c = cluster(3);
        c.disconnect(c.node(1).id);
        c.disconnect(c.node(2).id);
        KeyGenerationSession s = start(c, 0, 1);
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(c.pending()).isEmpty();
        assertCommittedNowhere(c);
    }

    @Test
    void aConfiguredFloorAboveTPlusOneIsHonoured() { // SEC-40: generation_min_members = 3 with one of three down
        InMemoryCluster c = cluster(3);
        c.disconnect(c.node(2).id);
        KeyGenerationSession s = start(c, 0, 1, GenerationFixture.floor(3));
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(c.pending()).isEmpty();
        assertCommittedNowhere(c);
    }

    // ------------------------------------------------------------------ disconnection, stall, delivery (SEC-18, SEC-19, SEC-25)

    @ParameterizedTest(name = "cut after {0}")
    @ValueSource(strings = {"Init", "InitAck", "Start", "Deal", "Verdicts", "Complaints", "Reveal", "Qual", "Feldman", "FeldmanAll",
        "FeldmanVerdicts", "Final"})
    void memberLostAfterEachRoundIsExcludedAndTheOthersGenerate(String afterType) { // SEC-25, SEC-40
        InMemoryCluster c = cluster(3);
        boolean[] seen = {false};
        c.intercept(d -> {
            if (d.envelope().body().getClass().getSimpleName().equals(afterType)) seen[0] = true;
            return List.of(d);
        });
        KeyGenerationSession s = start(c, 0, 1);
        while (!seen[0] && c.deliverOne()) {
            // step until the first message of that type was delivered
        }
        assertThat(seen[0]).isTrue();
        NodeId cut = c.node(2).id;
        c.disconnect(cut);
        c.deliverAll();
        assertThat(s.result()).as("the master answers without waiting for a timer").isDone();
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 1, java.util.Set.of(c.node(0).id, c.node(1).id));
        assertThat(s.culprits()).extracting(dev.secretstore.protocol.Culprit::node).containsExactly(cut);
        assertThat(s.culprits().get(0).reason()).isEqualTo(dev.secretstore.protocol.Culprit.Reason.DISCONNECTED);
        assertThat(c.allIdle()).isTrue();
    }

    @ParameterizedTest(name = "member lost with the floor at three, after {0}")
    @ValueSource(strings = {"InitAck", "Deal", "Reveal", "Feldman", "Final"})
    void memberLostBelowTheFloorAbortsEverywhere(String afterType) { // SEC-25, SEC-40
        InMemoryCluster c = cluster(3);
        boolean[] seen = {false};
        c.intercept(d -> {
            if (d.envelope().body().getClass().getSimpleName().equals(afterType)) seen[0] = true;
            return List.of(d);
        });
        KeyGenerationSession s = start(c, 0, 1, GenerationFixture.floor(3));
        while (!seen[0] && c.deliverOne()) {
            // step until the first message of that type was delivered
        }
        NodeId cut = c.node(2).id;
        c.disconnect(cut);
        c.deliverAll();
        assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
        assertThat(s.failure().orElseThrow().culprits()).extracting(dev.secretstore.protocol.Culprit::node).containsExactly(cut);
        // the cut-off node may have prepared and never heard the decision: its row stays invisible (pending)
        assertCommittedNowhere(c, cut);
        assertThat(c.allIdle()).isTrue();
    }

    @ParameterizedTest(name = "master cut after {0}")
    @ValueSource(strings = {"Init", "InitAck", "Deal", "Verdicts", "Reveal", "Feldman", "FeldmanVerdicts", "Prepared"})
    void masterLostAfterEachRoundCommitsNothing(String afterType) { // SEC-25
        InMemoryCluster c = cluster(3);
        boolean[] seen = {false};
        c.intercept(d -> {
            if (d.envelope().body().getClass().getSimpleName().equals(afterType)) seen[0] = true;
            return List.of(d);
        });
        KeyGenerationSession s = start(c, 0, 1);
        while (!seen[0] && c.deliverOne()) {
            // step until the first message of that type was delivered
        }
        c.disconnect(c.node(0).id);
        c.deliverAll();
        if (afterType.equals("Prepared") && !s.result().isCompletedExceptionally()) {
            // the master saw one member prepared and the other lost: it decided with the floor of two (SEC-40); its commit is
            // the decision record the members' recovery path finds, and no member committed without hearing it
            assertThat(c.node(0).storage.get(keyId)).isPresent();
            assertThat(c.node(1).storage.get(keyId)).isEmpty();
            assertThat(c.node(2).storage.get(keyId)).isEmpty();
        } else {
            assertThat(failureKind(s)).isEqualTo(Kind.NODE_DISCONNECTED);
            // slaves that prepared never heard a decision and keep invisible pending rows; the master discarded its own
            assertCommittedNowhere(c, c.node(1).id, c.node(2).id);
        }
        assertThat(c.allIdle()).isTrue();
    }

    @ParameterizedTest(name = "drop every {0}")
    @ValueSource(strings = {"InitAck", "Deal", "Verdicts", "Reveal", "Feldman", "FeldmanVerdicts", "Prepared"})
    void stalledSessionTimesOutAndNothingIsCommitted(String dropped) { // SEC-19, SEC-25: nobody answers, so nobody is left
        InMemoryCluster c = cluster(3);
        c.intercept(d -> d.envelope().body().getClass().getSimpleName().equals(dropped) ? List.of() : List.of(d));
        KeyGenerationSession s = start(c, 0, 1);
        c.deliverAll();
        assertThat(s.isFinished()).isFalse();
        GenerationFixture.settle(c, s);
        assertThat(failureKind(s)).isIn(Kind.NODE_DISCONNECTED, Kind.INVALID_MESSAGE);
        assertThat(s.failure().orElseThrow().culprits()).isNotEmpty();
        assertCommittedNowhere(c);
    }

    @Test
    void everyMessageDeliveredEightTimesStillGeneratesOnce() { // SEC-18
        InMemoryCluster c = cluster(3);
        c.intercept(d -> Collections.nCopies(8, d));
        KeyGenerationSession s = start(c, 1, 1);
        c.deliverAll();
        assertGeneratedEverywhere(c, s, 1);
    }

    @Test
    void shuffledDeliveryStillGenerates() {
        InMemoryCluster c = cluster(5);
        Random shuffle = new Random(7);
        KeyGenerationSession s = start(c, 2, 2);
        while (!c.pending().isEmpty()) {
            List<Delivery> batch = new ArrayList<>(c.pending());
            c.intercept(d -> List.of());
            for (int i = 0; i < batch.size(); i++) c.deliverOne();
            c.intercept(List::of);
            Collections.shuffle(batch, shuffle);
            batch.forEach(c::inject);
            for (int i = 0; i < batch.size(); i++) c.deliverOne();
        }
        assertGeneratedEverywhere(c, s, 2);
    }

    @Test
    void forgedAndForeignSendersAreDropped() { // SEC-18
        InMemoryCluster c = cluster(3);
        KeyGenerationSession s = start(c, 0, 1);
        Delivery init = c.pending().get(0);
        c.deliverOne();
        c.deliverOne();
        // a member forging the master's Init for another session: claimed sender ≠ authenticated peer
        Envelope e = init.envelope();
        c.inject(new Delivery(c.node(1).id, c.node(2).id,
                new Envelope(e.type(), randomId(), e.master(), e.sender(), e.body())));
        // a foreign node (not a member) sending a deal into the running session
        NodeId foreign = new NodeId(KeyPair.random().publicKey());
        c.inject(new Delivery(foreign, c.node(1).id, new Envelope(e.type(), e.sessionId(), e.master(), foreign,
                new Deal(List.of(randomPoint(), randomPoint()), SecretScalar.random(), SecretScalar.random()))));
        c.deliverAll();
        assertGeneratedEverywhere(c, s, 1);
        // replaying the Init after completion starts nothing
        c.inject(init);
        c.deliverAll();
        assertThat(c.allIdle()).isTrue();
    }

    // ------------------------------------------------------------------ identifiable abort (SEC-10)

    /** Aborts sent by the master, recorded by {@link #tamper}. */
    private final List<Abort> masterAborts = new ArrayList<>();

    /** Installs a tampering interceptor that also records the master's Abort messages. */
    private void tamper(InMemoryCluster c, Function<Delivery, List<Delivery>> f) {
        c.intercept(d -> {
            if (d.envelope().body() instanceof Abort a && d.from().equals(d.envelope().master())) masterAborts.add(a);
            return f.apply(d);
        });
    }

    private void assertBlamed(InMemoryCluster c, KeyGenerationSession s, NodeId culprit) {
        c.deliverAll();
        assertThat(failureKind(s)).isEqualTo(Kind.INVALID_MESSAGE);
        assertThat(s.culprit()).contains(culprit);
        assertThat(s.failure().orElseThrow().culprits()).extracting(dev.secretstore.protocol.Culprit::node).containsExactly(culprit);
        assertThat(masterAborts).isNotEmpty().allSatisfy(a -> assertThat(a.culprits()).containsExactly(culprit));
        assertCommittedNowhere(c);
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void corruptedSharePairIsResolvedByRevealAndSucceeds() { // SEC-10: complaint without blame
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        NodeId receiver = c.node(2).id;
        tamper(c, modify(Deal.class, d -> d.from().equals(dealer) && d.to().equals(receiver),
                m -> new Deal(((Deal) m).pedersen(), ((Deal) m).f().add(Scalar.ONE), ((Deal) m).g())));
        KeyGenerationSession s = start(c, 0, 1);
        c.deliverAll();
        assertGeneratedEverywhere(c, s, 1);
    }

    @Test
    void dealerRevealingAWrongPairIsNamed() { // SEC-10
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        NodeId receiver = c.node(2).id;
        Function<Delivery, List<Delivery>> badDeal = modify(Deal.class, d -> d.from().equals(dealer) && d.to().equals(receiver),
                m -> new Deal(((Deal) m).pedersen(), ((Deal) m).f().add(Scalar.ONE), ((Deal) m).g()));
        Function<Delivery, List<Delivery>> badReveal = modify(Reveal.class, d -> d.from().equals(dealer),
                m -> new Reveal(((Reveal) m).pedersen(), ((Reveal) m).pairs().stream()
                        .map(p -> new RevealedPair(p.complainer(), p.f().add(Scalar.ONE), p.g())).toList()));
        tamper(c, d -> badDeal.apply(d).stream().flatMap(x -> badReveal.apply(x).stream()).toList());
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, dealer, 1);
    }

    @Test
    void dealerNotAnsweringAComplaintIsNamed() { // SEC-10
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        NodeId receiver = c.node(2).id;
        Function<Delivery, List<Delivery>> badDeal = modify(Deal.class, d -> d.from().equals(dealer) && d.to().equals(receiver),
                m -> new Deal(((Deal) m).pedersen(), ((Deal) m).f().add(Scalar.ONE), ((Deal) m).g()));
        Function<Delivery, List<Delivery>> silent = modify(Reveal.class, d -> d.from().equals(dealer),
                m -> new Reveal(((Reveal) m).pedersen(), List.of()));
        tamper(c, d -> badDeal.apply(d).stream().flatMap(x -> silent.apply(x).stream()).toList());
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, dealer, 1);
    }

    @Test
    void dealerEquivocatingPedersenVectorsIsNamed() { // SEC-10
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(2).id;
        NodeId receiver = c.node(1).id;
        PublicPoint other = randomPoint();
        tamper(c, modify(Deal.class, d -> d.from().equals(dealer) && d.to().equals(receiver), m -> {
            Deal d = (Deal) m;
            List<PublicPoint> v = new ArrayList<>(d.pedersen());
            v.set(1, other);
            return new Deal(v, d.f(), d.g());
        }));
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, dealer, 1);
    }

    @Test
    void moreThanThresholdComplaintsAgainstTheMasterFailNamingIt() { // SEC-10: the coordinator cannot be excluded
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(0).id; // the master itself deals badly to both others (t = 1)
        tamper(c, modify(Deal.class, d -> d.from().equals(dealer),
                m -> new Deal(((Deal) m).pedersen(), ((Deal) m).f().add(Scalar.ONE), ((Deal) m).g())));
        KeyGenerationSession s = start(c, 0, 1);
        assertBlamed(c, s, dealer);
    }

    @Test
    void moreThanThresholdComplaintsExcludeAMemberDealer() { // SEC-10
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        tamper(c, modify(Deal.class, d -> d.from().equals(dealer),
                m -> new Deal(((Deal) m).pedersen(), ((Deal) m).f().add(Scalar.ONE), ((Deal) m).g())));
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, dealer, 1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"drop", "duplicate"})
    void malformedVerdictListNamesTheReporter(String how) { // SEC-03: one verdict per other dealer, exactly
        InMemoryCluster c = cluster(3);
        NodeId reporter = c.node(1).id;
        tamper(c, modify(Verdicts.class, d -> d.from().equals(reporter), m -> {
            List<Verdict> v = new ArrayList<>(((Verdicts) m).verdicts());
            if (how.equals("drop")) v.remove(0);
            else v.add(v.get(0));
            return new Verdicts(v);
        }));
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, reporter, 1);
    }

    @Test
    void wrongFeldmanVectorExcludesTheDealerAndKeepsItsContribution() { // SEC-10, GJKR reconstruction
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        PublicPoint wrong = randomPoint();
        tamper(c, modify(Feldman.class, d -> d.from().equals(dealer), m -> {
            List<PublicPoint> v = new ArrayList<>(((Feldman) m).feldman());
            v.set(1, wrong);
            return new Feldman(v);
        }));
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, dealer, 1);
    }

    @Test
    void falseFeldmanComplaintNamesTheComplainer() { // SEC-10
        InMemoryCluster c = cluster(3);
        NodeId complainer = c.node(2).id;
        NodeId dealer = c.node(1).id;
        SecretScalar f = SecretScalar.random();
        SecretScalar g = SecretScalar.random();
        tamper(c, modify(FeldmanVerdicts.class, d -> d.from().equals(complainer), m -> {
            return new FeldmanVerdicts(List.of(new FeldmanComplaint(dealer, f, g)));
        }));
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, complainer, 1);
    }

    @Test
    void differingTranscriptHashExcludesTheNodeBeforeTheCommit() { // SEC-10 round 5, SEC-25
        InMemoryCluster c = cluster(3);
        NodeId liar = c.node(2).id;
        tamper(c, modify(Prepared.class, d -> d.from().equals(liar), m -> new Prepared(randomId())));
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, liar, 1); // it had prepared: the master's abort made it discard
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"Deal,1", "Deal,-1", "Deal,0", "Feldman,1", "Feldman,-1", "Feldman,0"})
    void wrongLengthVectorNamesTheSender(String type, int delta) { // SEC-03: add, drop or duplicate one entry
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        PublicPoint extra = randomPoint();
        Function<List<PublicPoint>, List<PublicPoint>> resize = v -> {
            List<PublicPoint> out = new ArrayList<>(v);
            if (delta > 0) out.add(extra);
            else if (delta < 0) out.remove(out.size() - 1);
            else out.add(out.get(out.size() - 1)); // duplicated last entry
            return out;
        };
        tamper(c, type.equals("Deal")
                ? modify(Deal.class, d -> d.from().equals(dealer),
                        m -> new Deal(resize.apply(((Deal) m).pedersen()), ((Deal) m).f(), ((Deal) m).g()))
                : modify(Feldman.class, d -> d.from().equals(dealer), m -> new Feldman(resize.apply(((Feldman) m).feldman()))));
        KeyGenerationSession s = start(c, 0, 1);
        assertExcluded(c, s, dealer, 1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zero", "duplicate", "node listed twice", "member missing"})
    void badIdNumbersAreRefused(String corruption) { // SEC-02
        InMemoryCluster c = cluster(3);
        NodeId receiver = c.node(2).id;
        tamper(c, modify(Init.class, d -> d.to().equals(receiver), m -> {
            Init init = (Init) m;
            List<IdNumber> ids = new ArrayList<>(init.idNumbers());
            switch (corruption) {
                case "zero" -> ids.set(0, new IdNumber(ids.get(0).node(), Scalar.ZERO));
                case "duplicate" -> ids.set(0, new IdNumber(ids.get(0).node(), ids.get(1).x()));
                case "node listed twice" -> ids.set(0, new IdNumber(ids.get(1).node(), ids.get(0).x()));
                default -> ids.remove(0);
            }
            return new Init(init.keyId(), init.credential(), init.operation(), init.threshold(), ids, init.participants());
        }));
        KeyGenerationSession s = start(c, 0, 1);
        c.deliverAll();
        assertThat(failureKind(s)).isEqualTo(Kind.INVALID_MESSAGE);
        assertCommittedNowhere(c);
        assertThat(c.allIdle()).isTrue();
    }

    @Test
    void afterAnAbortANewSessionSucceeds() { // crypto.md §10.3.2: no automatic retry, a new request works (floor 3: no slack)
        InMemoryCluster c = cluster(3);
        NodeId dealer = c.node(1).id;
        PublicPoint wrong = randomPoint();
        tamper(c, modify(Feldman.class, d -> d.from().equals(dealer), m -> {
            List<PublicPoint> v = new ArrayList<>(((Feldman) m).feldman());
            v.set(0, wrong);
            return new Feldman(v);
        }));
        KeyGenerationSession s = start(c, 0, 1, GenerationFixture.floor(3));
        assertBlamed(c, s, dealer);
        tamper(c, List::of);
        KeyGenerationSession again = start(c, 0, 1);
        c.deliverAll();
        assertGeneratedEverywhere(c, again, 1);
    }

    // ------------------------------------------------------------------ issue #12: the two-phase commit's rules

    @Test
    void issue12_defect2_theMasterAnswersOnlyAfterEveryMemberCommitted() { // SEC-25, read-your-writes
        InMemoryCluster c = cluster(3);
        NodeId slow = c.node(2).id;
        List<Delivery> held = new ArrayList<>();
        c.intercept(d -> {
            if (d.to().equals(slow) && d.envelope().body() instanceof GenerationMessage.Commit) {
                held.add(d); // the Commit to node 2 is late
                return List.of();
            }
            return List.of(d);
        });
        KeyGenerationSession s = start(c, 0, 1);
        c.deliverAll();
        assertThat(held).hasSize(1);
        // the client's next request may go through node 2: the answer must not precede node 2's commit
        assertThat(c.node(2).storage.get(keyId)).isEmpty();
        assertThat(s.result()).isNotDone();
        c.intercept(List::of);
        held.forEach(c::inject);
        c.deliverAll();
        assertGeneratedEverywhere(c, s, 1);
    }

    @ParameterizedTest(name = "member {0} cannot write")
    @ValueSource(ints = {1, 2})
    void issue12_defect3_aMembersDiskErrorAbortsEverywhereAtOnceAndARetrySucceeds(int failing) { // SEC-25
        InMemoryCluster c = cluster(3);
        InMemoryKeyStorage disk = (InMemoryKeyStorage) c.node(failing).storage;
        disk.failPrepares(true);
        KeyGenerationSession s = start(c, 0, 1);
        c.deliverAll(); // no clock advance: nobody may be left waiting for a timer
        assertThat(failureKind(s)).isEqualTo(Kind.DATABASE); // not "invalid message is received"
        assertThat(c.allIdle()).as("prepared members accepted the master's abort").isTrue();
        assertCommittedNowhere(c);
        disk.failPrepares(false);
        KeyGenerationSession retry = start(c, 0, 1); // not "Server key with this ID is already generated"
        c.deliverAll();
        assertGeneratedEverywhere(c, retry, 1);
    }
}
