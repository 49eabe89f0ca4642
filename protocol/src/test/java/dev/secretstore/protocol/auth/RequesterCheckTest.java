package dev.secretstore.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** SEC-31, SEC-32: a member derives the requester from its credential, under its own policy, clock and nonce memory. */
class RequesterCheckTest {
    static final KeyPair REQUESTER = KeyPair.fromSecretBytes(H256.keccak("requester".getBytes()).toBytes());
    static final H256 CLUSTER = ClusterId.ofName("test");
    static final H256 KEY = H256.keccak("key".getBytes());
    static final H256 MESSAGE = H256.keccak("message".getBytes());
    final AtomicLong now = new AtomicLong(1_800_000_000L);

    RequesterCheck check(LegacyPolicy legacy) {
        return new RequesterCheck(new RequesterCheck.Settings(CLUSTER, legacy, Duration.ofSeconds(30), Duration.ofSeconds(300)), now::get,
                new ReplayGuard(3));
    }

    Credential fresh(Operation op, long expires, int nonceSeed) {
        byte[] nonce = new byte[16];
        nonce[0] = (byte) nonceSeed;
        return new Credential.Fresh(Authorization.sign(REQUESTER, CLUSTER, op, KEY, MESSAGE, expires, nonce));
    }

    static Credential staticSignature() {
        return new Credential.Static(Ecdsa.sign(REQUESTER.secret(), KEY));
    }

    @Test
    void aStaticSignatureGivesItsRequesterWhereThePolicyAllowsIt() {
        Requester r = check(LegacyPolicy.ALL).verify(staticSignature(), Operation.SIGN_ECDSA, KEY, MESSAGE);
        assertThat(r.publicKey()).isEqualTo(REQUESTER.publicKey());
        assertThat(check(LegacyPolicy.SHADOW_ONLY).verify(staticSignature(), Operation.RETRIEVE_DOCUMENT_KEY_SHADOWS, KEY, Operation.NO_PARAMS)
                .address()).isEqualTo(REQUESTER.publicKey().toAddress());
    }

    @Test
    void shadowOnlyAndNoneRefuseStaticSignaturesForWhatOneMemberCouldRead() {
        for (Operation op : new Operation[] {Operation.RETRIEVE_DOCUMENT_KEY, Operation.SIGN_SCHNORR, Operation.SIGN_ECDSA,
                Operation.GENERATE_DOCUMENT_KEY}) {
            assertThatThrownBy(() -> check(LegacyPolicy.SHADOW_ONLY).verify(staticSignature(), op, KEY, MESSAGE))
                    .isInstanceOfSatisfying(SecretStoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED));
        }
        assertThatThrownBy(() -> check(LegacyPolicy.NONE).verify(staticSignature(), Operation.GENERATE_SERVER_KEY, KEY, MESSAGE))
                .isInstanceOfSatisfying(SecretStoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FRESH_AUTHORIZATION_REQUIRED));
    }

    @Test
    void aFreshAuthorizationWorksOncePerUseAndIsRefusedToAnyOtherUse() {
        RequesterCheck check = check(LegacyPolicy.NONE);
        Credential c = fresh(Operation.SIGN_SCHNORR, now.get() + 60, 1);
        assertThat(check.claim(c, Operation.SIGN_SCHNORR, KEY, MESSAGE, "session-1").publicKey()).isEqualTo(REQUESTER.publicKey());
        assertThat(check.claim(c, Operation.SIGN_SCHNORR, KEY, MESSAGE, "session-1").publicKey()).isEqualTo(REQUESTER.publicKey());
        assertThatThrownBy(() -> check.claim(c, Operation.SIGN_SCHNORR, KEY, MESSAGE, "session-2")).hasMessageContaining("already used");
    }

    @Test
    void expiryIsCheckedWithTheSkewAndTooLongLifetimesAreRefused() {
        RequesterCheck check = check(LegacyPolicy.NONE);
        assertThat(check.verify(fresh(Operation.SIGN_SCHNORR, now.get() - 30, 1), Operation.SIGN_SCHNORR, KEY, MESSAGE)).isNotNull();
        assertThatThrownBy(() -> check.verify(fresh(Operation.SIGN_SCHNORR, now.get() - 31, 1), Operation.SIGN_SCHNORR, KEY, MESSAGE))
                .hasMessageContaining("expired");
        assertThat(check.verify(fresh(Operation.SIGN_SCHNORR, now.get() + 330, 1), Operation.SIGN_SCHNORR, KEY, MESSAGE)).isNotNull();
        assertThatThrownBy(() -> check.verify(fresh(Operation.SIGN_SCHNORR, now.get() + 331, 1), Operation.SIGN_SCHNORR, KEY, MESSAGE))
                .hasMessageContaining("ahead");
    }

    @Test
    void aRetargetedAuthorizationIsRefusedNotTakenAsAnotherRequester() {
        Credential c = fresh(Operation.SIGN_SCHNORR, now.get() + 60, 1);
        assertThatThrownBy(() -> check(LegacyPolicy.ALL).verify(c, Operation.SIGN_ECDSA, KEY, MESSAGE))
                .isInstanceOfSatisfying(SecretStoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INSUFFICIENT_REQUESTER_DATA))
                .hasMessageContaining("bad authorization");
    }

    @Test
    void nonceMemoryForgetsOnlyAfterExpiryAndRefusesWhenFull() {
        RequesterCheck check = check(LegacyPolicy.NONE);
        for (int i = 0; i < 3; i++) check.claim(fresh(Operation.SIGN_SCHNORR, now.get() + 10, i), Operation.SIGN_SCHNORR, KEY, MESSAGE, "s" + i);
        assertThatThrownBy(() -> check.claim(fresh(Operation.SIGN_SCHNORR, now.get() + 10, 9), Operation.SIGN_SCHNORR, KEY, MESSAGE, "s9"))
                .isInstanceOfSatisfying(SecretStoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_EARLY_FOR_REQUEST));
        now.addAndGet(10 + 30 + 1); // past expiry + skew: the three are forgotten; the replay window has closed
        Credential next = fresh(Operation.SIGN_SCHNORR, now.get() + 10, 9);
        assertThat(check.claim(next, Operation.SIGN_SCHNORR, KEY, MESSAGE, "s9")).isNotNull();
    }

    @Test
    void credentialsRoundTripTheirWireForm() {
        Credential s = staticSignature();
        Credential f = fresh(Operation.SIGN_SCHNORR, now.get() + 60, 1);
        assertThat(Credential.decode(s.encode())).isEqualTo(s);
        assertThat(Credential.decode(f.encode())).isEqualTo(f);
    }
}
