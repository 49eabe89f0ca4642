package dev.secretstore.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.decryption.DecryptionMessage;
import dev.secretstore.protocol.session.signing.EcdsaMessage;
import dev.secretstore.protocol.session.signing.SchnorrMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the exact CBOR encoding of every message of the three ACL-consensus sessions (decryption, Schnorr
 * and ECDSA signing): fixed inputs, keccak256 of each encoded envelope. A refactoring of the sessions must
 * not change what goes on the wire; a deliberate protocol change updates these values and says so.
 */
class ConsensusWireGoldenTest {
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
    private static final Address REQUESTER = Address.of(point(21));

    static Map<String, SessionMessage> samples() {
        List<NodeId> group = List.of(A, B, C);
        List<PublicPoint> v2 = List.of(point(31), point(32));
        List<PublicPoint> v3 = List.of(point(41), point(42), point(43));
        Map<String, SessionMessage> m = new LinkedHashMap<>();
        m.put("dec.consensus-request", new DecryptionMessage.ConsensusRequest(h(1), REQUESTER, h(2), group, 17));
        m.put("dec.consensus-response", new DecryptionMessage.ConsensusResponse(true));
        m.put("dec.partial-request", new DecryptionMessage.PartialRequest(h(3), group, secret(5), true, point(6)));
        m.put("dec.partial-response", new DecryptionMessage.PartialResponse(h(3), point(7), new byte[] {1, 2, 3}));
        m.put("dec.shadow-partial-response", new DecryptionMessage.ShadowPartialResponse(h(3), point(7), point(8), new byte[] {4}, new byte[] {5, 6}));
        m.put("dec.partial-refused", new DecryptionMessage.PartialRefused(h(3)));
        m.put("dec.done", new DecryptionMessage.Done(false));
        m.put("sch.consensus-request", new SchnorrMessage.ConsensusRequest(h(1), REQUESTER, h(2), h(9), group, -1));
        m.put("sch.consensus-response", new SchnorrMessage.ConsensusResponse(false));
        m.put("sch.nonce-request", new SchnorrMessage.NonceRequest(h(3), group));
        m.put("sch.nonce-deal", new SchnorrMessage.NonceDeal(h(3), v2, secret(10)));
        m.put("sch.nonce-commitment", new SchnorrMessage.NonceCommitment(h(3), v2));
        m.put("sch.nonce-ready", new SchnorrMessage.NonceReady(h(3), List.of(new SchnorrMessage.VectorHash(A, h(4)),
                new SchnorrMessage.VectorHash(B, h(5)))));
        m.put("sch.nonce-complaint", new SchnorrMessage.NonceComplaint(h(3), B));
        m.put("sch.partial-request", new SchnorrMessage.PartialRequest(h(3)));
        m.put("sch.partial", new SchnorrMessage.Partial(h(3), Scalar.of(99)));
        m.put("sch.refused", new SchnorrMessage.Refused(h(3)));
        m.put("sch.done", new SchnorrMessage.Done(true));
        m.put("sch.nonce-hash", new SchnorrMessage.NonceHash(h(3), h(7)));
        m.put("sch.nonce-hashes", new SchnorrMessage.NonceHashes(h(3), List.of(new SchnorrMessage.VectorHash(A, h(7)),
                new SchnorrMessage.VectorHash(C, h(8)))));
        m.put("ecd.consensus-request", new EcdsaMessage.ConsensusRequest(h(1), REQUESTER, h(2), h(9), group, 5));
        m.put("ecd.consensus-response", new EcdsaMessage.ConsensusResponse(true));
        m.put("ecd.nonce-request", new EcdsaMessage.NonceRequest(h(3), group));
        m.put("ecd.nonce-deal", new EcdsaMessage.NonceDeal(h(3), v2, v2, v3.subList(0, 2), secret(1), secret(2), secret(3)));
        m.put("ecd.nonce-commitment", new EcdsaMessage.NonceCommitment(h(3), v2, v2, v3.subList(0, 2)));
        m.put("ecd.nonce-ready", new EcdsaMessage.NonceReady(h(3), List.of(new SchnorrMessage.VectorHash(C, h(6)))));
        m.put("ecd.nonce-complaint", new EcdsaMessage.NonceComplaint(h(3), A));
        m.put("ecd.u-request", new EcdsaMessage.URequest(h(3)));
        m.put("ecd.u-share", new EcdsaMessage.UShare(h(3), Scalar.of(7), new byte[] {9, 9}));
        m.put("ecd.sign-request", new EcdsaMessage.SignRequest(h(3), Scalar.of(8)));
        m.put("ecd.signature-share", new EcdsaMessage.SignatureShare(h(3), Scalar.of(9)));
        m.put("ecd.refused", new EcdsaMessage.Refused(h(3)));
        m.put("ecd.done", new EcdsaMessage.Done(false));
        m.put("ecd.nonce-hash", new EcdsaMessage.NonceHash(h(3), h(7)));
        m.put("ecd.nonce-hashes", new EcdsaMessage.NonceHashes(h(3), List.of(new SchnorrMessage.VectorHash(B, h(8)))));
        return m;
    }

    /** keccak256 of each encoded envelope, recorded before the sessions were refactored onto a shared consensus base. */
    private static final Map<String, String> GOLDEN = Map.ofEntries(
            Map.entry("dec.consensus-request", "d9847af5dfbd49e4e8c30ebbb9800691add9e2d30bad8cf6bfe920c6c6a6638a"),
            Map.entry("dec.consensus-response", "dc98dffecafdcf9af5bbb2d7a8836aba0548dd98f5fd98b84c273ca55543d98e"),
            Map.entry("dec.partial-request", "9f692f0f1b903d2fecf0963d000c03f3fd74c9453da6b7687d52af33b6834749"),
            Map.entry("dec.partial-response", "a5bfcf81f26c50a84767d30fcc7afd3528792a13a36ff0ae9745ca617b33aff7"),
            Map.entry("dec.shadow-partial-response", "e908e7c5220678f0773ef42ae8d12d1add5bd12fcbe661be46e59e76aa1a1727"),
            Map.entry("dec.partial-refused", "1ff17b23a3c8e969941cb5da95f2dbd8fb0032fde28c738e4708e210c7c5adeb"),
            Map.entry("dec.done", "a46f114de4dba1a5412417aab0d2d726ab97de938c209ec643a93ab97177d8f5"),
            Map.entry("sch.consensus-request", "30c74a35a30054d3215b1d93a3198115cbcc100eb618985e3e58091cad4df14e"),
            Map.entry("sch.consensus-response", "82db20979189b9c3a2ae7c5a9b47f0790aa1e85cf965cac86e544f514a7f31e8"),
            Map.entry("sch.nonce-request", "6fe187c2f23f62c7d443d8cdb99007287452aa9d6aa91212b2c72b9b6443a97e"),
            Map.entry("sch.nonce-deal", "57172472b573ac731e5fb4b4cdb7849ac68b7a7918c1bd729de30c8dde07f5e7"),
            Map.entry("sch.nonce-commitment", "2c9a39d51820eab4e804393627efdf9059a51da21ef7bc4f743d4b6de68cbd77"),
            Map.entry("sch.nonce-ready", "c1b1262c4849e9239d85fb454405eefecc3b2c44a6a6345def6c6f1a4a35e60d"),
            Map.entry("sch.nonce-complaint", "3c1347669ab296e69130527f6bdcd0297a1a7e21eb869bb554d03aa9dbff825d"),
            Map.entry("sch.partial-request", "bd947c3878462f98966ddd8022f166ffde9a2e03dbcaa0c0c0ee6df669f91cdb"),
            Map.entry("sch.partial", "bfc1c83642abe3ea1ab88aaef65bf640670efe323db6d917f5144c74610dc233"),
            Map.entry("sch.refused", "40dad2aee1b2d633e149113a8e8bb83b2fb8e48e032ceb260cdc6409083c664e"),
            Map.entry("sch.done", "6157cfd6393050598c88d3294b359882348bdf77bd24c26454dcc3ff990f7587"),
            Map.entry("ecd.consensus-request", "73c0c8ffdf4a9e97f5034255c9f6daa96909c59fa7bf7608643db03d66b0d82a"),
            Map.entry("ecd.consensus-response", "94d74e1632d1aabaac7e93efef14deb2cddcd5a71b0b013ed3b75422be243895"),
            Map.entry("ecd.nonce-request", "1c235792c5a55f094a9eb08aa8e7e1f889c996752b8f1521c04d3bdcd34ee5a7"),
            Map.entry("ecd.nonce-deal", "edb017eaf15388b3a94b31146ffef1f9723e71fd6055fb910c7003749c3a8247"),
            Map.entry("ecd.nonce-commitment", "ef882668c32f67c8b56af8f9d5e1af9ba72132fb37421396bba25b7fcbed34ac"),
            Map.entry("ecd.nonce-ready", "f1fd547871ba0494e1a4165b6b90a87125f9f608cffac61ff71b1036726596ea"),
            Map.entry("ecd.nonce-complaint", "e025994453d4623524b9be250b4a9d404383b3249b4b61001a4a5059244c4555"),
            Map.entry("ecd.u-request", "e0838c25079f0fd54180c1c79f2e910e036e54e7204e003b6226328a5893af32"),
            Map.entry("ecd.u-share", "74201cd3340d490807074d2941bcc7eeecc2608d44a08e83855f8cb4fe821995"),
            Map.entry("ecd.sign-request", "98d9619c4e080b6eaaf7fd04fa83e8c02ee2899cffdee7dfeea50c2f7571708b"),
            Map.entry("ecd.signature-share", "93f198c07ef3b687e63931c59e77950eca63ca72b6ee5186498d1ca55d0fe939"),
            Map.entry("ecd.refused", "c8842fdd45dcc9bde2930848ae48843c27b6c9b4e6052108090de6b0472e8263"),
            Map.entry("ecd.done", "2699f020263538f201deae3d333eb8f555e3faebc42d72d1d33fb1b878282423"),
            // added with the nonce hash-commitment round (docs/signing.md)
            Map.entry("sch.nonce-hash", "35391c438d862478fca246a2b8137b21bf786850a43a64d3c8284f379b4dbc3e"),
            Map.entry("sch.nonce-hashes", "196b00c581f463975218cc0e8ec086fec3b58c132492f2fd4d0df9c9a7385c18"),
            Map.entry("ecd.nonce-hash", "6eef09edbad1f9a887667154b7bdbca73a8804b5c0c96049abe45c9f94bce290"),
            Map.entry("ecd.nonce-hashes", "25f223a59cf8ff614b9be98865866939abc3d8798448dbe781bc003da5c14b5e")
    );

    @Test
    void encodingsAreUnchanged() {
        MessageCodec codec = ClusterMessages.codec();
        Map<String, String> actual = new LinkedHashMap<>();
        samples().forEach((name, body) -> {
            byte[] enc = codec.encode(new Envelope(body.sessionType(), h(100), A, B, body));
            assertThat(codec.decode(enc).body()).as(name).isInstanceOf(body.getClass());
            actual.put(name, H256.keccak(enc).toHex());
        });
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(GOLDEN);
    }
}
