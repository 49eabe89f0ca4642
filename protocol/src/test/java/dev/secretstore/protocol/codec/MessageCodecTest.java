package dev.secretstore.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.admin.ServersSetChangeMessage;
import dev.secretstore.protocol.session.generation.GenerationMessage.IdNumber;
import dev.secretstore.protocol.session.store.StoreMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cluster message encoding: round trips, and every malformed input is a CodecException (SEC-01, SEC-05). */
class MessageCodecTest {
    private final MessageCodec codec = ClusterMessages.codec();
    private final NodeId master = new NodeId(KeyPair.random().publicKey());
    private final NodeId sender = new NodeId(KeyPair.random().publicKey());
    private final H256 sessionId = H256.keccak(new byte[] {1});

    private Envelope envelope(SessionMessage body) {
        return new Envelope(body.sessionType(), sessionId, master, sender, body);
    }

    private List<SessionMessage> samples() {
        return List.of(
                new StoreMessage.Init(H256.keccak(new byte[] {2}),
                        dev.secretstore.protocol.session.TestRequesters.ofStatic(KeyPair.random(), H256.keccak(new byte[] {2})).credential(),
                        dev.secretstore.crypto.auth.Operation.STORE_DOCUMENT_KEY, SecretScalar.random().mulG(), SecretScalar.random().mulG()),
                new StoreMessage.Prepared(),
                new StoreMessage.Refused(SecretStoreException.Kind.ACCESS_DENIED),
                new StoreMessage.Commit(),
                new StoreMessage.Abort(),
                new StoreMessage.Committed(), // issue #12: commit acknowledgements
                new dev.secretstore.protocol.session.generation.GenerationMessage.Committed(),
                new dev.secretstore.protocol.session.resolution.ResolutionMessage.Status(
                        List.of(H256.keccak(new byte[] {3}), H256.keccak(new byte[] {4})), true, false),
                new dev.secretstore.protocol.session.resolution.ResolutionMessage.Status(List.of(), false, true),
                subshares(List.of(H256.keccak(new byte[] {5}))), // a refreshed old version: its id nonce travels (issue #17)
                subshares(List.of()));
    }

    /** A set change's subshares for one key whose old version has {@code oldNonce} (0 or 1 value). */
    private static ServersSetChangeMessage.Subshares subshares(List<H256> oldNonce) {
        NodeId holder = new NodeId(KeyPair.random().publicKey());
        PublicPoint p = SecretScalar.random().mulG();
        return new ServersSetChangeMessage.Subshares(3, List.of(new ServersSetChangeMessage.Subshare(H256.keccak(new byte[] {6}),
                List.of(p, p), SecretScalar.random(), Address.fromBytes(new byte[20]), p, List.of(), List.of(p, p),
                List.of(new IdNumber(holder, Scalar.of(7))), oldNonce)));
    }

    /** The old version's nonce is 0 or 1 value: two are refused by the decoder, not misread (SEC-03, SEC-05). */
    @Test
    void subshareWithTwoOldNoncesIsRejected() throws java.io.IOException {
        com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper cbor = new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper();
        com.fasterxml.jackson.databind.node.ArrayNode tree =
                (com.fasterxml.jackson.databind.node.ArrayNode) cbor.readTree(codec.encode(envelope(subshares(List.of(H256.keccak(new byte[] {5}))))));
        com.fasterxml.jackson.databind.node.ArrayNode nonces = (com.fasterxml.jackson.databind.node.ArrayNode) tree.get(6).get("items").get(0).get("oldNonce");
        assertThat(nonces).hasSize(1);
        nonces.add(H256.keccak(new byte[] {8}).toBytes());
        byte[] twice = cbor.writeValueAsBytes(tree);
        assertThatThrownBy(() -> codec.decode(twice)).isInstanceOf(MessageCodec.CodecException.class);
        nonces.remove(1);
        assertThat(codec.decode(cbor.writeValueAsBytes(tree)).body()).isInstanceOf(ServersSetChangeMessage.Subshares.class);
    }

    @Test
    void everyMessageRoundTrips() {
        for (SessionMessage m : samples()) {
            Envelope e = envelope(m);
            assertThat(codec.decode(codec.encode(e))).as(m.getClass().getSimpleName()).isEqualTo(e);
        }
    }

    @Test
    void everyTruncationAndBitFlipIsRejectedOrValid() { // SEC-05: never an unexpected exception
        byte[] valid = codec.encode(envelope(samples().get(0)));
        for (int len = 0; len < valid.length; len++) {
            byte[] cut = Arrays.copyOf(valid, len);
            assertThatThrownBy(() -> codec.decode(cut)).as("truncated to " + len).isInstanceOf(MessageCodec.CodecException.class);
        }
        for (int i = 0; i < valid.length * 8; i++) {
            byte[] flipped = valid.clone();
            flipped[i / 8] ^= (byte) (1 << (i % 8));
            try {
                Envelope e = codec.decode(flipped);
                assertThat(e).isNotNull(); // a flip inside a value may still decode to a valid (different) envelope
            } catch (MessageCodec.CodecException expected) {
                // rejected
            }
        }
    }

    @Test
    void invalidPointInBodyIsRejected() { // SEC-01
        byte[] valid = codec.encode(envelope(samples().get(0)));
        byte[] common = ((StoreMessage.Init) samples().get(0)).commonPoint().toBytes();
        // Corrupt the last byte of the first 64-byte point found after the header: find by searching the encoding.
        Envelope e = envelope(samples().get(0));
        byte[] enc = codec.encode(e);
        byte[] point = ((StoreMessage.Init) e.body()).commonPoint().toBytes();
        int at = indexOf(enc, point);
        assertThat(at).isPositive();
        enc[at + 63] ^= 1;
        assertThatThrownBy(() -> codec.decode(enc)).isInstanceOf(MessageCodec.CodecException.class);
        assertThat(common).hasSize(64);
        assertThat(valid).isNotEmpty();
    }

    @Test
    void randomGarbageIsRejected() {
        Random rnd = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] junk = new byte[rnd.nextInt(300)];
            rnd.nextBytes(junk);
            assertThatThrownBy(() -> codec.decode(junk)).isInstanceOf(MessageCodec.CodecException.class);
        }
    }

    @Test
    void unregisteredTypesAndOversizedInputAreRejected() {
        MessageCodec small = ClusterMessages.codec(64);
        byte[] big = codec.encode(envelope(samples().get(0)));
        assertThatThrownBy(() -> small.decode(big)).isInstanceOf(MessageCodec.CodecException.class);
        MessageCodec empty = new MessageCodec(1 << 20);
        assertThatThrownBy(() -> empty.decode(big)).isInstanceOf(MessageCodec.CodecException.class);
        assertThatThrownBy(() -> empty.encode(envelope(new StoreMessage.Commit()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void envelopeTypeMustMatchBody() {
        assertThatThrownBy(() -> new Envelope(SessionType.DECRYPTION, sessionId, master, sender, new StoreMessage.Commit()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
