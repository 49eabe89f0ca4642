package dev.secretstore.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Address;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SEC-35: who may create server keys; the allow-list and a further decision (the policy file) must both agree. */
class KeyCreatorsTest {
    private static final Address A = Address.fromHex("aa".repeat(20));
    private static final Address B = Address.fromHex("bb".repeat(20));

    @Test
    void sec35_anyoneOnlyTheListedAndBothDecisionsMustAgree() {
        assertThat(KeyCreators.anyone().mayCreate(A)).isTrue();
        assertThat(KeyCreators.only(Set.of(A)).mayCreate(A)).isTrue();
        assertThat(KeyCreators.only(Set.of(A)).mayCreate(B)).isFalse();
        assertThat(KeyCreators.only(Set.of()).mayCreate(A)).as("[]: nobody").isFalse();
        assertThat(KeyCreators.anyone().and(B::equals).mayCreate(A)).isFalse();
        assertThat(KeyCreators.anyone().and(B::equals).mayCreate(B)).isTrue();
        assertThat(KeyCreators.only(Set.of(A)).and(B::equals).mayCreate(B)).as("the list says no").isFalse();
        assertThat(KeyCreators.only(Set.of(A, B)).and(a -> true).and(B::equals).mayCreate(A)).isFalse();
    }
}
