package dev.secretstore.crypto.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SEC-32: the Java implementation reproduces the test vectors of docs/auth.md §1-§2, which were
 * computed by the independent pure-Python reference docs/auth-vector.py (its own Keccak, curve arithmetic and
 * RFC 6979), so a client written from the document interoperates with the key server.
 */
class AuthorizationVectorsTest {
    static final KeyPair REQUESTER = KeyPair.fromSecretBytes(
            Hex.decode("7aeb5919dbb2240790fcc1995c1535fe74fc9c82ba96f1bc7ba0f17c22e4ea24"));
    static final long EXPIRES = 1_767_225_600L;
    static final byte[] NONCE = Hex.decode("000102030405060708090a0b0c0d0e0f");
    static final H256 KEY = H256.keccak("key".getBytes());
    static final H256 ZERO = H256.fromBytes(new byte[32]);
    static final String SIGNER = "5e23ecff53fc9d493fd07cec190106e44c4a536a";
    static final String CLUSTER = "6f1a4854dba129260f4243893e2b569b119af4bf24d649da1b954371854420df";

    static PublicPoint times(int k) {
        byte[] secret = new byte[32];
        secret[31] = (byte) k;
        return KeyPair.fromSecretBytes(secret).publicKey();
    }

    @Test
    void requesterAndClusterIdentities() {
        assertThat(Hex.encode(REQUESTER.publicKey().toBytes())).isEqualTo(
                "f22891acf4b6560b6d3b9a446f620505ded779564b65719a4bf4e02044a896a3188141aa5ec6204313e9bd01adc9a596b15cdaa334da0cd9f8967cb3f6727f1e");
        assertThat(Hex.encode(Address.of(REQUESTER.publicKey()).toBytes())).isEqualTo(SIGNER);
        assertThat(ClusterId.ofName("example").toHex()).isEqualTo(CLUSTER);
        assertThat(ClusterId.ofMembers(List.of(times(3), times(1), times(2))).toHex())
                .isEqualTo("2e3b1f75944e3489ed17e797f3e10898c21b97da98b5d29fcd135df41870b6ef");
    }

    static Stream<Arguments> vectors() {
        List<PublicPoint> oldSet = List.of(times(1), times(2), times(3));
        List<PublicPoint> newSet = List.of(times(1), times(2), times(3), times(4));
        return Stream.of(
                Arguments.of(Operation.GENERATE_SERVER_KEY, KEY, Operation.thresholdParams(1),
                        "0000000000000000000000000000000000000000000000000000000000000001",
                        "471c385afdb915e701e6f069efd6cb5235e08a594cbf09f7f0e91bb863ab5505",
                        "3e1d0a5f1ab95ff4c293c4a00c93bfc44a003aed9e93258534341e5c56183e5c3caa683aaea0deffb4b41503d7c80fdbd831c954ed4ac5d33fa149e2656f392800"),
                Arguments.of(Operation.STORE_DOCUMENT_KEY, KEY, Operation.storeParams(times(7), times(11)),
                        "c56062044cab91383bf44d731a07f70147d439782278e4bed0aea5e0d2c600e3",
                        "bcf151a8dd51a4dc9c7657f91b2fdb9ec84f3d0cd7db3063532195dd36342ba0",
                        "fc30e19f638fc777915077b4b686c3877e568a0a7c30ebb881e7c4afd40d531e43c91339cf610022880be7074e49953640aee1918697173b68a1ec0ef2f6edb701"),
                Arguments.of(Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, KEY, Operation.NO_PARAMS,
                        "0000000000000000000000000000000000000000000000000000000000000000",
                        "7b7430fa5122afb5fc515c3e6d55538b9efd7161caec2f7767ee508c346c6c4e",
                        "53c18d209565cdd32b7d12a1c33de9260f1090f7c5b47894de7b0e016d608f4c4779b09bb1a1bfd790178faf88b212573e07928286dca710bbc4f5aa3899d9fe00"),
                Arguments.of(Operation.SIGN_SCHNORR, KEY, H256.keccak("message".getBytes()),
                        "c2baf6c66618acd49fb133cebc22f55bd907fe9f0d69a726d45b7539ba6bbe08",
                        "9d1c99adaa0584ec22992fabdfe82ea74c249692316b989446b497ff7756952d",
                        "b9a39572a3b6c3c847b9e23124d9fa67bf090510bc47b6c1bf3a79ca56ad12ad323090713e6738cb0efec07fec3334753cd86dbc986f6c52c565abf1de8ce4d600"),
                Arguments.of(Operation.CHANGE_SERVERS_SET, ZERO, Operation.serversSetParams(oldSet, newSet),
                        "636014894b93a1334eb3e137fc298b0cddb2a38abe8e2073a878342e546b6143",
                        "07c1bdce589faa666f9f54d2b9fc53fd4f64dc228755fccb6958c0306fdeb0dd",
                        "d6e7ffc7ea86be98d86c7479b5ffdef3dd9586a93cbe36aa3eba7dc6dd5ec31604ed3eb879a666c89b00a08c6b3ebeb774cbb86aa27636ffc5236d59e1d53a5201"),
                // params of a refresh come from RefreshAuthorization.message (protocol; RefreshAuthorizationVectorTest checks them there)
                Arguments.of(Operation.REFRESH_SHARES, ZERO, H256.fromHex("2fd5fd0aabb736491bbe2c92fe4972c10cf4201490cb190b5d3ce3cb3d0a06eb"),
                        "2fd5fd0aabb736491bbe2c92fe4972c10cf4201490cb190b5d3ce3cb3d0a06eb",
                        "046226ef45b32565362b1f067420bfe6c983d0245f8bc4ebca66f7d8a141cb7b",
                        "5247d73c4c86fc7a9267fd059171cf4c515cffc6ca130c50058120e1ea5752426b7c0283bbb18318204fb3d5f83e7bfdd0aa710b8da570ef72ae7bebaa1735a400"));
    }

    @ParameterizedTest(name = "operation {0}")
    @MethodSource("vectors")
    void reproducesTheDocumentedVector(Operation op, H256 keyId, H256 params, String paramsHex, String hashHex, String signatureHex) {
        H256 cluster = ClusterId.ofName("example");
        assertThat(params.toHex()).isEqualTo(paramsHex);
        assertThat(Authorization.hash(cluster, op, keyId, params, EXPIRES, NONCE).toHex()).isEqualTo(hashHex);

        Authorization a = Authorization.sign(REQUESTER, cluster, op, keyId, params, EXPIRES, NONCE);
        assertThat(Hex.encode(a.signature().toBytes())).isEqualTo(signatureHex);
        String header = "v1 expires=1767225600 nonce=000102030405060708090a0b0c0d0e0f signer=0x" + SIGNER + " signature=" + signatureHex;
        assertThat(a.toHeader()).isEqualTo(header);
        assertThat(Hex.encode(a.toBytes())).isEqualTo("01000000006955b900000102030405060708090a0b0c0d0e0f" + SIGNER + signatureHex);

        Authorization parsed = Authorization.parseHeader(header);
        assertThat(parsed.verify(cluster, op, keyId, params)).isEqualTo(REQUESTER.publicKey());
        assertThat(parsed.signature()).isEqualTo(RecoverableSignature.fromBytes(Hex.decode(signatureHex)));
    }
}
