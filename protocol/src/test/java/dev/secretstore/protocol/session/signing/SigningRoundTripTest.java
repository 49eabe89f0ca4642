package dev.secretstore.protocol.session.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.consensus.KeyUseSession;
import dev.secretstore.protocol.session.dealing.DealingMessage;
import dev.secretstore.protocol.session.signing.SigningFixture.TestAcl;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #18, fewer round trips for Schnorr and ECDSA signing on the common path, counted (never timed) on the in-memory
 * cluster through the real codec:
 * <ul>
 *   <li>the nonce dealing's request of a presumed first attempt travels with the consensus request; a member deals (draws
 *       hedged nonces and sends their hash) only once its own ACL said yes (SEC-21), and the master releases a presumed
 *       attempt's signature only once every member's yes is in;</li>
 *   <li>a member whose dealing completed with every vector bound to its dealer's committed hash signs (Schnorr) or sends
 *       {@code u_i} (ECDSA) at once, ahead of its ready report, instead of waiting for a request (one nonce, one use,
 *       SEC-08);</li>
 *   <li>a refusal, a lost member or a faulty contribution falls back to an attempt from the votes with fresh nonces, and
 *       the signature is still valid (SEC-13, SEC-14).</li>
 * </ul>
 * Before: Schnorr 4 member round trips (consensus, dealing request, hashes, partial request), ECDSA 5 (… u request, sign
 * request). Now: Schnorr 2, ECDSA 3.
 */
class SigningRoundTripTest {
    private final H256 messageHash = SigningFixture.randomId();

    /** Every message, in delivery order. */
    private static List<Delivery> record(SigningFixture f) {
        List<Delivery> log = new ArrayList<>();
        f.cluster.intercept(d -> {
            log.add(d);
            return List.of(d);
        });
        return log;
    }

    private static long count(List<Delivery> log, Predicate<Delivery> which) {
        return log.stream().filter(which).count();
    }

    private KeyUseSession<byte[]> start(SigningFixture f, String scheme, int master) {
        return f.start(scheme, master, messageHash);
    }

    private void assertSigned(SigningFixture f, String scheme, KeyUseSession<byte[]> s) {
        f.assertSigned(scheme, s, messageHash);
    }

    private static boolean isRequestAfterDealing(SessionMessage m) {
        return m instanceof SchnorrMessage.PartialRequest || m instanceof EcdsaMessage.URequest;
    }

    private static boolean isContribution(SessionMessage m) {
        return m instanceof SchnorrMessage.Partial || m instanceof EcdsaMessage.UShare;
    }

    /** Member round trips on the common path: Schnorr 2 (was 4), ECDSA 3 (was 5). */
    private static int commonPath(String scheme) {
        return scheme.equals("schnorr") ? 2 : 3;
    }

    // ------------------------------------------------------------------ the common path

    /**
     * Every master, N = 3 t = 1 and N = 5 t = 2 for Schnorr, N = 3 t = 1 and N = 5 t = 2 for ECDSA (2t+1 of them): one
     * attempt, no partial or u request, no refusal, nobody excluded, and the counted member round trips.
     */
    @ParameterizedTest(name = "{0} N={1} t={2} master {3}")
    @CsvSource({"schnorr,3,1,0", "schnorr,3,1,1", "schnorr,3,1,2", "schnorr,5,2,0", "schnorr,5,2,4",
            "ecdsa,3,1,0", "ecdsa,3,1,2", "ecdsa,5,2,1", "ecdsa,5,1,4"})
    void theCommonPathSavesTheRoundTripsTheNonceRoundsAllow(String scheme, int n, int t, int master) {
        SigningFixture f = new SigningFixture(n, t);
        List<Delivery> log = record(f);
        KeyUseSession<byte[]> s = start(f, scheme, master);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(s.roundTrips()).isEqualTo(commonPath(scheme));
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(count(log, d -> isRequestAfterDealing(d.envelope().body()))).as("no partial or u request").isZero();
        assertThat(count(log, d -> d.envelope().body() instanceof ConsensusMessage.Refused)).isZero();
        assertThat(s.excludedNodes()).isEmpty();
    }

    /** Every member's session ends with the request (SEC-19), not at its stall timeout. */
    @ParameterizedTest(name = "{0} master {1}")
    @CsvSource({"schnorr,0", "schnorr,2", "ecdsa,0", "ecdsa,1"})
    void everyMembersSessionEndsWithTheRequest(String scheme, int master) {
        SigningFixture f = new SigningFixture(3, 1);
        KeyUseSession<byte[]> s = start(f, scheme, master);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        for (var node : f.cluster.nodes()) {
            assertThat(node.sessions.activeSessions()).as("sessions still active on " + node.id).isEmpty();
        }
    }

    // ------------------------------------------------------------------ SEC-21: nothing derived from a share before the member's own yes

    /**
     * SEC-21: member 1 is in the presumed group and its own ACL refuses. It gets the presumed dealing request and never
     * deals (no hash of nonce vectors) nor signs; the master falls back without blame to a group without it.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"schnorr", "ecdsa"})
    void aPresumedMemberWhoseOwnAclRefusesNeverDeals_SEC21(String scheme) {
        SigningFixture f = new SigningFixture(scheme.equals("schnorr") ? 3 : 5, 1);
        NodeId refusing = f.node(1).id;
        f.acl(1).mode = TestAcl.Mode.DENY;
        List<Delivery> log = record(f);
        KeyUseSession<byte[]> s = start(f, scheme, 0);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(count(log, d -> d.to().equals(refusing) && d.envelope().body() instanceof DealingMessage.Request))
                .as("the presumed dealing request reached the refusing member").isEqualTo(1);
        assertThat(count(log, d -> d.from().equals(refusing) && d.envelope().body() instanceof DealingMessage)).isZero();
        assertThat(count(log, d -> d.from().equals(refusing) && isContribution(d.envelope().body()))).isZero();
        assertThat(s.excludedNodes()).as("an ACL refusal is not a fault").isEmpty();
        assertThat(s.attemptCount()).isEqualTo(2);
        assertThat(s.roundTrips()).isEqualTo(1 + 1 + commonPath(scheme) - 1); // the presumed try, then a dealing request after the votes
    }

    /**
     * SEC-21: the presumed dealing request reaches member 1 while its ACL check is pending: it deals nothing until its
     * ACL answers, then deals on a yes (the common path's round trips) and never on a no (fallback).
     */
    @ParameterizedTest(name = "{0}, member 1 allows: {1}")
    @CsvSource({"schnorr,true", "schnorr,false", "ecdsa,true", "ecdsa,false"})
    void aPresumedDealingRequestWaitsForTheMembersOwnAcl_SEC21(String scheme, boolean allow) {
        SigningFixture f = new SigningFixture(scheme.equals("schnorr") ? 3 : 5, 1);
        NodeId pending = f.node(1).id;
        f.acl(1).mode = TestAcl.Mode.PENDING;
        List<Delivery> log = record(f);
        KeyUseSession<byte[]> s = start(f, scheme, 0);
        f.cluster.deliverAll();
        assertThat(count(log, d -> d.to().equals(pending) && d.envelope().body() instanceof DealingMessage.Request)).isEqualTo(1);
        assertThat(count(log, d -> d.from().equals(pending) && d.envelope().body() instanceof DealingMessage))
                .as("no hash of nonce vectors before its ACL").isZero();
        assertThat(s.isFinished()).isFalse();
        SigningFixture.release(f.acl(1), allow);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(count(log, d -> d.from().equals(pending) && d.envelope().body() instanceof DealingMessage.Hash))
                .isEqualTo(allow ? 1 : 0);
        assertThat(s.attemptCount()).isEqualTo(allow ? 1 : 2);
        if (allow) assertThat(s.roundTrips()).isEqualTo(commonPath(scheme));
        assertThat(s.excludedNodes()).isEmpty();
    }

    /** A master whose own ACL refuses presumes nothing: nobody deals before the votes; the others sign. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"schnorr", "ecdsa"})
    void aMasterWhoseOwnAclRefusesPresumesNothing(String scheme) {
        SigningFixture f = new SigningFixture(scheme.equals("schnorr") ? 3 : 5, 1);
        f.acl(0).mode = TestAcl.Mode.DENY;
        List<Delivery> log = record(f);
        KeyUseSession<byte[]> s = start(f, scheme, 0);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(count(log, d -> d.to().equals(f.node(0).id) && d.envelope().body() instanceof DealingMessage.Request)).isZero();
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(s.roundTrips()).isEqualTo(commonPath(scheme) + 1);
    }

    // ------------------------------------------------------------------ fallbacks: lost, lying

    /** A member of the presumed group lost when its dealing request arrives: excluded as lost (not blamed), then signed. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"schnorr", "ecdsa"})
    void aPresumedMemberLostMidRequestIsReplaced(String scheme) {
        SigningFixture f = new SigningFixture(scheme.equals("schnorr") ? 3 : 5, 1);
        NodeId lost = f.node(1).id;
        f.cluster.intercept(d -> {
            if (d.to().equals(lost) && d.envelope().body() instanceof DealingMessage.Request) {
                f.cluster.disconnect(lost);
                return List.of();
            }
            return List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, 0);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(s.blamed()).isEmpty();
        assertThat(s.excludedNodes()).containsExactly(lost);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /**
     * SEC-13, SEC-14: member 1's contribution in the presumed attempt (its early partial, its early u_i) fails
     * verification: blamed and excluded, nothing released from that attempt, and a fresh attempt with fresh nonces signs.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"schnorr", "ecdsa"})
    void aLyingPresumedMemberIsBlamedAndReplaced(String scheme) {
        SigningFixture f = new SigningFixture(scheme.equals("schnorr") ? 3 : 5, 1);
        NodeId liar = f.node(1).id;
        f.cluster.intercept(SigningFixture.lying(liar));
        KeyUseSession<byte[]> s = start(f, scheme, 0);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(s.excludedNodes()).containsExactly(liar);
        assertThat(s.blamed()).containsExactly(liar);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ the early contribution needs vectors bound to the committed hashes

    /**
     * A member whose view of a dealer's vectors is not bound to the hash that dealer committed (here: the master's hashes
     * reaching it name another hash for that dealer) does not contribute ahead of its ready report; its report lets the
     * master's equivocation check agree, and the master then asks it (one more round trip), the one nonce used once (SEC-08).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"schnorr", "ecdsa"})
    void aMemberWhoseVectorsAreNotBoundToTheHashesWaitsToBeAsked(String scheme) {
        SigningFixture f = new SigningFixture(3, 1);
        NodeId member = f.node(1).id;
        NodeId dealer = f.node(0).id; // the master: a member of every group
        List<Delivery> log = record(f);
        f.cluster.intercept(d -> {
            log.add(d);
            if (d.to().equals(member) && d.envelope().body() instanceof DealingMessage.Hashes h) {
                List<DealingMessage.VectorHash> changed = new ArrayList<>();
                for (DealingMessage.VectorHash v : h.hashes()) {
                    changed.add(v.dealer().equals(dealer) ? new DealingMessage.VectorHash(dealer, SigningFixture.randomId()) : v);
                }
                return List.of(SigningFixture.with(d, new DealingMessage.Hashes(h.attemptId(), changed)));
            }
            return List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, 0);
        f.cluster.deliverAll();
        assertSigned(f, scheme, s);
        assertThat(count(log, d -> d.to().equals(member) && isRequestAfterDealing(d.envelope().body()))).isEqualTo(1);
        assertThat(count(log, d -> !d.to().equals(member) && isRequestAfterDealing(d.envelope().body()))).isZero();
        assertThat(count(log, d -> d.from().equals(member) && isContribution(d.envelope().body()))).isEqualTo(1);
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(s.roundTrips()).isEqualTo(commonPath(scheme) + 1);
    }
}
