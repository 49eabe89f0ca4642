package dev.secretstore.crypto.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** SEC-32: an authorization verifies for exactly what was signed and nothing else. */
class AuthorizationTest {
    static final KeyPair REQUESTER = KeyPair.fromSecretBytes(H256.keccak("requester".getBytes()).toBytes());
    static final H256 CLUSTER = ClusterId.ofName("example");
    static final H256 KEY = H256.keccak("key".getBytes());
    static final H256 MESSAGE = H256.keccak("message".getBytes());
    static final byte[] NONCE = new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static final long EXPIRES = 1_767_225_600L;

    static Authorization signed() {
        return Authorization.sign(REQUESTER, CLUSTER, Operation.SIGN_SCHNORR, KEY, MESSAGE, EXPIRES, NONCE);
    }

    @Test
    void verifiesForWhatWasSignedAndRecoversTheRequester() {
        assertThat(signed().verify(CLUSTER, Operation.SIGN_SCHNORR, KEY, MESSAGE)).isEqualTo(REQUESTER.publicKey());
        assertThat(signed().signer()).isEqualTo(Address.of(REQUESTER.publicKey()));
    }

    static Stream<Arguments> retargeted() {
        H256 other = H256.keccak("other".getBytes());
        return Stream.of(
                Arguments.of("other operation", ClusterId.ofName("example"), Operation.SIGN_ECDSA, KEY, MESSAGE),
                Arguments.of("other key", CLUSTER, Operation.SIGN_SCHNORR, other, MESSAGE),
                Arguments.of("other message hash", CLUSTER, Operation.SIGN_SCHNORR, KEY, other),
                Arguments.of("foreign cluster", ClusterId.ofName("elsewhere"), Operation.SIGN_SCHNORR, KEY, MESSAGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retargeted")
    void refusesAnyOtherTarget(String what, H256 cluster, Operation op, H256 key, H256 params) {
        assertThatThrownBy(() -> signed().verify(cluster, op, key, params))
                .isInstanceOf(CryptoException.class).hasMessageContaining("was not signed by");
    }

    @Test
    void aChangedExpiryOrNonceNoLongerVerifies() {
        Authorization a = signed();
        Authorization laterExpiry = Authorization.of(EXPIRES + 1, NONCE, a.signer(), a.signature());
        byte[] otherNonce = NONCE.clone();
        otherNonce[0] ^= 1;
        Authorization changedNonce = Authorization.of(EXPIRES, otherNonce, a.signer(), a.signature());
        assertThatThrownBy(() -> laterExpiry.verify(CLUSTER, Operation.SIGN_SCHNORR, KEY, MESSAGE)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> changedNonce.verify(CLUSTER, Operation.SIGN_SCHNORR, KEY, MESSAGE)).isInstanceOf(CryptoException.class);
    }

    @Test
    void headerAndBinaryFormsRoundTrip() {
        Authorization a = signed();
        assertThat(Authorization.parseHeader(a.toHeader())).isEqualTo(a);
        assertThat(Authorization.fromBytes(a.toBytes())).isEqualTo(a);
        assertThat(a.toBytes()).hasSize(Authorization.LENGTH);
        assertThat(a.toString()).doesNotContain(a.signature().toHex());
    }

    @ParameterizedTest
    @MethodSource("malformedHeaders")
    void malformedHeadersAreRefused(String header) {
        assertThatThrownBy(() -> Authorization.parseHeader(header)).isInstanceOf(CryptoException.class);
    }

    static Stream<String> malformedHeaders() {
        String good = signed().toHeader();
        return Stream.of("", "v2" + good.substring(2), good.replace("expires=", "expires=-"), good.replace(" nonce=", "  nonce="),
                good.substring(0, good.length() - 2), good + "00", good.replace("expires=" + EXPIRES, "expires=99999999999999999999"),
                good.replace("expires=" + EXPIRES, "expires=0"), "x".repeat(500));
    }

    @Test
    void thresholdParamsAreBigEndianUnsigned() {
        assertThat(Operation.thresholdParams(1).toHex()).isEqualTo("0".repeat(63) + "1");
        assertThat(Operation.thresholdParams(-1).toHex()).isEqualTo("0".repeat(48) + "f".repeat(16));
    }

    @Test
    void clusterIdsOfMembersIgnoreOrderAndDifferFromNames() {
        KeyPair a = KeyPair.fromSecretBytes(H256.keccak("a".getBytes()).toBytes());
        KeyPair b = KeyPair.fromSecretBytes(H256.keccak("b".getBytes()).toBytes());
        assertThat(ClusterId.ofMembers(java.util.List.of(a.publicKey(), b.publicKey())))
                .isEqualTo(ClusterId.ofMembers(java.util.List.of(b.publicKey(), a.publicKey(), a.publicKey())))
                .isNotEqualTo(ClusterId.ofMembers(java.util.List.of(a.publicKey())));
        assertThat(ClusterId.ofName("a")).isNotEqualTo(ClusterId.ofName("b"));
    }
}
