package dev.secretstore.crypto;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Which {@link CurveBackend} the crypto layer uses. Chosen once per process, on first use, from the system
 * property {@value #PROPERTY} or else the environment variable {@value #ENV}:
 *
 * <ul>
 *   <li>{@code auto} (the default): libsecp256k1 if its JNI library loads on this platform, else Java;</li>
 *   <li>{@code native}: libsecp256k1, and the first curve operation fails if it does not load (fail closed:
 *       an operator who asked for it does not silently get the other one);</li>
 *   <li>{@code java}: the pure-Java backend, without trying to load the library.</li>
 * </ul>
 *
 * <p>The choice and its reason are logged once at INFO ({@code dev.secretstore.crypto.CurveBackends}).
 */
public final class CurveBackends {
    public static final String PROPERTY = "secretstore.crypto.backend";
    public static final String ENV = "SECRETSTORE_CRYPTO_BACKEND";

    private static final System.Logger LOG = System.getLogger(CurveBackends.class.getName());

    private CurveBackends() {}

    /** A chosen backend and why, as logged. */
    public record Choice(CurveBackend backend, String reason) {}

    /** The backend of this process (chosen and logged on first call). */
    public static CurveBackend active() {
        return Active.CHOICE.backend();
    }

    /** The active backend's choice, with its reason (for status output). */
    public static Choice activeChoice() {
        return Active.CHOICE;
    }

    /** The pure-Java backend (always available). */
    public static CurveBackend java() {
        return JavaCurveBackend.INSTANCE;
    }

    /**
     * The libsecp256k1 backend, loading the JNI library on first call.
     *
     * @throws IllegalStateException if the library does not load on this platform
     */
    public static CurveBackend nativeBackend() {
        return NativeHolder.get();
    }

    /**
     * The selection rule, given the setting (null or blank: {@code auto}) and a loader of the native backend
     * that throws when the library is unavailable. Unknown settings are an error.
     */
    static Choice choose(String setting, Supplier<CurveBackend> nativeLoader) {
        String s = setting == null || setting.isBlank() ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "java":
                return new Choice(java(), PROPERTY + "=java");
            case "native":
                return new Choice(nativeLoader.get(), PROPERTY + "=native"); // throws if unavailable: fail closed
            case "auto":
                try {
                    return new Choice(nativeLoader.get(), "auto: the libsecp256k1 JNI library loaded");
                } catch (RuntimeException | LinkageError e) {
                    return new Choice(java(), "auto: the libsecp256k1 JNI library did not load (" + e + ")");
                }
            default:
                throw new IllegalArgumentException(PROPERTY + " must be java, native or auto, got \"" + setting + "\"");
        }
    }

    /** The setting: the system property, else the environment variable, else null. */
    static String setting() {
        String p = System.getProperty(PROPERTY);
        return p != null ? p : System.getenv(ENV);
    }

    private static final class NativeHolder {
        private static volatile CurveBackend instance;
        private static volatile RuntimeException failure;

        static synchronized CurveBackend get() {
            if (instance != null) {
                return instance;
            }
            if (failure == null) {
                try {
                    instance = NativeCurveBackend.load();
                    return instance;
                } catch (RuntimeException | LinkageError e) {
                    failure = new IllegalStateException("the libsecp256k1 JNI library is not available: " + e, e);
                }
            }
            throw failure;
        }
    }

    private static final class Active {
        static final Choice CHOICE;

        static {
            CHOICE = choose(setting(), CurveBackends::nativeBackend);
            LOG.log(System.Logger.Level.INFO, "crypto backend: {0} ({1})", CHOICE.backend().name(), CHOICE.reason());
        }
    }
}
