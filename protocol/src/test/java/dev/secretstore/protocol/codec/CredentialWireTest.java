package dev.secretstore.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.TestRequesters;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.store.StoreMessage;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * SEC-31: the requester's credential and the operation on the wire (consensus request, store init; the generation's
 * init and the delegated request use the same encodings). A credential is a CBOR byte string of
 * {@link Credential#encode()}'s form, an operation its one-byte code; anything else is an invalid message.
 */
class CredentialWireTest {
    private final MessageCodec codec = ClusterMessages.codec();
    private final KeyPair requester = KeyPair.random();
    private final NodeId node = new NodeId(KeyPair.random().publicKey());
    private final H256 keyId = H256.keccak(new byte[] {5});

    private Credential fresh() {
        return new Credential.Fresh(Authorization.sign(requester, H256.keccak(new byte[] {1}), Operation.SIGN_ECDSA, keyId, keyId,
                1_800_000_000L, new byte[16]));
    }

    private byte[] handMade(SessionType type, String name, Map<String, Object> body) throws Exception {
        return new CBORMapper().writeValueAsBytes(List.of(MessageCodec.VERSION, type.name(), H256.keccak(new byte[] {1}).toBytes(),
                node.toBytes(), node.toBytes(), name, body));
    }

    private Map<String, Object> consensusRequest(Object credential, Object operation) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keyId", keyId.toBytes());
        body.put("credential", credential);
        body.put("operation", operation);
        body.put("versions", List.of(keyId.toBytes()));
        body.put("messageHash", keyId.toBytes());
        body.put("consensusGroup", List.of(node.toBytes()));
        body.put("block", -1);
        return body;
    }

    @Test
    void bothCredentialFormsRoundTrip() throws Exception {
        for (Credential c : List.of(TestRequesters.ofStatic(requester, keyId).credential(), fresh())) {
            ConsensusMessage.Request r = new ConsensusMessage.Request(keyId, c, Operation.SIGN_ECDSA, List.of(keyId), keyId, List.of(node), -1);
            ConsensusMessage.Request decoded = (ConsensusMessage.Request) codec.decode(handMade(SessionType.ECDSA_SIGNING,
                    "ecd.consensus.request", consensusRequest(c.encode(), 8))).body();
            assertThat(decoded.operation()).isEqualTo(Operation.SIGN_ECDSA);
            assertThat(decoded.credential().encode()).isEqualTo(c.encode());
            assertThat(decoded).usingRecursiveComparison().isEqualTo(r);
            StoreMessage.Init init = new StoreMessage.Init(keyId, c, Operation.STORE_DOCUMENT_KEY, SecretScalar.random().mulG(),
                    SecretScalar.random().mulG());
            assertThat(codec.decode(codec.encode(new dev.secretstore.protocol.session.Envelope(SessionType.DOCUMENT_KEY_STORE,
                    keyId, node, node, init))).body()).usingRecursiveComparison().isEqualTo(init);
        }
    }

    /** Malformed credentials: empty, unknown type byte, truncated signature, bad recovery id, fresh of a wrong length or version. */
    @ParameterizedTest
    @ValueSource(strings = {"empty", "type", "short", "recovery-id", "fresh-length", "fresh-version", "text"})
    void aMalformedCredentialIsAnInvalidMessage(String fault) throws Exception {
        byte[] st = TestRequesters.ofStatic(requester, keyId).credential().encode();
        byte[] fr = fresh().encode();
        Object bad = switch (fault) {
            case "empty" -> new byte[0];
            case "type" -> {
                byte[] b = st.clone();
                b[0] = 2;
                yield b;
            }
            case "short" -> Arrays.copyOf(st, st.length - 1);
            case "recovery-id" -> {
                byte[] b = st.clone();
                b[b.length - 1] = 9;
                yield b;
            }
            case "fresh-length" -> Arrays.copyOf(fr, fr.length + 1);
            case "fresh-version" -> {
                byte[] b = fr.clone();
                b[1] = 2;
                yield b;
            }
            default -> "0x00";
        };
        assertThatThrownBy(() -> codec.decode(handMade(SessionType.DECRYPTION, "dec.consensus.request", consensusRequest(bad, 5))))
                .isInstanceOf(MessageCodec.CodecException.class);
        assertThat(codec.decode(handMade(SessionType.DECRYPTION, "dec.consensus.request", consensusRequest(st, 5))).body())
                .as("the same message with a well-formed credential decodes").isInstanceOf(ConsensusMessage.Request.class);
    }

    @Test
    void aCredentialIsNeverPrintedWhole() {
        Credential st = TestRequesters.ofStatic(requester, keyId).credential();
        String sig = ((Credential.Static) st).signature().toHex().substring(2, 40);
        ConsensusMessage.Request r = new ConsensusMessage.Request(keyId, st, Operation.RETRIEVE_DOCUMENT_KEY, List.of(keyId), keyId, List.of(node), -1);
        assertThat(r.toString()).as("a static signature is a bearer token under legacy policy all").doesNotContainIgnoringCase(sig);
        Credential.Fresh fr = (Credential.Fresh) fresh();
        assertThat(fr.toString()).doesNotContainIgnoringCase(fr.authorization().signature().toHex().substring(2, 40));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 11, 255, 261})
    void anUnknownOperationIsAnInvalidMessage(int code) throws Exception {
        byte[] st = TestRequesters.ofStatic(requester, keyId).credential().encode();
        assertThatThrownBy(() -> codec.decode(handMade(SessionType.DECRYPTION, "dec.consensus.request", consensusRequest(st, code))))
                .isInstanceOf(MessageCodec.CodecException.class);
        assertThatThrownBy(() -> codec.decode(handMade(SessionType.DECRYPTION, "dec.consensus.request", consensusRequest(st, "RETRIEVE_DOCUMENT_KEY"))))
                .as("the operation travels as its code, not its name").isInstanceOf(MessageCodec.CodecException.class);
    }
}
