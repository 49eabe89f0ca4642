package dev.secretstore.protocol.session.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.H256;
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
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.consensus.KeyUseSession;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SEC-31, SEC-32: a modified master (node 0) asks the other members for a Schnorr or ECDSA signature of a message
 * of its choosing with a credential that does not authorize it. Node 0's own session runs with a credential it
 * accepts (a master skipping its own checks); every consensus request it sends to the others carries the forged one.
 * Every other member derives the requester itself, refuses and blames node 0; node 0 obtains no signature.
 */
class CompromisedMasterSigningTest {
    private static final H256 MESSAGE = H256.keccak(new byte[] {42});

    enum Scheme {
        SCHNORR(SessionType.SCHNORR_SIGNING, Operation.SIGN_SCHNORR),
        ECDSA(SessionType.ECDSA_SIGNING, Operation.SIGN_ECDSA);

        final SessionType type;
        final Operation operation;

        Scheme(SessionType type, Operation operation) {
            this.type = type;
            this.operation = operation;
        }

        Operation other() {
            return this == SCHNORR ? Operation.SIGN_ECDSA : Operation.SIGN_SCHNORR;
        }
    }

    enum Forgery {
        /** (a) the requester's authorization to sign the message with another key. */
        OTHER_KEY,
        /** (b) an authorization naming the requester as signer, signed by the master's own key. */
        FORGED_SIGNER,
        /** (c) the requester's authorization for this key, but another message hash. */
        OTHER_MESSAGE,
        /** (c) the requester's authorization of the other signature scheme. */
        OTHER_OPERATION,
        /** (d) the requester's authorization, already used in an earlier session. */
        REPLAYED,
        /** (e) the requester's static signature over the key id, while the members run {@code shadow-only}. */
        STATIC_UNDER_SHADOW_ONLY
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Scheme s : Scheme.values()) {
            for (Forgery f : Forgery.values()) out.add(Arguments.of(s, f));
        }
        return out.stream();
    }

    private static Requester fresh(SigningFixture f, Operation operation, H256 keyId, H256 message) {
        return TestRequesters.fresh(f.requesterKeys, f.cluster, operation, keyId, message);
    }

    private static KeyUseSession<byte[]> start(SigningFixture f, Scheme scheme, int master, Requester who) {
        return scheme == Scheme.SCHNORR ? f.startSchnorr(master, MESSAGE, f.keyId, who) : f.startEcdsa(master, MESSAGE, f.keyId, who);
    }

    /** Node {@code i} runs {@code legacy_requester_signatures = "shadow-only"}. */
    private static void shadowOnly(SigningFixture f, int i) {
        InMemoryCluster.Node node = f.node(i);
        node.useLegacyPolicy(LegacyPolicy.SHADOW_ONLY);
        node.sessions.registerFactory(SessionType.SCHNORR_SIGNING, SchnorrSigningSession.factory(node, node.sessions, node.storage, f.acl(i),
                node.requesters(), SigningFixture.RNG));
        node.sessions.registerFactory(SessionType.ECDSA_SIGNING, EcdsaSigningSession.factory(node, node.sessions, node.storage, f.acl(i),
                node.requesters(), SigningFixture.RNG));
    }

    private static Credential forged(SigningFixture f, Scheme scheme, Forgery forgery) {
        return switch (forgery) {
            case OTHER_KEY -> fresh(f, scheme.operation, SigningFixture.randomId(), MESSAGE).credential();
            case FORGED_SIGNER -> {
                Authorization a = Authorization.sign(f.node(0).keyPair, f.cluster.clusterId(), scheme.operation, f.keyId, MESSAGE,
                        f.cluster.wallClock.now + 60, new byte[Authorization.NONCE_LENGTH]);
                yield new Credential.Fresh(Authorization.of(a.expires(), a.nonce(), f.requester.address(), a.signature()));
            }
            case OTHER_MESSAGE -> fresh(f, scheme.operation, f.keyId, H256.keccak(new byte[] {7})).credential();
            case OTHER_OPERATION -> fresh(f, scheme.other(), f.keyId, MESSAGE).credential();
            case REPLAYED -> {
                Requester used = fresh(f, scheme.operation, f.keyId, MESSAGE);
                KeyUseSession<byte[]> first = start(f, scheme, 0, used);
                f.cluster.deliverAll();
                assertThat(first.result().isDone() && !first.result().isCompletedExceptionally()).as("the requester's own request").isTrue();
                yield used.credential();
            }
            case STATIC_UNDER_SHADOW_ONLY -> {
                for (int i = 1; i < f.cluster.nodes().size(); i++) shadowOnly(f, i);
                yield f.requester.credential();
            }
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aMasterWithoutTheRequestersAuthorizationObtainsNoSignature_SEC31(Scheme scheme, Forgery forgery) {
        SigningFixture f = new SigningFixture(3, 1);
        Credential credential = forged(f, scheme, forgery);
        MemberOutcomes outcomes = MemberOutcomes.watch(f.cluster);
        NodeId master = f.node(0).id;
        f.cluster.intercept(d -> {
            if (d.from().equals(master) && !d.to().equals(master) && d.envelope().body() instanceof ConsensusMessage.Request r) {
                Envelope e = d.envelope();
                ConsensusMessage.Request forgedRequest = new ConsensusMessage.Request(r.keyId(), credential, scheme.operation, r.versions(),
                        r.messageHash(), r.consensusGroup(), r.block());
                return List.of(new Delivery(d.from(), d.to(), new Envelope(e.type(), e.sessionId(), e.master(), e.sender(), forgedRequest)));
            }
            return List.of(d);
        });
        KeyUseSession<byte[]> s = start(f, scheme, 0, fresh(f, scheme.operation, f.keyId, MESSAGE));
        f.cluster.deliverAll();
        assertThat(s.result().isCompletedExceptionally()).as("node 0 obtains no signature").isTrue();
        assertThat(SigningFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
        for (int i = 1; i < 3; i++) {
            assertThat(outcomes.culprits(f.node(i).id, scheme.type)).as("member %d blames the master", i)
                    .extracting(Culprit::node, Culprit::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(master, Culprit.Reason.UNAUTHORIZED_REQUEST));
        }
        assertThat(f.cluster.allIdle()).isTrue();
    }

    @Test
    void shadowOnlyMembersSignOnlyForAFreshAuthorization_SEC32() {
        SigningFixture f = new SigningFixture(3, 1);
        for (int i = 0; i < 3; i++) shadowOnly(f, i);
        KeyUseSession<byte[]> legacy = f.startSchnorr(0, MESSAGE);
        f.cluster.deliverAll();
        assertThat(SigningFixture.failureKind(legacy)).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED);
        KeyUseSession<byte[]> schnorr = f.startSchnorr(1, MESSAGE, f.keyId, fresh(f, Operation.SIGN_SCHNORR, f.keyId, MESSAGE));
        KeyUseSession<byte[]> ecdsa = f.startEcdsa(2, MESSAGE, f.keyId, fresh(f, Operation.SIGN_ECDSA, f.keyId, MESSAGE));
        f.cluster.deliverAll();
        assertThat(f.open(schnorr, SchnorrSigningSession.SIGNATURE_BLOB_LENGTH)).hasSize(64);
        assertThat(f.open(ecdsa, EcdsaSigningSession.SIGNATURE_BLOB_LENGTH)).hasSize(65);
    }

    @Test
    void theLocalEcdsaSignatureOfAZeroThresholdKeyChecksTheCredentialToo_SEC31() {
        SigningFixture f = new SigningFixture(1, 0);
        shadowOnly(f, 0);
        KeyUseSession<byte[]> legacy = f.startEcdsa(0, MESSAGE);
        f.cluster.deliverAll();
        assertThat(SigningFixture.failureKind(legacy)).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED);
        KeyUseSession<byte[]> otherMessage = f.startEcdsa(0, MESSAGE, f.keyId, fresh(f, Operation.SIGN_ECDSA, f.keyId, H256.keccak(new byte[] {1})));
        f.cluster.deliverAll();
        assertThat(SigningFixture.failureKind(otherMessage)).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA);
        KeyUseSession<byte[]> fresh = f.startEcdsa(0, MESSAGE, f.keyId, fresh(f, Operation.SIGN_ECDSA, f.keyId, MESSAGE));
        f.cluster.deliverAll();
        assertThat(f.open(fresh, EcdsaSigningSession.SIGNATURE_BLOB_LENGTH)).hasSize(65);
    }
}
