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
 * Pins the exact CBOR encoding (wire version 3) of every message of the key-use sessions: the shared
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
     * keccak256 of each encoded envelope, wire version 3. The consensus requests carry the requester's credential and
     * the operation instead of an address since SEC-31.
     */
    private static final Map<String, String> GOLDEN = Map.ofEntries(
            Map.entry("dec.consensus.done", "769c2cbfb14236da2ec9d466f7a08226a6e0fa06a7e805db4d920ecdf39a836f"),
            Map.entry("dec.consensus.refused", "2dc8ebab31c9e66656ee5f49e6a55087c46ab32bf538be5acf5ced46a11c9efe"),
            Map.entry("dec.consensus.request", "205e092163e2b30331bf2eba7db0c423716526bf56746e63eb3f4f4f10170828"),
            Map.entry("dec.consensus.response", "e26ebf08b56791bcad4b1f1c55dfacf1b7e5b74678b5b1d286535b4bad243f91"),
            Map.entry("dec.partial.request", "b6d31fc7988e575c8c6af5dd70e94b81b2db73592ce5d7adbfb48745f8821fad"),
            Map.entry("dec.partial.response", "a09818e4b043e7443bffe20047ed6cc1c2ca2d87dd83f1518206f10dbb2ae560"),
            Map.entry("dec.partial.shadow-response", "8b74952f2de672c5a67b826214ca7401c22517ef6b5f984ee609fa8dfbbe71c9"),
            Map.entry("ecd.consensus.done", "39b430baf01722f551cc50c6bb171ff21fca29a13d1d4457647c1848a1e33156"),
            Map.entry("ecd.consensus.refused", "25aaf5f5d9dd10ce0b2d39e2065e54ef4802774b7412ae120f1899af8095c908"),
            Map.entry("ecd.consensus.request", "22d84cf9a107c145d380c47f416f0715674b894b7bfde189e45d631371abf3e0"),
            Map.entry("ecd.consensus.response", "3726a11342d9c4a7f19697850a6e394dd2483d771b52ce3c898926eba53008b6"),
            Map.entry("ecd.dealing.commitment", "b9f7b2ae99c976e03baa3ff0c61bd0426e9c5d777bf48495d39cf91e9a1b7983"),
            Map.entry("ecd.dealing.complaint", "4008ba2f5c8b762db6706606930f0d4b385f410f2fca7efbc92594628643c321"),
            Map.entry("ecd.dealing.deal", "5b1a31c56a6682ba8291d87fdf9e1bf05dce23b734cf2f2ffa164d590f571eab"),
            Map.entry("ecd.dealing.hash", "85874b784e3949db99cf44587b93adcccfaedf205a9381fa73672ddf77556d44"),
            Map.entry("ecd.dealing.hashes", "1383449e0cb9582f480336a33cca6c806569953a5fe4f128cbf7e82a89b21b70"),
            Map.entry("ecd.dealing.ready", "6bc9cf07090f587e1ffc7a07e93b7c4470474c56a4012bd8ff9dabd73e40299c"),
            Map.entry("ecd.dealing.request", "28826bf520149005cec728b49216ee218f8157579d192dd3e08ad8781f19b000"),
            Map.entry("ecd.signature.request", "3f71ae25499547d6f8175a0b130f31dc30ac88bf1e82e5a363a4456d544c8a62"),
            Map.entry("ecd.signature.share", "180a1ec3f070525982ea1c6a0319f61da803e8ef53ba5940b5a79d58e802963f"),
            Map.entry("ecd.u.request", "6b47ef122fddbf621fe1759b15231e104bd20dc57ae0919569a484ca2050f932"),
            Map.entry("ecd.u.share", "1b399f448c36ae8a888f975a990225a9449f64e92d47696568320b282c868843"),
            Map.entry("sch.consensus.done", "0bcc8d20c64b9222be28303a287bd76a0fd0d259e85efbe6c5b4ef45a2b5cc3e"),
            Map.entry("sch.consensus.refused", "10781b66017feceaf17e3ba387cfd91b2dd36bf3bf7ee85b41b728c07a7c19aa"),
            Map.entry("sch.consensus.request", "393f03bbc1f7146c76f06c3e7f62374b891c8afd21b9143eeae9471288e12475"),
            Map.entry("sch.consensus.response", "aff418f2b8980488a4c4eb25232c15a940cd0a1cdcdd5d01e29cb52f62b0c844"),
            Map.entry("sch.dealing.commitment", "86a4bf9a80b36b3806c32c8f48b3959a9e307f57000c82675c9636e68e2d61ca"),
            Map.entry("sch.dealing.complaint", "d2a78b9ebb50bb34e4bd0737cf02b51ea5a635cb0ae10519f6c2884cb08f4e74"),
            Map.entry("sch.dealing.deal", "ddaa8d8d602c34dc6796b35c44d6d99c56b175950f18db9e1346bcc561506a8c"),
            Map.entry("sch.dealing.hash", "1e9dbb6eee00434f717a47c4d94d4800ba4fe501bac20a44f2daee94d05ee1c3"),
            Map.entry("sch.dealing.hashes", "43d555d69d33713adefacfa02cd3d8118f50d0ecb0e6075077a624edfe21a41f"),
            Map.entry("sch.dealing.ready", "35e35ef6f6a93211fdbbd5458ac43927857b404dc51a647083c8c8d308702520"),
            Map.entry("sch.dealing.request", "c345d34f3aa600941c46dbdfbeb2f77d16d6c4daffdcdcd67721d1b3e2edd0c5"),
            Map.entry("sch.partial.request", "dc47caf326741f3e24351729a85c91b2b6b4f5cb57beb96c8f9463a06de314d9"),
            Map.entry("sch.partial.response", "864c42c5a2dd42b0e95f557813247efd81e5f72f2bba320e112bc8be5f0ccf00")
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

    /** The envelope starts with the wire version; a version-2 peer's message is refused, not misread. */
    @Test
    void wireVersionIsThreeAndOldVersionsAreRefused() {
        MessageCodec codec = ClusterMessages.codec();
        byte[] enc = codec.encode(envelope(samples().get("dec.consensus.done")));
        assertThat(MessageCodec.VERSION).isEqualTo(3);
        assertThat(enc[1]).as("CBOR small int: the version").isEqualTo((byte) 0x03);
        enc[1] = 0x02;
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
