package dev.secretstore.protocol.session.decryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.protocol.SecretStoreException.Kind;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** acl-and-config.md §2.3: the master pins one block and every member of the consensus checks at it. */
class PinnedBlockDecryptionTest {
    @Test
    void membersAtDifferentHeightsAgreeThroughThePinnedBlock() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        long[] heads = {12, 9, 20}; // node 1 lags behind the grant (block 10), node 2 is ahead
        for (int i = 0; i < 3; i++) {
            f.acl(i).head = OptionalLong.of(heads[i]);
            f.acl(i).grantedFrom = 10;
        }
        DecryptionSession s = f.start(0, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        for (int i = 0; i < 3; i++) {
            assertThat(f.acl(i).blocksAsked).as("node " + i).isNotEmpty().allMatch(b -> b.equals(OptionalLong.of(12)));
        }
    }

    @Test
    void aPinnedBlockBeforeTheGrantDeniesEverywhere() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        long[] heads = {9, 30, 30};
        for (int i = 0; i < 3; i++) {
            f.acl(i).head = OptionalLong.of(heads[i]);
            f.acl(i).grantedFrom = 10;
        }
        DecryptionSession s = f.start(0, false);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.CONSENSUS_UNREACHABLE);
    }

    @Test
    void aMasterThatCannotReadTheChainHeadFailsWithInternalErrorWithoutAskingAnyone() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        f.acl(0).headFails = true;
        DecryptionSession s = f.start(0, true);
        f.cluster.deliverAll();
        assertThat(DecryptionFixture.failureKind(s)).isEqualTo(Kind.INTERNAL);
        for (int i = 0; i < 3; i++) assertThat(f.acl(i).calls).as("node " + i).isZero();
    }

    @Test
    void checkersWithoutAChainAreAskedWithoutABlock() {
        DecryptionFixture f = new DecryptionFixture(3, 1);
        DecryptionSession s = f.start(1, true);
        assertThat(f.run(s)).isEqualTo(f.documentKey);
        for (int i = 0; i < 3; i++) assertThat(f.acl(i).blocksAsked).allMatch(OptionalLong::isEmpty);
    }
}
