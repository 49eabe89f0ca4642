package dev.secretstore.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VerifiedSharesTest {
    /** A 60-byte sealed value (nonce ‖ ciphertext ‖ tag) with a seeded random tag. */
    private static byte[] sealed(long seed) {
        byte[] b = new byte[60];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void remembersByTagAndCopiesNothingTheCallerCanChange() {
        VerifiedShares v = new VerifiedShares(1024);
        byte[] a = sealed(1);
        v.add(a);
        assertThat(v.contains(sealed(1))).isTrue();
        assertThat(v.contains(sealed(2))).isFalse();
        for (int bit = 0; bit < 128; bit++) { // any flipped tag bit is a different value
            byte[] flipped = sealed(1);
            flipped[44 + bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(v.contains(flipped)).as("tag bit %d", bit).isFalse();
        }
        a[59] ^= 1; // the table holds the tag's value, not the array
        assertThat(v.contains(sealed(1))).isTrue();
    }

    @Test
    void anAllZeroTagIsNeverRemembered() {
        VerifiedShares v = new VerifiedShares(1024);
        byte[] zeros = new byte[60];
        v.add(zeros);
        assertThat(v.contains(zeros)).isFalse();
        assertThat(v.size()).isZero();
    }

    @Test
    void growsToItsBoundThenForgetsOlderEntriesOnly() {
        VerifiedShares v = new VerifiedShares(1 << 14);
        for (int i = 0; i < 4000; i++) v.add(sealed(i));
        int kept = 0;
        for (int i = 0; i < 4000; i++) if (v.contains(sealed(i))) kept++;
        assertThat(kept).as("grown while below the bound: a third entry in one set is rare").isGreaterThan(3800).isEqualTo(v.size());
        for (int i = 4000; i < 100_000; i++) v.add(sealed(i));
        assertThat(v.size()).isLessThanOrEqualTo(1 << 14);
        int recent = 0;
        for (int i = 100_000 - 1000; i < 100_000; i++) if (v.contains(sealed(i))) recent++;
        int old = 0;
        for (int i = 0; i < 1000; i++) if (v.contains(sealed(i))) old++;
        assertThat(recent).as("an entry is forgotten only after two newer ones landed in its set").isGreaterThan(990);
        assertThat(old).as("the oldest were forgotten").isLessThan(50);
    }

    @Test
    void capacityMustHoldTwoEntries() {
        assertThatThrownBy(() -> new VerifiedShares(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
