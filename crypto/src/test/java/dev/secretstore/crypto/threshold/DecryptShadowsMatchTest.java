package dev.secretstore.crypto.threshold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SEC-33: the client's batched check of decrypt shadows against their proved points ({@link Decryption#decryptShadowsMatch}). */
class DecryptShadowsMatchTest {
    private static final SecureRandom RNG = new SecureRandom();

    private static List<SecretScalar> shadows(int count) {
        List<SecretScalar> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(SecretScalar.random());
        return out;
    }

    private static List<PublicPoint> proved(List<SecretScalar> ds) {
        return ds.stream().map(SecretScalar::mulG).toList();
    }

    @Test
    void honestShadowsMatch() {
        List<SecretScalar> ds = shadows(31);
        assertThat(Decryption.decryptShadowsMatch(ds, proved(ds), RNG)).isTrue();
        assertThat(Decryption.decryptShadowsMatch(List.of(), List.of(), RNG)).isTrue();
    }

    @Test
    void oneWrongShadowIsCaught_SEC33() {
        List<SecretScalar> ds = shadows(31);
        List<PublicPoint> w = new ArrayList<>(proved(ds));
        w.set(17, SecretScalar.random().mulG());
        assertThat(Decryption.decryptShadowsMatch(ds, w, RNG)).isFalse();
    }

    @Test
    void wrongShadowsWhoseErrorsCancelInTheSumAreCaught_SEC33() {
        List<SecretScalar> ds = shadows(3);
        List<PublicPoint> w = proved(ds);
        SecretScalar delta = SecretScalar.random();
        List<SecretScalar> sent = List.of(ds.get(0).add(delta), ds.get(1).sub(delta), ds.get(2)); // Σ unchanged
        assertThat(Decryption.decryptShadowsMatch(sent, w, RNG)).isFalse();
    }

    @Test
    void shadowsSummingToZeroStillCheck() {
        SecretScalar d = SecretScalar.random();
        List<SecretScalar> ds = List.of(d, d.negate());
        assertThat(Decryption.decryptShadowsMatch(ds, proved(ds), RNG)).isTrue();
        assertThat(Decryption.decryptShadowsMatch(ds, List.of(d.mulG(), d.mulG()), RNG)).isFalse();
    }
}
