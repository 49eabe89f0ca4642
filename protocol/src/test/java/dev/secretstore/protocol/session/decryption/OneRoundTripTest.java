package dev.secretstore.protocol.session.decryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.decryption.DecryptionFixture.TestAcl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #18, one round trip for the common path: the master sends the first attempt's partial requests to a presumed
 * group right behind the consensus request, each member computes only once its own ACL said yes (SEC-21) and only for
 * a version it holds committed (SEC-26), the master combines only verified partials of members that all voted yes
 * (SEC-12), and any refusal, fault, missing version or lost member falls back to an attempt chosen from the votes,
 * blaming as before. Every run goes through the real codec on the in-memory cluster (one FIFO queue).
 */
class OneRoundTripTest {

    /** Every message, in delivery order, with its sender and receiver. */
    private static List<Delivery> record(DecryptionFixture f) {
        List<Delivery> log = new ArrayList<>();
        f.cluster.intercept(d -> {
            log.add(d);
            return List.of(d);
        });
        return log;
    }

    private static boolean isPartial(SessionMessage m) {
        return m instanceof DecryptionMessage.PartialResponse || m instanceof DecryptionMessage.ShadowPartialResponse;
    }

    private static long count(List<Delivery> log, Predicate<Delivery> which) {
        return log.stream().filter(which).count();
    }

    private static H256 attemptOf(SessionMessage m) {
        if (m instanceof DecryptionMessage.PartialResponse r) return r.attemptId();
        return ((DecryptionMessage.ShadowPartialResponse) m).attemptId();
    }

    private static Delivery with(Delivery d, SessionMessage body) {
        Envelope e = d.envelope();
        return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    private static Delivery tamperPoint(Delivery d) {
        SessionMessage b = d.envelope().body();
        if (b instanceof DecryptionMessage.PartialResponse r) {
            return with(d, new DecryptionMessage.PartialResponse(r.attemptId(), r.shadowPoint().add(PublicPoint.generator()), r.proof()));
        }
        if (b instanceof DecryptionMessage.ShadowPartialResponse r) {
            return with(d, new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint().add(PublicPoint.generator()),
                    r.w(), r.proof(), r.encryptedDecryptShadow()));
        }
        return d;
    }

    // ------------------------------------------------------------------ the common path

    /**
     * Every master of N = 3, t = 1, both endpoints: one member round trip, one attempt, each group member asked once
     * for a partial, nobody refuses.
     */
    @ParameterizedTest(name = "master {0}, shadow={1}")
    @CsvSource({"0,true", "1,true", "2,true", "0,false", "2,false"})
    void theCommonPathIsOneRoundTrip(int master, boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        List<Delivery> log = record(f);
        DecryptionSession s = f.start(master, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.roundTrips()).isEqualTo(1);
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(count(log, d -> d.envelope().body() instanceof DecryptionMessage.PartialRequest)).isEqualTo(2);
        assertThat(count(log, d -> isPartial(d.envelope().body()))).isEqualTo(2);
        assertThat(count(log, d -> d.envelope().body() instanceof ConsensusMessage.Refused)).isZero();
        assertThat(s.excludedNodes()).isEmpty();
    }

    /**
     * Every member's session ends with the request (SEC-19): a session left active until its stall timeout holds
     * the session limit and refuses exclusive sessions (a servers set change) meanwhile.
     */
    @ParameterizedTest(name = "master {0}, shadow={1}")
    @CsvSource({"0,true", "1,true", "0,false"})
    void everyMembersSessionEndsWithTheRequest(int master, boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        DecryptionSession s = f.start(master, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        f.cluster.deliverAll();
        for (var node : f.cluster.nodes()) {
            assertThat(node.sessions.activeSessions()).as("sessions still active on " + node.id).isEmpty();
        }
    }

    /** Larger groups too: N = 5, t = 2 is one round trip with three partials. */
    @Test
    void aLargerGroupIsOneRoundTrip() {
        DecryptionFixture f = new DecryptionFixture(5, 2);
        DecryptionSession s = f.start(3, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.roundTrips()).isEqualTo(1);
        assertThat(s.attemptCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ SEC-21: no partial without the member's own yes

    /**
     * SEC-21: member 1 is in the presumed group ({0, 1}) and its own ACL refuses. It gets the presumed request and
     * never computes a partial; the master falls back without blame and is served by {0, 2} in a second round trip.
     */
    @ParameterizedTest(name = "shadow={0}")
    @ValueSource(booleans = {true, false})
    void aMemberWhoseOwnAclRefusesNeverComputesAPartial_SEC21(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        NodeId refusing = f.node(1).id;
        f.acl(1).mode = TestAcl.Mode.DENY;
        List<Delivery> log = record(f);
        DecryptionSession s = f.start(0, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(count(log, d -> d.to().equals(refusing) && d.envelope().body() instanceof DecryptionMessage.PartialRequest))
                .as("the presumed request reached the refusing member").isEqualTo(1);
        assertThat(count(log, d -> d.from().equals(refusing) && isPartial(d.envelope().body()))).isZero();
        assertThat(s.excludedNodes()).as("an ACL refusal is not a fault").isEmpty();
        assertThat(s.roundTrips()).isEqualTo(2);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /**
     * SEC-21: the presumed request reaches member 1 while its ACL check is still pending; it waits for the answer and
     * computes only on a yes (one round trip), never on a no (fallback through member 2).
     */
    @ParameterizedTest(name = "member 1 allows: {0}")
    @ValueSource(booleans = {true, false})
    void aPresumedRequestWaitsForTheMembersOwnAcl_SEC21(boolean allow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        NodeId pending = f.node(1).id;
        f.acl(1).mode = TestAcl.Mode.PENDING;
        List<Delivery> log = record(f);
        DecryptionSession s = f.start(0, true);
        f.cluster.deliverAll();
        assertThat(count(log, d -> d.to().equals(pending) && d.envelope().body() instanceof DecryptionMessage.PartialRequest)).isEqualTo(1);
        assertThat(count(log, d -> d.from().equals(pending) && isPartial(d.envelope().body()))).as("no partial before its ACL").isZero();
        assertThat(s.isFinished()).isFalse();
        f.acl(1).release(allow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(count(log, d -> d.from().equals(pending) && isPartial(d.envelope().body()))).isEqualTo(allow ? 1 : 0);
        assertThat(s.roundTrips()).isEqualTo(allow ? 1 : 2);
        assertThat(s.excludedNodes()).isEmpty();
    }

    /** A master whose own ACL refuses asks nobody for a partial before the votes; the others serve the request as before. */
    @Test
    void aMasterWhoseOwnAclRefusesPresumesNothing() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.acl(0).mode = TestAcl.Mode.DENY;
        List<Delivery> log = record(f);
        DecryptionSession s = f.start(0, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(count(log, d -> d.to().equals(f.node(0).id) && d.envelope().body() instanceof DecryptionMessage.PartialRequest)).isZero();
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(s.roundTrips()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ SEC-12: nothing released without t+1 verified partials

    /**
     * SEC-12: member 1's partial in the presumed attempt fails verification: it is blamed and excluded, nothing is
     * released from that attempt, and a fresh attempt with {0, 2} gives the right key.
     */
    @ParameterizedTest(name = "shadow={0}")
    @ValueSource(booleans = {true, false})
    void aBadPartialInThePresumedAttemptIsBlamedAndReplaced_SEC12(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        NodeId bad = f.node(1).id;
        f.cluster.intercept(d -> List.of(d.from().equals(bad) && isPartial(d.envelope().body()) ? tamperPoint(d) : d));
        DecryptionSession s = f.start(0, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.excludedNodes()).containsExactly(bad);
        assertThat(s.failure()).isEmpty();
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /** SEC-12: with too few honest members left (t+1 = 2 of 2, one faulty), the request is 403 and nothing is released. */
    @Test
    void tooFewVerifiedPartialsReleaseNothing_SEC12() {
        DecryptionFixture f = new DecryptionFixture(2, 1);
        NodeId bad = f.node(1).id;
        f.cluster.intercept(d -> List.of(d.from().equals(bad) && isPartial(d.envelope().body()) ? tamperPoint(d) : d));
        DecryptionSession s = f.start(0, true);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(s.failure().orElseThrow().culprits()).extracting(Culprit::node).containsExactly(bad);
    }

    /**
     * The master combines a presumed attempt only once every member's own yes arrived: with member 1's vote lost and
     * its (valid) partial delivered, t+1 verified partials are not enough; the request is not answered and ends at
     * the stall timeout instead.
     */
    @Test
    void aPresumedAttemptIsNotReleasedWithoutEveryMembersYes_SEC12() {
        DecryptionFixture f = new DecryptionFixture(2, 1);
        NodeId silent = f.node(1).id;
        List<Delivery> partials = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.from().equals(silent) && d.envelope().body() instanceof ConsensusMessage.Response) return List.of();
            if (d.from().equals(silent) && isPartial(d.envelope().body())) partials.add(d);
            return List.of(d);
        });
        DecryptionSession s = f.start(0, true);
        f.cluster.deliverAll();
        assertThat(partials).as("member 1 computed its partial after its own yes").hasSize(1);
        assertThat(s.isFinished()).isFalse();
        f.cluster.advance(Duration.ofSeconds(61));
        f.cluster.deliverAll();
        assertThat(s.isFinished()).isTrue();
        assertThat(s.result()).isCompletedExceptionally();
    }

    // ------------------------------------------------------------------ fallbacks

    /** A member of the presumed group lost when its request arrives: excluded as lost (not blamed), {0, 2} serve it. */
    @Test
    void aPresumedMemberLostMidRequestIsReplaced() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        NodeId lost = f.node(1).id;
        f.cluster.intercept(d -> {
            if (d.to().equals(lost) && d.envelope().body() instanceof DecryptionMessage.PartialRequest) {
                f.cluster.disconnect(lost);
                return List.of();
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(0, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.blamed()).isEmpty();
        assertThat(s.excludedNodes()).containsExactly(lost);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /** A member down before the request is not presumed: the group is drawn from connected holders, one round trip. */
    @Test
    void aMemberDownBeforeTheRequestIsNotPresumed() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.disconnect(f.node(1).id);
        List<Delivery> log = record(f);
        DecryptionSession s = f.start(0, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(count(log, d -> d.to().equals(f.node(1).id))).isZero();
        assertThat(s.roundTrips()).isEqualTo(1);
        assertThat(s.attemptCount()).isEqualTo(1);
    }

    /**
     * SEC-26: member 1 of the presumed group holds only the older version committed. It computes nothing for the newest
     * version; the master falls back without blame to the newest version through the members that committed it.
     */
    @Test
    void aPresumedMemberWithAnOlderVersionFallsBack_SEC26() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        H256 newest = f.addVersion(Set.of(0, 2));
        NodeId old = f.node(1).id;
        Map<H256, H256> versionOfAttempt = new HashMap<>();
        List<H256> computed = new ArrayList<>();
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof DecryptionMessage.PartialRequest r) versionOfAttempt.put(r.attemptId(), r.version());
            if (d.from().equals(old) && isPartial(b)) computed.add(attemptOf(b));
            return List.of(d);
        });
        DecryptionSession s = f.start(0, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(computed).as("member 1 computed nothing").isEmpty();
        assertThat(versionOfAttempt.values()).containsOnly(newest);
        assertThat(s.excludedNodes()).isEmpty();
        assertThat(s.attemptCount()).isEqualTo(2);
    }
}
