package dev.secretstore.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import dev.secretstore.protocol.session.consensus.ConsensusMessage;
import dev.secretstore.protocol.session.dealing.DealingMessage;
import dev.secretstore.protocol.session.decryption.DecryptionMessage;
import dev.secretstore.protocol.session.signing.EcdsaMessage;
import dev.secretstore.protocol.session.signing.SchnorrMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the exact CBOR encoding (wire version 2) of every message of the key-use sessions: the shared
 * consensus and dealing families under each session type that composes them, and each session's own
 * rounds. Fixed inputs, keccak256 of each encoded envelope. A refactoring must not change what goes on
 * the wire; a deliberate protocol change bumps {@link MessageCodec#VERSION}, updates these values and
 * says so.
 */
class KeyUseWireGoldenTest {
    private static PublicPoint point(long k) {
        return SecretScalar.of(Scalar.of(k)).mulG();
    }

    private static SecretScalar secret(long k) {
        return SecretScalar.of(Scalar.of(k));
    }

    private static H256 h(int b) {
        return H256.keccak(new byte[] {(byte) b});
    }

    private static final NodeId A = new NodeId(point(11));
    private static final NodeId B = new NodeId(point(12));
    private static final NodeId C = new NodeId(point(13));
    private static final KeyPair REQUESTER = KeyPair.fromSecretBytes(h(21).toBytes());
    /** SEC-31: the requester's own credentials, a static signature (decryption) and fresh authorizations (signing). */
    private static final Credential STATIC = new Credential.Static(Ecdsa.sign(REQUESTER.secret(), h(1)));

    private static Credential fresh(Operation operation) {
        return new Credential.Fresh(Authorization.sign(REQUESTER, h(50), operation, h(1), h(9), 1_800_000_000L, new byte[16]));
    }

    private record Sample(SessionType type, SessionMessage body) {}

    static Map<String, Sample> samples() {
        List<NodeId> group = List.of(A, B, C);
        List<PublicPoint> v2 = List.of(point(31), point(32));
        List<PublicPoint> v3 = List.of(point(41), point(42), point(43));
        Map<String, Sample> m = new LinkedHashMap<>();
        Map<SessionType, String> prefixes = new LinkedHashMap<>();
        prefixes.put(SessionType.DECRYPTION, "dec");
        prefixes.put(SessionType.SCHNORR_SIGNING, "sch");
        prefixes.put(SessionType.ECDSA_SIGNING, "ecd");
        prefixes.forEach((type, p) -> {
            Credential credential = switch (type) {
                case SCHNORR_SIGNING -> fresh(Operation.SIGN_SCHNORR);
                case ECDSA_SIGNING -> fresh(Operation.SIGN_ECDSA);
                default -> STATIC;
            };
            Operation operation = switch (type) {
                case SCHNORR_SIGNING -> Operation.SIGN_SCHNORR;
                case ECDSA_SIGNING -> Operation.SIGN_ECDSA;
                default -> Operation.RETRIEVE_DOCUMENT_KEY;
            };
            m.put(p + ".consensus.request", new Sample(type, new ConsensusMessage.Request(h(1), credential, operation, List.of(h(2), h(5)),
                    type == SessionType.DECRYPTION ? ConsensusMessage.Request.NO_MESSAGE : h(9), group, 17)));
            m.put(p + ".consensus.response", new Sample(type, new ConsensusMessage.Response(true, List.of(h(2)))));
            m.put(p + ".consensus.refused", new Sample(type, new ConsensusMessage.Refused(h(3))));
            m.put(p + ".consensus.done", new Sample(type, new ConsensusMessage.Done(false)));
        });
        for (SessionType type : List.of(SessionType.SCHNORR_SIGNING, SessionType.ECDSA_SIGNING)) {
            String p = prefixes.get(type);
            m.put(p + ".dealing.request", new Sample(type, new DealingMessage.Request(h(3), group, h(2))));
            m.put(p + ".dealing.hash", new Sample(type, new DealingMessage.Hash(h(3), h(7))));
            m.put(p + ".dealing.hashes", new Sample(type, new DealingMessage.Hashes(h(3), List.of(new DealingMessage.VectorHash(A, h(7)),
                    new DealingMessage.VectorHash(C, h(8))))));
            m.put(p + ".dealing.deal", new Sample(type, new DealingMessage.Deal(h(3), List.of(v2, v3), List.of(secret(1), secret(2)))));
            m.put(p + ".dealing.commitment", new Sample(type, new DealingMessage.Commitment(h(3), List.of(v2, v3))));
            m.put(p + ".dealing.ready", new Sample(type, new DealingMessage.Ready(h(3), List.of(new DealingMessage.VectorHash(B, h(4))))));
            m.put(p + ".dealing.complaint", new Sample(type, new DealingMessage.Complaint(h(3), B)));
        }
        m.put("dec.partial.request", new Sample(SessionType.DECRYPTION,
                new DecryptionMessage.PartialRequest(h(3), group, h(2), secret(5), true, point(6))));
        m.put("dec.partial.response", new Sample(SessionType.DECRYPTION,
                new DecryptionMessage.PartialResponse(h(3), point(7), new byte[] {1, 2, 3})));
        m.put("dec.partial.shadow-response", new Sample(SessionType.DECRYPTION,
                new DecryptionMessage.ShadowPartialResponse(h(3), point(7), point(8), new byte[] {4}, new byte[] {5, 6})));
        m.put("sch.partial.request", new Sample(SessionType.SCHNORR_SIGNING, new SchnorrMessage.PartialRequest(h(3))));
        m.put("sch.partial.response", new Sample(SessionType.SCHNORR_SIGNING, new SchnorrMessage.Partial(h(3), Scalar.of(99))));
        m.put("ecd.u.request", new Sample(SessionType.ECDSA_SIGNING, new EcdsaMessage.URequest(h(3))));
        m.put("ecd.u.share", new Sample(SessionType.ECDSA_SIGNING, new EcdsaMessage.UShare(h(3), Scalar.of(7), new byte[] {9, 9})));
        m.put("ecd.signature.request", new Sample(SessionType.ECDSA_SIGNING, new EcdsaMessage.SignRequest(h(3), Scalar.of(8))));
        m.put("ecd.signature.share", new Sample(SessionType.ECDSA_SIGNING, new EcdsaMessage.SignatureShare(h(3), Scalar.of(9))));
        return m;
    }

    /**
     * keccak256 of each encoded envelope, wire version 2. The consensus requests carry the requester's credential and
     * the operation instead of an address since SEC-31.
     */
    private static final Map<String, String> GOLDEN = Map.ofEntries(
            Map.entry("dec.consensus.done", "f1867a86a5b97a73250249f1ec31cb16ded8913ff3e0d57f4239a198ed62a9ae"),
            Map.entry("dec.consensus.refused", "2802a2e3970e2e664b6282ebfda7c28cce5a7032d86e37de4eb4721c98632713"),
            Map.entry("dec.consensus.request", "c6d0a86453ec87c2fe5277cd0078a74381c3f487ed128a9d4dbd9afd8551b017"),
            Map.entry("dec.consensus.response", "11b1ab63cc79ecbe14744b36d535bb3cb2365d6f9a2ec10625d08b7dd6bced1b"),
            Map.entry("dec.partial.request", "b5e8fb64d37fe3d067566108a742cbf998aa9f39a1b56782c9dc5a552a062a7c"),
            Map.entry("dec.partial.response", "c8d020b034181068e16abe3f34de169de21659dd9385d98b8f60327f30799530"),
            Map.entry("dec.partial.shadow-response", "8ec28913e8a2b202d794c8b499889a8a3b9ee75d24c5f0cbfab6b979e0fc2efb"),
            Map.entry("ecd.consensus.done", "136f2d6d6b8a5df91f074f6425fb15b7923784d0aba8319a7956ab8866701bda"),
            Map.entry("ecd.consensus.refused", "823396a2d97908ef75d2db2f23f9e346e0230a69751f99b4431596a55e635f88"),
            Map.entry("ecd.consensus.request", "1fa4ad27cbdca17e43c2df2c601c9eb7cf964b7f55be986b0bd22322621b3f6e"),
            Map.entry("ecd.consensus.response", "6f215eae1e44120417c6f2da7262620a3adc84d937d3d55e29dc88bd4cec0d5c"),
            Map.entry("ecd.dealing.commitment", "5d282bb9b87de221428714030dec676092e5e3eb4bace6dba0249b86cc38a316"),
            Map.entry("ecd.dealing.complaint", "a0b9a8fc207fb551e208912a345fc9cd5ce2f74a32e4b8e84143eb101bb85de0"),
            Map.entry("ecd.dealing.deal", "4692fa0e59fbee3efbbe2f96b0f8f2a102a493a5e18c1a3321b1024dc5ae03c5"),
            Map.entry("ecd.dealing.hash", "74ad9b4529120c58cba1e325807199ef26b036a5e506c1b87fa7d2191c71f8f3"),
            Map.entry("ecd.dealing.hashes", "036055c39ae247fed95d820f63f4e3515f530d0f89151f170a66ab570cd6eeba"),
            Map.entry("ecd.dealing.ready", "877ef84ca350938303e55a69690ba6da1c3bbf5c97065c66f4cc3ef7a836904b"),
            Map.entry("ecd.dealing.request", "5053b6d5ff1fcaa874f7dc77c2f66654882d0128783c41d60edd97cd90ec7393"),
            Map.entry("ecd.signature.request", "260099c7764c8d3a2c82313cf87c88c744f6f402fdd482f7ac6d0a5bd0ec84bb"),
            Map.entry("ecd.signature.share", "999924fe85d44af49e265abf36c614a12b0c1bc94e4ed33f3866ece6be0a38c5"),
            Map.entry("ecd.u.request", "3cad3d248bcac31f18de24bbc3eea124e29854dbe097a039310f12424a31e382"),
            Map.entry("ecd.u.share", "6a9ded0f4323422a022e36a61566214bcc1fb2d4e233aba3c3c5a00f299ca194"),
            Map.entry("sch.consensus.done", "8e64f076d3e816023f5cbe0f167c5e127d95a9a2f7137c601b48ffc8f1db785f"),
            Map.entry("sch.consensus.refused", "255f91d5d8acff7589049cb9ad6636fd66f064d1605abc1e3ec09cb4c2a99ea0"),
            Map.entry("sch.consensus.request", "172a63f4ae43c6d7732341cbe3909e644c0d0e22a95493726a4b0ad0b86b9745"),
            Map.entry("sch.consensus.response", "7c5872ea789e0b219f102c0ff0630e4ecf408a3633712e6a8c3534b88d340eb5"),
            Map.entry("sch.dealing.commitment", "b059aa562c3ec7f61fdbef8dda02ee4e9b417b3ec198421d9f4913f3567fc2ed"),
            Map.entry("sch.dealing.complaint", "6976386c4dc024049b6205ade0e0501d0b9ed1ff0cf1663db5fd71817cf3c6e1"),
            Map.entry("sch.dealing.deal", "92c1c48897d49ce2480b3347bb16e35b19c71f5fc78e3413d62d9a1a9cb2d92b"),
            Map.entry("sch.dealing.hash", "df7f5bf526bc5c9dee520466fcd50edcdab1367f01777cdc0ec9d4d6f6d5e1c8"),
            Map.entry("sch.dealing.hashes", "37c9e4623042c2d889c2ac70be2f8e22067a97b7d180679c4cd63c797676e664"),
            Map.entry("sch.dealing.ready", "b6b6503933014dde6101991e1e05747373da8c16ccfad8736ccb727d2aa3dd79"),
            Map.entry("sch.dealing.request", "322f9d6385f86adfc190725576a5b61455dec1f9489fd84dda464b1c66c9fa53"),
            Map.entry("sch.partial.request", "00649859e0282edfdcb6743452c72d48be698d29185a1936caf40eeee1625830"),
            Map.entry("sch.partial.response", "7970ebad5c7610b64b4bcdea90a9ac6412c256ba6ee125ce9cf3227619a11ad1")
    );

    private static Envelope envelope(Sample s) {
        return new Envelope(s.type(), h(100), A, B, s.body());
    }

    @Test
    void encodingsArePinned() {
        MessageCodec codec = ClusterMessages.codec();
        Map<String, String> actual = new LinkedHashMap<>();
        samples().forEach((name, sample) -> {
            byte[] enc = codec.encode(envelope(sample));
            Envelope back = codec.decode(enc);
            assertThat(back.body()).as(name).isInstanceOf(sample.body().getClass());
            assertThat(back.type()).as(name).isEqualTo(sample.type());
            actual.put(name, H256.keccak(enc).toHex());
        });
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(GOLDEN);
    }

    /** The envelope starts with the wire version; a version-1 peer's message is refused, not misread. */
    @Test
    void wireVersionIsTwoAndOldVersionsAreRefused() {
        MessageCodec codec = ClusterMessages.codec();
        byte[] enc = codec.encode(envelope(samples().get("dec.consensus.done")));
        assertThat(MessageCodec.VERSION).isEqualTo(2);
        assertThat(enc[1]).as("CBOR small int: the version").isEqualTo((byte) 0x02);
        enc[1] = 0x01;
        assertThatThrownBy(() -> codec.decode(enc)).isInstanceOf(MessageCodec.CodecException.class).hasMessageContaining("version");
    }

    /** A shared sub-protocol message is named under its session type: the name of another session type is refused. */
    @Test
    void aSubProtocolNameOnlyDecodesUnderItsSessionType() {
        MessageCodec codec = ClusterMessages.codec();
        byte[] schnorr = codec.encode(new Envelope(SessionType.SCHNORR_SIGNING, h(100), A, B, new ConsensusMessage.Done(true)));
        byte[] decryption = codec.encode(new Envelope(SessionType.DECRYPTION, h(100), A, B, new ConsensusMessage.Done(true)));
        assertThat(new String(schnorr, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("sch.consensus.done");
        // Splice the decryption body name into the Schnorr envelope: the codec refuses the mismatch.
        String forged = new String(schnorr, java.nio.charset.StandardCharsets.ISO_8859_1).replace("sch.consensus.done", "dec.consensus.done");
        assertThatThrownBy(() -> codec.decode(forged.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
                .isInstanceOf(MessageCodec.CodecException.class);
        assertThat(codec.decode(decryption).type()).isEqualTo(SessionType.DECRYPTION);
    }
}
