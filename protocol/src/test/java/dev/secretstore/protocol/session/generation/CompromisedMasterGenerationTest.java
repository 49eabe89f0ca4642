package dev.secretstore.protocol.session.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.MemberOutcomes;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.generation.GenerationMessage.Init;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SEC-31: the author of a generated key is the requester every member derives from the forwarded credential, bound
 * to the key id and the threshold; a modified master (node 0) cannot make anyone else the author.
 */
class CompromisedMasterGenerationTest {
    private static final SecureRandom RNG = new SecureRandom();
    private final KeyPair author = KeyPair.random();
    private final H256 keyId = GenerationFixture.randomId(RNG);

    /**
     * Also with every node's recovery of the author offloaded ({@code deferComputations}): refused when it comes back.
     * There the first member to refuse ends the request, and the master's abort reaches the other member before its
     * own check came back: that one ends without a verdict of its own (no blame), and stores nothing either.
     */
    @ParameterizedTest(name = "offloaded={0}")
    @ValueSource(booleans = {false, true})
    void anAuthorizationForAnotherThresholdGeneratesNothing_SEC31(boolean offloaded) {
        InMemoryCluster c = GenerationFixture.cluster(3, RNG);
        if (offloaded) c.deferComputations();
        Credential otherThreshold = TestRequesters.fresh(author, c, Operation.GENERATE_SERVER_KEY, keyId, Operation.thresholdParams(2))
                .credential();
        NodeId master = c.node(0).id;
        c.intercept(d -> {
            if (d.from().equals(master) && d.envelope().body() instanceof Init init) {
                Envelope e = d.envelope();
                Init forged = new Init(init.keyId(), otherThreshold, init.operation(), init.threshold(), init.idNumbers(), init.participants());
                return List.of(new InMemoryCluster.Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), forged)));
            }
            return List.of(d);
        });
        MemberOutcomes outcomes = MemberOutcomes.watch(c);
        KeyGenerationSession s = GenerationFixture.start(c, 0, 1, Availability.DEFAULTS, keyId,
                TestRequesters.fresh(author, c, Operation.GENERATE_SERVER_KEY, keyId, Operation.thresholdParams(1)), Operation.GENERATE_SERVER_KEY, RNG);
        GenerationFixture.settle(c, s);
        assertThat(GenerationFixture.failureKind(s)).isEqualTo(Kind.ACCESS_DENIED);
        GenerationFixture.assertNoRowAnywhere(c, keyId);
        int blaming = 0;
        for (int i = 1; i < 3; i++) {
            List<Culprit> culprits = outcomes.culprits(c.node(i).id, SessionType.KEY_GENERATION);
            if (offloaded && culprits.isEmpty()) continue; // aborted by the master before its own check came back
            assertThat(culprits).as("member %d blames the master", i).extracting(Culprit::node, Culprit::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(master, Culprit.Reason.UNAUTHORIZED_REQUEST));
            blaming++;
        }
        assertThat(blaming).as("members that blame the master").isEqualTo(offloaded ? 1 : 2);
    }

    @Test
    void everyMemberRecordsTheAuthorItDerivedFromAFreshAuthorization_SEC31() {
        InMemoryCluster c = GenerationFixture.cluster(3, RNG);
        KeyGenerationSession s = GenerationFixture.start(c, 2, 1, Availability.DEFAULTS, keyId,
                TestRequesters.fresh(author, c, Operation.GENERATE_SERVER_KEY, keyId, Operation.thresholdParams(1)), Operation.GENERATE_SERVER_KEY, RNG);
        GenerationFixture.settle(c, s);
        GenerationFixture.assertGeneratedBy(c, s, keyId, author.address(), 1, c.memberIds());
    }

    @Test
    void theMastersOwnCheckRefusesACredentialForAnotherKeyBeforeAnyMessage_SEC31() {
        InMemoryCluster c = GenerationFixture.cluster(3, RNG);
        KeyGenerationSession s = GenerationFixture.start(c, 0, 1, Availability.DEFAULTS, keyId,
                TestRequesters.fresh(author, c, Operation.GENERATE_SERVER_KEY, GenerationFixture.randomId(RNG), Operation.thresholdParams(1)),
                Operation.GENERATE_SERVER_KEY, RNG);
        assertThat(GenerationFixture.failureKind(s)).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        assertThat(c.pending()).isEmpty();
    }
}
