package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SEC-06: the variable-time paths must not be reachable with a secret scalar. The public point and
 * accumulator types accept only the public {@link Scalar}; secrets reach points only through
 * {@link SecretScalar#mulG()} and {@link SecretScalar#mul(PublicPoint)} (constant-time comb).
 */
class SecretArithmeticArchitectureTest {
    @Test
    void variableTimeTypesTakeNoSecretScalar() {
        for (Class<?> type : List.of(PublicPoint.class, PointSum.class, Scalar.class)) {
            for (Method m : type.getDeclaredMethods()) {
                assertThat(Arrays.asList(m.getParameterTypes())).as(type.getSimpleName() + "." + m.getName())
                        .doesNotContain(SecretScalar.class);
            }
        }
    }

    @Test
    void constantTimeMultiplierIsInternalAndTakesOnlyLimbs() {
        // secrets enter ConstantTimeGlv/ConstantTimeComb/Fp52 as int[]/long[] limbs from SecretScalar (via Secp256k1.mulSecret),
        // never as a BigInteger or a public Scalar, and neither class is reachable from outside the package
        for (Class<?> type : List.of(ConstantTimeGlv.class, ConstantTimeComb.class, Fp52.class)) {
            assertThat(Modifier.isPublic(type.getModifiers())).as(type.getSimpleName()).isFalse();
            for (Method m : type.getDeclaredMethods()) {
                assertThat(Arrays.asList(m.getParameterTypes())).as(type.getSimpleName() + "." + m.getName())
                        .doesNotContain(java.math.BigInteger.class, Scalar.class, SecretScalar.class);
            }
        }
    }

    @Test
    void secretScalarExposesNoBigInteger() { // SEC-07: no long-lived BigInteger copies of secrets
        for (Method m : SecretScalar.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers())) {
                assertThat(m.getReturnType()).as(m.getName()).isNotEqualTo(java.math.BigInteger.class);
            }
        }
    }
}
