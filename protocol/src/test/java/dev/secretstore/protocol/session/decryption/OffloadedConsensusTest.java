package dev.secretstore.protocol.session.decryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.session.MemberOutcomes;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rest of a decryption's curve work off the loop ({@code ClusterSessions.offload}, issue #18): every member's
 * derivation of the requester from the credential (an ECDSA recovery, SEC-31), the master's claim, its B = a·C and its
 * combination run as computations that every message may overtake ({@code InMemoryCluster.deferComputations}), as on
 * a node's worker pool; the checks that need the node's policy, clock and nonce memory and every decision stay on the
 * loop. Deterministic: the cluster runs a computation only when no message or task is left.
 */
class OffloadedConsensusTest {

    /**
     * The computations of one request: the master's claim, each other member's recovery (the master answers its own
     * consensus request with the requester it claimed), B, t+1 partials, t+1 verifications and the combination.
     */
    static int computations(int n, int t) {
        return 1 + (n - 1) + 1 + 2 * (t + 1) + 1;
    }

    @ParameterizedTest(name = "N={0} t={1} shadow={2}")
    @CsvSource({"1,0,false", "1,0,true", "3,1,false", "3,1,true", "5,2,true"})
    void everyCurveStepOfTheRequestIsOneComputation(int n, int t, boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(n, t);
        f.cluster.deferComputations();
        DecryptionSession s = f.start(n - 1, shadow);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(f.cluster.computedCount()).isEqualTo(computations(n, t));
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(s.roundTrips()).as("still one member round trip").isEqualTo(n == 1 ? 0 : 1);
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /**
     * SEC-31: a member answers the consensus only once its own recovery of the requester came back from the workers:
     * with every message and task delivered but no computation run, no member has answered, and the master sent
     * nothing before its own claim's recovery ran.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void membersAnswerOnlyOnceTheirRecoveryCameBack_SEC31(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.deferComputations();
        NodeId master = f.node(2).id;
        List<NodeId> answered = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof ConsensusMessage.Response && !d.from().equals(master)) answered.add(d.from());
            return List.of(d);
        });
        DecryptionSession s = f.start(2, shadow);
        assertThat(f.cluster.pending()).as("the master's claim is being recovered").isEmpty();
        assertThat(f.cluster.runComputations()).as("the master's claim").isEqualTo(1);
        while (f.cluster.deliverOne()) {
            // every message and task, no computation
        }
        assertThat(answered).as("no member answered before its recovery ran").isEmpty();
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(answered).containsExactlyInAnyOrder(f.node(0).id, f.node(1).id);
    }

    /**
     * SEC-31 with the recovery offloaded: a credential that does not authorize the request (here: the requester's
     * authorization for another key) is refused by every member when its recovery comes back, and each blames the
     * master.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aForwardedCredentialThatDoesNotRecoverToTheRequesterIsRefusedAndBlamed_SEC31(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.deferComputations();
        NodeId master = f.node(0).id;
        Operation operation = DecryptionSession.operation(shadow);
        var forged = TestRequesters.fresh(f.requesterKeys, f.cluster, operation, DecryptionFixture.randomId(), Operation.NO_PARAMS)
                .credential();
        f.cluster.intercept(d -> d.from().equals(master) && !d.to().equals(master)
                && d.envelope().body() instanceof ConsensusMessage.Request r
                ? List.of(new dev.secretstore.protocol.session.InMemoryCluster.Delivery(d.from(), d.to(),
                        new dev.secretstore.protocol.session.Envelope(d.envelope().type(), d.envelope().sessionId(), d.envelope().master(),
                                d.envelope().sender(), new ConsensusMessage.Request(r.keyId(), forged, r.operation(), r.versions(),
                                r.messageHash(), r.consensusGroup(), r.block()))))
                : List.of(d));
        MemberOutcomes outcomes = MemberOutcomes.watch(f.cluster);
        DecryptionSession s = f.start(0, shadow, f.keyId,
                TestRequesters.fresh(f.requesterKeys, f.cluster, operation, f.keyId, Operation.NO_PARAMS));
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        for (int i = 1; i < 3; i++) {
            assertThat(outcomes.culprits(f.node(i).id, SessionType.DECRYPTION)).as("member %d blames the master", i)
                    .extracting(Culprit::node, Culprit::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(master, Culprit.Reason.UNAUTHORIZED_REQUEST));
        }
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /**
     * A master whose worker pool refuses work (the node is shutting down) fails the request it is asked for with an
     * internal error, blaming nobody: the refusal is not the requester's credential's fault.
     */
    @Test
    void aPoolThatRefusesWorkFailsTheRequestWithoutBlame() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.node(2).sessions.workers(task -> {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        });
        DecryptionSession s = f.start(2, true);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.INTERNAL);
        assertThat(s.blamed()).isEmpty();
        assertThat(f.cluster.allIdle()).isTrue();
    }

    /**
     * SEC-12: partials that arrive while the master's B = a·C is still being computed are held and verified, in order,
     * once it is back (never against anything else); the requester gets M from the one attempt.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void partialsArrivingBeforeTheAccessPointAreVerifiedOnceItIsBack_SEC12(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.deferComputations();
        List<NodeId> partialsFrom = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.PartialResponse
                    || d.envelope().body() instanceof DecryptionMessage.ShadowPartialResponse) {
                partialsFrom.add(d.from());
            }
            return List.of(d);
        });
        DecryptionSession s = f.start(2, shadow);
        assertThat(f.cluster.runComputations()).as("the master's claim").isEqualTo(1);
        while (f.cluster.waitingComputations() < 3) {
            // the members' recoveries, then the master's own yes begins the presumed attempt: B = a·C
            assertThat(f.cluster.deliverOne()).isTrue();
        }
        f.cluster.holdNewestComputation();
        f.cluster.deliverAll();
        assertThat(partialsFrom).as("both partials of the group arrived").hasSize(2);
        assertThat(s.isFinished()).as("no partial verified without B").isFalse();
        assertThat(f.cluster.runHeld()).isEqualTo(1);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.attemptCount()).isEqualTo(1);
        assertThat(s.blamed()).isEmpty();
        assertThat(f.cluster.computedCount()).isEqualTo(computations(3, 1));
    }

    /**
     * A member of the group lost while the master combines its verified partials off the loop is no longer needed: the
     * attempt is finishing, so the loss neither blames it nor restarts the attempt, and the requester gets M.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aMemberLostWhileTheMasterCombinesIsNotNeededAnyMore(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.cluster.deferComputations();
        NodeId master = f.node(2).id;
        List<NodeId> group = new ArrayList<>();
        f.cluster.intercept(d -> {
            if (d.envelope().body() instanceof DecryptionMessage.PartialRequest r && group.isEmpty()) group.addAll(r.group());
            return List.of(d);
        });
        DecryptionSession s = f.start(2, shadow);
        int beforeCombination = computations(3, 1) - 1;
        while (f.cluster.computedCount() < beforeCombination) {
            while (f.cluster.deliverOne()) {
                // every message and task first
            }
            assertThat(f.cluster.runComputations()).as("a computation is waiting").isPositive();
        }
        while (f.cluster.deliverOne()) {
            // the last verification's result: every partial is verified, the combination waits
        }
        assertThat(s.isFinished()).isFalse();
        NodeId member = group.stream().filter(m -> !m.equals(master)).findFirst().orElseThrow();
        f.cluster.disconnect(member);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        assertThat(s.attemptCount()).as("the attempt was not restarted").isEqualTo(1);
        assertThat(s.blamed()).isEmpty();
        assertThat(f.cluster.computedCount()).isEqualTo(computations(3, 1));
    }
}
