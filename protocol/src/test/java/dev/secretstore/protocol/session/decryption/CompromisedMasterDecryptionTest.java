package dev.secretstore.protocol.session.decryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.InMemoryCluster;
import dev.secretstore.protocol.session.InMemoryCluster.Delivery;
import dev.secretstore.protocol.session.MemberOutcomes;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SEC-31, SEC-32: a modified master (node 0) asks the other members for endpoint 5 — where the master assembles the
 * document key — with a credential that does not authorize it. Node 0's own session runs with a credential it
 * accepts (standing for a master that skips its own checks); every consensus request it sends to the others is
 * rewritten to carry the forged one. Every other member derives the requester itself, refuses, and blames node 0;
 * node 0 obtains no document key.
 */
class CompromisedMasterDecryptionTest {
    private static Delivery with(Delivery d, SessionMessage body) {
        Envelope e = d.envelope();
        return new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), body));
    }

    /** The modified master: every consensus request it sends to another member is rewritten by {@code forge}. */
    private static void forgeRequests(DecryptionFixture f, UnaryOperator<ConsensusMessage.Request> forge) {
        NodeId master = f.node(0).id;
        f.cluster.intercept(d -> d.from().equals(master) && !d.to().equals(master) && d.envelope().body() instanceof ConsensusMessage.Request r
                ? List.of(with(d, forge.apply(r))) : List.of(d));
    }

    private static ConsensusMessage.Request carrying(ConsensusMessage.Request r, Credential credential, Operation operation) {
        return new ConsensusMessage.Request(r.keyId(), credential, operation, r.versions(), r.messageHash(), r.consensusGroup(), r.block());
    }

    private static Requester fresh(DecryptionFixture f, Operation operation, H256 keyId) {
        return TestRequesters.fresh(f.requesterKeys, f.cluster, operation, keyId, Operation.NO_PARAMS);
    }

    /** What a compromised node 0 may hold: credentials of the real requester (or its own) that do not authorize endpoint 5 on the key. */
    enum Forgery {
        /** (a) the requester's fresh authorization of endpoint 5 for another key. */
        OTHER_KEY,
        /** (b) an authorization naming the requester as signer, signed by someone else (the master's own key). */
        FORGED_SIGNER,
        /** (c) the requester's fresh authorization of endpoint 6 (shadows), presented as one of endpoint 5. */
        OTHER_OPERATION,
        /** SEC-32: the requester's authorization of endpoint 5 on the key, for another cluster. */
        OTHER_CLUSTER,
        /** SEC-32: the requester's authorization of endpoint 5 on the key, expired. */
        EXPIRED,
        /** (d) the requester's authorization of endpoint 5, already used in an earlier session. */
        REPLAYED,
        /** (e) the requester's static signature over the key id, while the members run {@code shadow-only}. */
        STATIC_UNDER_SHADOW_ONLY
    }

    private static Credential forged(DecryptionFixture f, Forgery forgery) {
        long expires = f.cluster.wallClock.now + 60;
        byte[] nonce = new byte[Authorization.NONCE_LENGTH];
        return switch (forgery) {
            case OTHER_KEY -> fresh(f, Operation.RETRIEVE_DOCUMENT_KEY, DecryptionFixture.randomId()).credential();
            case FORGED_SIGNER -> {
                KeyPair master = f.node(0).keyPair;
                Authorization a = Authorization.sign(master, f.cluster.clusterId(), Operation.RETRIEVE_DOCUMENT_KEY, f.keyId,
                        Operation.NO_PARAMS, expires, nonce);
                yield new Credential.Fresh(Authorization.of(a.expires(), a.nonce(), f.requester.address(), a.signature()));
            }
            case OTHER_OPERATION -> fresh(f, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, f.keyId).credential();
            case OTHER_CLUSTER -> TestRequesters.fresh(f.requesterKeys, H256.keccak(new byte[] {1}), Operation.RETRIEVE_DOCUMENT_KEY, f.keyId,
                    Operation.NO_PARAMS, expires).credential();
            case EXPIRED -> TestRequesters.fresh(f.requesterKeys, f.cluster.clusterId(), Operation.RETRIEVE_DOCUMENT_KEY, f.keyId,
                    Operation.NO_PARAMS, f.cluster.wallClock.now - 31).credential();
            case REPLAYED -> {
                Requester used = fresh(f, Operation.RETRIEVE_DOCUMENT_KEY, f.keyId);
                DecryptionSession first = f.start(0, false, f.keyId, used);
                assertThat(f.run(first)).as("the requester's own request").isEqualTo(f.documentKey);
                yield used.credential();
            }
            case STATIC_UNDER_SHADOW_ONLY -> {
                for (int i = 1; i < f.cluster.nodes().size(); i++) shadowOnly(f, i);
                yield f.requester.credential();
            }
        };
    }

    /** Node {@code i} runs {@code legacy_requester_signatures = "shadow-only"}. */
    private static void shadowOnly(DecryptionFixture f, int i) {
        InMemoryCluster.Node node = f.node(i);
        node.useLegacyPolicy(LegacyPolicy.SHADOW_ONLY);
        node.sessions.registerFactory(SessionType.DECRYPTION, DecryptionSession.factory(node, node.sessions, node.storage, f.acl(i),
                node.requesters(), DecryptionFixture.RNG));
    }

    private static void assertRefusedAndBlamed(DecryptionFixture f, MemberOutcomes outcomes, DecryptionSession s) {
        assertThat(s.isFinished()).isTrue();
        assertThat(s.result().isCompletedExceptionally()).as("node 0 obtains no document key").isTrue();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        NodeId master = f.node(0).id;
        for (int i = 1; i < f.cluster.nodes().size(); i++) {
            NodeId member = f.node(i).id;
            assertThat(outcomes.culprits(member, SessionType.DECRYPTION)).as("member %d blames the master", i)
                    .extracting(Culprit::node, Culprit::reason).containsExactly(org.assertj.core.groups.Tuple.tuple(master,
                            Culprit.Reason.UNAUTHORIZED_REQUEST));
            assertThat(outcomes.blamed(member, SessionType.DECRYPTION)).containsExactly(master);
        }
        assertThat(f.cluster.allIdle()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Forgery.class)
    void aMasterWithoutTheRequestersAuthorizationObtainsNoDocumentKey_SEC31(Forgery forgery) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        Credential credential = forged(f, forgery);
        Operation operation = Operation.RETRIEVE_DOCUMENT_KEY;
        MemberOutcomes outcomes = MemberOutcomes.watch(f.cluster);
        forgeRequests(f, r -> carrying(r, credential, operation));
        DecryptionSession s = f.start(0, false, f.keyId, fresh(f, Operation.RETRIEVE_DOCUMENT_KEY, f.keyId));
        f.cluster.deliverAll();
        assertRefusedAndBlamed(f, outcomes, s);
    }

    @Test
    void aShadowAuthorizationDoesNotBuyPlainPartials_SEC31() {
        // The master shows the members the requester's genuine authorization of endpoint 6, which they accept, then asks
        // for the partials of endpoint 5 (it would assemble M itself): every member of a group refuses and blames it.
        DecryptionFixture f = new DecryptionFixture(3, 1);
        Credential shadows = fresh(f, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, f.keyId).credential();
        MemberOutcomes outcomes = MemberOutcomes.watch(f.cluster);
        List<ConsensusMessage.Response> answers = new ArrayList<>();
        NodeId master = f.node(0).id;
        UnaryOperator<ConsensusMessage.Request> forge = r -> carrying(r, shadows, Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS);
        f.cluster.intercept(d -> {
            if (d.to().equals(master) && !d.from().equals(master) && d.envelope().body() instanceof ConsensusMessage.Response r) answers.add(r);
            return d.from().equals(master) && !d.to().equals(master) && d.envelope().body() instanceof ConsensusMessage.Request r
                    ? List.of(with(d, forge.apply(r))) : List.of(d);
        });
        DecryptionSession s = f.start(0, false, f.keyId, fresh(f, Operation.RETRIEVE_DOCUMENT_KEY, f.keyId));
        f.cluster.deliverAll();
        assertThat(answers).as("the members accepted the shadow authorization").extracting(ConsensusMessage.Response::allowed)
                .containsExactly(true, true);
        assertRefusedAndBlamed(f, outcomes, s);
        assertThat(s.failure().orElseThrow().culprits()).extracting(Culprit::reason).containsOnly(Culprit.Reason.REFUSED);
    }

    @Test
    void aStaticSignatureOfSomeoneElseIsDeniedByEveryMembersAcl_SEC31() {
        // The master cannot name the requester any more: another key's static signature over the key id recovers to
        // that key, which no member's ACL allows. Members cannot tell this from an honest request by a stranger, so
        // they answer no without blaming anyone.
        DecryptionFixture f = new DecryptionFixture(3, 1);
        Credential stranger = TestRequesters.ofStatic(KeyPair.random(), f.keyId).credential();
        MemberOutcomes outcomes = MemberOutcomes.watch(f.cluster);
        forgeRequests(f, r -> carrying(r, stranger, Operation.RETRIEVE_DOCUMENT_KEY));
        DecryptionSession s = f.start(0, false, f.keyId, f.requester);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        assertThat(outcomes.culprits(f.node(1).id, SessionType.DECRYPTION)).isEmpty();
        assertThat(outcomes.culprits(f.node(2).id, SessionType.DECRYPTION)).isEmpty();
    }

    // ------------------------------------------------------------------ honest masters with real credentials

    @ParameterizedTest(name = "shadow={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aFreshAuthorizationIsAcceptedByEveryMemberOnce_SEC32(boolean shadow) {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        Requester once = fresh(f, DecryptionSession.operation(shadow), f.keyId);
        assertThat(f.run(f.start(1, shadow, f.keyId, once))).isEqualTo(f.documentKey);
        // the same authorization again, through another master: every member that saw it refuses
        DecryptionSession again = f.start(2, shadow, f.keyId, once);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(again)).as("the master's own check refuses the replay").isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
    }

    @Test
    void shadowOnlyMembersServeShadowsForAStaticSignatureAndPlainKeysOnlyForAFreshAuthorization_SEC32() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        for (int i = 0; i < 3; i++) shadowOnly(f, i);
        assertThat(f.run(f.start(0, true))).as("endpoint 6 with Parity's signature").isEqualTo(f.documentKey);
        DecryptionSession plain = f.start(0, false);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(plain)).as("endpoint 5 with Parity's signature").isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED);
        assertThat(f.run(f.start(0, false, f.keyId, fresh(f, Operation.RETRIEVE_DOCUMENT_KEY, f.keyId))))
                .as("endpoint 5 with a fresh authorization").isEqualTo(f.documentKey);
    }
}
