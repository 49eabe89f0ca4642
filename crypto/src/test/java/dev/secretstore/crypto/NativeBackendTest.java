package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The libsecp256k1 backend against the backend contract. The JNI library must load on the build platform:
 * if it does not, every test here fails (no skipping).
 */
class NativeBackendTest extends AbstractBackendContractTest {
    @Override
    CurveBackend backend() {
        return CurveBackends.nativeBackend();
    }

    @Test
    void isTheNativeImplementation() {
        assertThat(backend()).isInstanceOf(NativeCurveBackend.class);
        assertThat(backend().name()).isEqualTo("native");
    }
}
