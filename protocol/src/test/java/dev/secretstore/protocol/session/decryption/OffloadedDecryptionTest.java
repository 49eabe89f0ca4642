package dev.secretstore.protocol.session.decryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.SessionMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decryption session with its computations offloaded ({@code ClusterSessions.offload}): a member's partial and the
 * master's verification of each partial run as separate computations that every message may overtake
 * ({@code InMemoryCluster.deferComputations}), as on a node's worker pool, and their results come back as steps of the
 * session. Deterministic: the cluster runs a computation only when no message or task is left.
 */
class OffloadedDecryptionTest {

    /** Each member's partial and each of the master's verifications is one offloaded computation; the requester gets M. */
    @ParameterizedTest(name = "N={0} t={1} shadow={2}")
    @CsvSource({"1,0,false", "1,0,true", "3,1,false", "3,1,true", "5,2,true"})
    void partialsAreComputedAndVerifiedOffTheLoop(int n, int t, boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(n, t);
        f.cluster.deferComputations();
        DecryptionSession s = f.start(n - 1, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(f.cluster.computedCount()).as("t+1 partials and their t+1 verifications, with the request's other computations")
                .isEqualTo(OffloadedConsensusTest.computations(n, t));
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /**
     * SEC-12: a verification that ends after its attempt was dropped (here: another member of the group disconnected
     * meanwhile) belongs to no running attempt and is ignored; the next attempt verifies its own partials and the
     * requester gets the right M.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aVerificationEndingAfterItsAttemptWasDroppedIsIgnored_SEC12(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(5, 2);
        f.cluster.deferComputations();
        NodeId master = f.node(4).id;
        Set<NodeId> firstGroup = new LinkedHashSet<>();
        List<NodeId> senders = new ArrayList<>();
        NodeId[] victim = new NodeId[1];
        f.cluster.intercept(d -> {
            SessionMessage b = d.envelope().body();
            if (b instanceof DecryptionMessage.PartialRequest r && firstGroup.isEmpty()) firstGroup.addAll(r.group());
            if (victim[0] == null && isPartial(b) && d.to().equals(master)) {
                senders.add(d.from());
                if (senders.size() == 2) {
                    // the first partial is being verified: drop its attempt by losing a member that is neither master nor its sender
                    victim[0] = firstGroup.stream().filter(m -> !m.equals(master) && !m.equals(senders.get(0))).findFirst().orElseThrow();
                    f.cluster.disconnect(victim[0]);
                }
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(4, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(victim[0]).isNotNull();
        assertThat(s.excludedNodes()).containsExactly(victim[0]);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /** SEC-12: a partial that fails its (offloaded) verification still blames its member, who is replaced. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aPartialFailingItsOffloadedVerificationIsBlamed_SEC12(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(4, 1);
        f.cluster.deferComputations();
        NodeId bad = f.node(0).id;
        f.cluster.intercept(d -> List.of(d.from().equals(bad) ? tamperPoint(d) : d));
        DecryptionSession s = f.start(3, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.excludedNodes()).containsExactly(bad);
        assertThat(s.attemptCount()).isEqualTo(2);
    }

    /** SEC-18: a duplicated partial arriving while the first copy is being verified is not verified or counted twice. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aDuplicateArrivingDuringVerificationIsIgnored_SEC18(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.deferComputations();
        List<Delivery> partials = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (isPartial(d.envelope().body())) {
                partials.add(d);
                return List.of(d, d);
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(2, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(partials).hasSize(2);
        assertThat(f.cluster.computedCount()).as("2 partials, 2 verifications and the rest: the duplicates none")
                .isEqualTo(OffloadedConsensusTest.computations(3, 1));
        assertThat(s.attemptCount()).isEqualTo(1);
    }

    /** The master lost while a member computes its partial: the result comes back to a session that ended and is dropped. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void resultsForAnEndedSessionAreDropped(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.deferComputations();
        NodeId master = f.node(2).id;
        List<Delivery> partials = new ArrayList<>();
        List<NodeId> requested = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (isPartial(d.envelope().body()) && !d.from().equals(master)) partials.add(d);
            if (d.envelope().body() instanceof DecryptionMessage.PartialRequest) requested.add(d.to());
            return List.of(d);
        });
        DecryptionSession s = f.start(2, shadow);
        // the master's claim; then the members' recoveries, B and the master's own partial
        for (int round = 0; round < 2; round++) {
            while (f.cluster.deliverOne()) {
                // every message and task first
            }
            assertThat(f.cluster.runComputations()).isPositive();
        }
        while (f.cluster.deliverOne()) {
            // every message, no computation: the other member of the group computes its partial
        }
        assertThat(requested).as("the presumed attempt's group, the master included").hasSize(2);
        f.cluster.disconnect(master);
        assertThat(f.cluster.runComputations()).as("the member's partial was waiting").isPositive();
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_TEMPORARY_UNREACHABLE);
        assertThat(f.cluster.allIdle()).isTrue();
        assertThat(partials).as("no member's partial sent for an ended session").isEmpty();
    }

    private static boolean isPartial(SessionMessage b) {
        return b instanceof DecryptionMessage.PartialResponse || b instanceof DecryptionMessage.ShadowPartialResponse;
    }

    private static Delivery tamperPoint(Delivery d) {
        SessionMessage b = d.envelope().body();
        Envelope e = d.envelope();
        if (b instanceof DecryptionMessage.PartialResponse r) {
            return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(),
                    new DecryptionMessage.PartialResponse(r.attemptId(), r.shadowPoint().add(PublicPoint.generator()), r.proof())));
        }
        if (b instanceof DecryptionMessage.ShadowPartialResponse r) {
            return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(),
                    new DecryptionMessage.ShadowPartialResponse(r.attemptId(), r.shadowPoint().add(PublicPoint.generator()), r.w(),
                            r.proof(), r.encryptedDecryptShadow())));
        }
        return d;
    }
}
