package dev.secretstore.protocol.session.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Issue #4 / acl-and-config.md §2.3 for signing: the master pins one block and every member checks the ACL at it. */
class PinnedBlockSigningTest {
    private final H256 messageHash = SigningFixture.randomId();

    private static SigningFixture atHeights(long... heads) {
        SigningFixture f = new SigningFixture(heads.length, 1);
        for (int i = 0; i < heads.length; i++) {
            f.acl(i).head = OptionalLong.of(heads[i]);
            f.acl(i).grantedFrom = 10; // the grant is mined in block 10
        }
        return f;
    }

    @Test
    void schnorrMembersAtDifferentHeightsAgreeThroughThePinnedBlock() {
        SigningFixture f = atHeights(12, 9, 20); // node 1 has not seen the grant yet; the master's block 12 has
        SchnorrSigningSession s = f.startSchnorr(0, messageHash);
        f.cluster.deliverAll();
        SchnorrSignature sig = SchnorrSignature.fromBytes(f.open(s, 177));
        assertThat(Schnorr.verify(f.serverKey, messageHash, sig)).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(f.acl(i).blocksAsked).as("node " + i).isNotEmpty().allMatch(b -> b.equals(OptionalLong.of(12)));
        }
    }

    @Test
    void ecdsaMembersAtDifferentHeightsAgreeThroughThePinnedBlock() {
        SigningFixture f = atHeights(15, 9, 30);
        EcdsaSigningSession s = f.startEcdsa(0, messageHash);
        f.cluster.deliverAll();
        RecoverableSignature sig = RecoverableSignature.fromBytes(f.open(s, 178));
        assertThat(Ecdsa.recover(sig, messageHash)).isEqualTo(f.serverKey);
        for (int i = 0; i < 3; i++) {
            assertThat(f.acl(i).blocksAsked).as("node " + i).isNotEmpty().allMatch(b -> b.equals(OptionalLong.of(15)));
        }
    }

    @Test
    void aMasterBlockBeforeTheGrantDeniesEverywhere() {
        SigningFixture f = atHeights(9, 30, 30);
        SchnorrSigningSession s = f.startSchnorr(0, messageHash);
        f.cluster.deliverAll();
        assertThat(SigningFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
    }

    @Test
    void aMasterThatCannotReadTheChainHeadFailsWithInternalErrorWithoutAskingAnyone() {
        SigningFixture f = new SigningFixture(3, 1);
        f.acl(0).headFails = true;
        EcdsaSigningSession s = f.startEcdsa(0, messageHash);
        f.cluster.deliverAll();
        assertThat(SigningFixture.failureKind(s)).isEqualTo(Kind.INTERNAL);
        for (int i = 0; i < 3; i++) assertThat(f.acl(i).calls).as("node " + i).isZero();
    }
}
