package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The backend selection rule of {@link CurveBackends}: automatic, overridable, fail closed when native is demanded. */
class CurveBackendsTest {
    private static final Supplier<CurveBackend> UNAVAILABLE = () -> {
        throw new UnsatisfiedLinkError("no libsecp256k1-jni in java.library.path");
    };
    private static final Supplier<CurveBackend> AVAILABLE = CurveBackends::nativeBackend;

    @Test
    void autoTakesNativeWhenTheLibraryLoads() {
        for (String setting : new String[] {null, "", "auto", " AUTO "}) {
            CurveBackends.Choice c = CurveBackends.choose(setting, AVAILABLE);
            assertThat(c.backend().name()).as("setting %s", setting).isEqualTo("native");
            assertThat(c.reason()).contains("loaded");
        }
    }

    @Test
    void autoFallsBackToJavaAndSaysWhy() {
        CurveBackends.Choice c = CurveBackends.choose("auto", UNAVAILABLE);
        assertThat(c.backend()).isSameAs(CurveBackends.java());
        assertThat(c.reason()).contains("did not load").contains("UnsatisfiedLinkError");
    }

    @Test
    void javaIsChosenWithoutLoadingTheLibrary() {
        Supplier<CurveBackend> mustNotLoad = () -> {
            throw new AssertionError("java must not try the native library");
        };
        assertThat(CurveBackends.choose("java", mustNotLoad).backend()).isSameAs(CurveBackends.java());
    }

    @Test
    void nativeDemandedButUnavailableFailsClosed() {
        assertThatThrownBy(() -> CurveBackends.choose("native", UNAVAILABLE)).isInstanceOf(UnsatisfiedLinkError.class);
        assertThat(CurveBackends.choose("native", AVAILABLE).backend().name()).isEqualTo("native");
    }

    @Test
    void unknownSettingIsAnError() {
        assertThatThrownBy(() -> CurveBackends.choose("fast", AVAILABLE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CurveBackends.PROPERTY);
    }

    @Test
    void theProcessBackendIsNativeOnThisBuildPlatform() { // the build runs with the linux JNI library on the classpath
        assertThat(CurveBackends.setting()).as("no override set for the test JVM").isNull();
        assertThat(CurveBackends.active().name()).isEqualTo("native");
        assertThat(CurveBackends.activeChoice().reason()).startsWith("auto:");
    }
}
