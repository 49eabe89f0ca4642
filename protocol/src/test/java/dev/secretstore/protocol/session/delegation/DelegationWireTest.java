package dev.secretstore.protocol.session.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.codec.ClusterMessages;
import dev.secretstore.protocol.codec.MessageCodec;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.crypto.auth.Operation;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The entry-point messages on the wire (SEC-40): they round-trip, and shapes that fit no endpoint do not decode. */
class DelegationWireTest {
    private final MessageCodec codec = ClusterMessages.codec();
    private final NodeId node = new NodeId(KeyPair.random().publicKey());
    private final KeyPair requester = KeyPair.random();
    private final H256 keyId = H256.keccak(new byte[] {7});

    private Envelope envelope(SessionMessage body) {
        return new Envelope(SessionType.DELEGATION, H256.keccak(new byte[] {1}), node, node, body);
    }

    private byte[] roundTrip(SessionMessage m) {
        byte[] bytes = codec.encode(envelope(m));
        assertThat(codec.encode(codec.decode(bytes))).as(m.getClass().getSimpleName()).isEqualTo(bytes);
        return bytes;
    }

    @Test
    void everyMessageRoundTrips() {
        PublicPoint p = KeyPair.random().publicKey();
        PublicPoint q = KeyPair.random().publicKey();
        NodeId other = new NodeId(KeyPair.random().publicKey());
        roundTrip(new DelegationMessage.Query(keyId, Endpoint.RETRIEVE_SHADOWS));
        roundTrip(new DelegationMessage.Held(requester.address(), 1, p, true, false));
        roundTrip(new DelegationMessage.NotHeld());
        roundTrip(new DelegationMessage.Request(Endpoint.STORE_DOCUMENT_KEY, keyId, TestRequesters.ofStatic(requester, keyId).credential(),
                keyId, List.of(p, p)));
        roundTrip(new DelegationMessage.Request(Endpoint.SIGN_ECDSA, keyId, TestRequesters.fresh(requester, keyId, Operation.SIGN_ECDSA,
                keyId, keyId, 1_800_000_000L).credential(), keyId, List.of()));
        roundTrip(new DelegationMessage.Succeeded(new byte[177], List.of(), List.of()));
        roundTrip(new DelegationMessage.Succeeded(new byte[0], List.of(p, p), List.of(new byte[145], new byte[145])));
        // SEC-33: the shadows' members and proved points; the members a shadow retrieval leaves out
        roundTrip(new DelegationMessage.Succeeded(new byte[0], List.of(p, p), List.of(new byte[145], new byte[145]), List.of(node, other),
                List.of(p, q)));
        roundTrip(new DelegationMessage.Request(Endpoint.RETRIEVE_SHADOWS, keyId, TestRequesters.ofStatic(requester, keyId).credential(),
                keyId, List.of(), List.of(node, other)));
        roundTrip(new DelegationMessage.Failed(Kind.CONSENSUS_UNREACHABLE, "", List.of(node), List.of(Culprit.Reason.REFUSED)));
        roundTrip(new DelegationMessage.Failed(Kind.INTERNAL, "cannot read the chain head for the ACL check", List.of(), List.of()));
    }

    @Test
    void malformedShapesAreRejectedOnDecode() throws Exception {
        assertThatThrownBy(() -> codec.decode(handMade("del.held", Map.of("author", requester.address().toBytes(), "threshold", -1,
                "publicKey", requester.publicKey().toBytes(), "documentKey", true, "usable", true))))
                .isInstanceOf(MessageCodec.CodecException.class);
        assertThatThrownBy(() -> codec.decode(handMade("del.failed", Map.of("kind", "ACCESS_DENIED", "detail", "injected text",
                "culprits", List.of(), "reasons", List.of())))).isInstanceOf(MessageCodec.CodecException.class);
        assertThatThrownBy(() -> codec.decode(handMade("del.failed", Map.of("kind", "INTERNAL", "detail", "x".repeat(257),
                "culprits", List.of(), "reasons", List.of())))).isInstanceOf(MessageCodec.CodecException.class);
        byte[] credential = TestRequesters.ofStatic(requester, keyId).credential().encode();
        assertThatThrownBy(() -> codec.decode(handMade("del.request", Map.of("endpoint", "RETRIEVE_SERVER_KEY", "keyId", keyId.toBytes(),
                "credential", credential, "messageHash", keyId.toBytes(), "documentKey", List.of(), "excluded", List.of()))))
                .isInstanceOf(MessageCodec.CodecException.class);
        // SEC-31: a credential that does not parse fails the message like any malformed field
        byte[] unknownType = credential.clone();
        unknownType[0] = 7;
        assertThatThrownBy(() -> codec.decode(handMade("del.request", Map.of("endpoint", "SIGN_SCHNORR", "keyId", keyId.toBytes(),
                "credential", unknownType, "messageHash", keyId.toBytes(), "documentKey", List.of(), "excluded", List.of()))))
                .isInstanceOf(MessageCodec.CodecException.class);
        assertThat(codec.decode(handMade("del.request", Map.of("endpoint", "SIGN_SCHNORR", "keyId", keyId.toBytes(),
                "credential", credential, "messageHash", keyId.toBytes(), "documentKey", List.of(), "excluded", List.of()))).body())
                .as("the same request with the well-formed credential decodes").isInstanceOf(DelegationMessage.Request.class);
        // SEC-33: exclusions only for a shadow retrieval; one proved point per shadow member
        assertThatThrownBy(() -> codec.decode(handMade("del.request", Map.of("endpoint", "SIGN_ECDSA", "keyId", keyId.toBytes(),
                "credential", credential, "messageHash", keyId.toBytes(), "documentKey", List.of(), "excluded", List.of(node.toBytes())))))
                .isInstanceOf(MessageCodec.CodecException.class);
        assertThatThrownBy(() -> codec.decode(handMade("del.succeeded", Map.of("result", new byte[0], "points", List.of(),
                "shadows", List.of(new byte[145]), "shadowNodes", List.of(node.toBytes()), "shadowPoints", List.of()))))
                .isInstanceOf(MessageCodec.CodecException.class);
        assertThat(codec.decode(handMade("del.succeeded", Map.of("result", new byte[0], "points", List.of(),
                "shadows", List.of(new byte[145]), "shadowNodes", List.of(node.toBytes()), "shadowPoints",
                List.of(requester.publicKey().toBytes())))).body()).isInstanceOf(DelegationMessage.Succeeded.class);
        assertThatThrownBy(() -> codec.decode(handMade("del.succeeded", Map.of("result", new byte[0], "points", List.of(),
                "shadows", List.of(new byte[145]), "shadowNodes", List.of(node.toBytes()), "shadowPoints",
                List.of(new byte[64])))))
                .as("a proved point must be on the curve").isInstanceOf(MessageCodec.CodecException.class);
        // the hand-made envelope itself is fine: a valid body decodes
        assertThat(codec.decode(handMade("del.not-held", Map.of())).body()).isEqualTo(new DelegationMessage.NotHeld());
    }

    private byte[] handMade(String name, Map<String, Object> body) throws Exception {
        CBORMapper mapper = new CBORMapper();
        return mapper.writeValueAsBytes(List.of(MessageCodec.VERSION, SessionType.DELEGATION.name(), H256.keccak(new byte[] {1}).toBytes(),
                node.toBytes(), node.toBytes(), name, body));
    }
}
