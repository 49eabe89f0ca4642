package dev.secretstore.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VerifiedSharesTest {
    private static byte[] value(int i) {
        byte[] b = new byte[60];
        b[0] = (byte) i;
        b[59] = (byte) (i >> 8);
        return b;
    }

    @Test
    void remembersByContentNotByArray() {
        VerifiedShares v = new VerifiedShares(4);
        byte[] a = value(1);
        v.add(a);
        assertThat(v.contains(value(1))).isTrue();
        a[5] = 9; // the set kept its own copy
        assertThat(v.contains(value(1))).isTrue();
        assertThat(v.contains(a)).isFalse();
        byte[] flipped = value(1);
        flipped[30] ^= 1;
        assertThat(v.contains(flipped)).isFalse();
    }

    @Test
    void evictsTheLeastRecentlyUsedBeyondCapacity() {
        VerifiedShares v = new VerifiedShares(3);
        v.add(value(1));
        v.add(value(2));
        v.add(value(3));
        assertThat(v.contains(value(1))).isTrue(); // 1 is now the most recently used
        v.add(value(4));
        assertThat(v.size()).isEqualTo(3);
        assertThat(v.contains(value(2))).isFalse();
        assertThat(v.contains(value(1))).isTrue();
        assertThat(v.contains(value(3))).isTrue();
        assertThat(v.contains(value(4))).isTrue();
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new VerifiedShares(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
