package dev.secretstore.bench.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JDK Flight Recorder profile of the measured window ({@code --jfr FILE}) and its summary: CPU samples
 * ({@code jdk.ExecutionSample}, Java code running on a CPU) attributed three ways:
 *
 * <ul>
 *   <li><b>primitive</b>: walking from the leaf towards the root, the first frame that names an
 *       elliptic-curve primitive (k·G, secret k·P, public a·P, multi-scalar sums) or a library
 *       (SQLite, JCA, Jackson, Netty, logging, Keccak) or the HTTP API's server layer, the Netty
 *       {@code EdgeServer} or the JDK's {@code com.sun.net.httpserver} (see {@link #primitive(List, String)});</li>
 *   <li><b>context</b>: the innermost frame of this project's code above the primitive layer (for
 *       example {@code Dleq.verify}, {@code KeyVersion.publicShare} under storage reads,
 *       {@code Ecies.encrypt});</li>
 *   <li><b>thread group</b>, as {@link CpuAccounting} names them.</li>
 * </ul>
 *
 * Time in native code (SQLite's C library, fsync, sockets) is not in these samples;
 * {@code jdk.NativeMethodSample} wall-clock samples whose top frame is SQLite's JNI are counted separately.
 */
public final class JfrProfile {
    private final Recording recording;
    private final Path file;

    private JfrProfile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    /**
     * Starts recording the two sampling events only: Java samples every 10 ms, native samples every 20 ms.
     * Not the JDK's "profile" settings, which enable I/O events too. Even so, the first recording in a JVM
     * instruments JDK I/O classes, and the deoptimisation that follows keeps the JIT compiling for a while:
     * start it before the warm-up and summarise only the measured window.
     */
    public static JfrProfile start(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) java.nio.file.Files.createDirectories(parent);
        Recording r = new Recording();
        r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(10)).withStackTrace();
        r.enable("jdk.NativeMethodSample").withPeriod(java.time.Duration.ofMillis(20)).withStackTrace();
        r.setToDisk(true);
        r.setName("secretstore-bench");
        r.start();
        return new JfrProfile(r, file);
    }

    /** Stops and writes the recording. */
    public Path stop() throws IOException {
        recording.stop();
        recording.dump(file);
        recording.close();
        return file;
    }

    /**
     * Sample counts per category, most first.
     *
     * @param httpLayerSamples samples in the HTTP API's server layer: the categories {@link #HTTP_EDGE} and
     *     {@link #HTTP_JDK} together
     */
    public record Summary(long samples, Map<String, Long> byPrimitive, Map<String, Long> byContext, Map<String, Long> byThreadGroup,
                          Map<String, Long> topLeaves, long sqliteNativeSamples, long httpLayerSamples) {}

    /** One stack frame as the classification sees it; {@code type} is null for a frame without a method. */
    record Frame(String type, String method, String descriptor) {
        static Frame of(RecordedFrame f) {
            RecordedMethod m = f.getMethod();
            return m == null ? new Frame(null, null, null) : new Frame(m.getType().getName(), m.getName(), m.getDescriptor());
        }
    }

    private record Rule(String category, Predicate<Frame> matches) {}

    private static boolean method(Frame f, String type, String name) {
        return f.type() != null && f.type().equals(type) && f.method().equals(name);
    }

    private static boolean pkg(Frame f, String prefix) {
        return f.type() != null && f.type().startsWith(prefix);
    }

    /** The HTTP API's server layer on Netty (SEC-34): its own code, and Netty and socket I/O on the HTTP API's threads. */
    public static final String HTTP_EDGE = "HTTP server: Netty EdgeServer (I/O, parsing, dispatch)";
    /** The JDK's {@code com.sun.net.httpserver}: its code, and socket I/O on its threads. */
    public static final String HTTP_JDK = "HTTP server: JDK httpserver (I/O, parsing, dispatch)";
    static final String NETTY = "Netty";
    static final String SOCKETS = "sockets and NIO";

    private static final String CRYPTO = "dev.secretstore.crypto.";

    /**
     * Tiers of rules: the first tier in which any frame of the stack (leaf first) matches names the sample's
     * category, so a field multiplication deep inside a comb multiplication counts as that multiplication,
     * and only samples outside every multiplication fall to the library rules.
     */
    private static final List<List<Rule>> TIERS = List.of(
            List.of(new Rule("k·G, secret (comb)", f -> method(f, CRYPTO + "SecretScalar", "mulG")),
                    new Rule("k·P, secret (GLV, or a fixed base's comb)", f -> (method(f, CRYPTO + "SecretScalar", "mul")
                            && f.descriptor().startsWith("(L" + CRYPTO.replace('.', '/') + "PublicPoint;"))
                            || method(f, CRYPTO + "Ecdh", "agree")),
                    new Rule("a·P and Σ a_i·P_i, public (Strauss/GLV)", f -> method(f, CRYPTO + "Secp256k1", "sumOfProductsPublic"))),
            List.of(new Rule("point decoding, validation, encoding", f -> method(f, CRYPTO + "PublicPoint", "fromBytes")
                    || method(f, CRYPTO + "PublicPoint", "fromUncompressed") || method(f, CRYPTO + "PublicPoint", "of"))),
            List.of(new Rule("other curve arithmetic (additions, normalisation)", f -> pkg(f, "org.bouncycastle.math")),
                    new Rule("scalar arithmetic (ModN, BigInteger)", f -> pkg(f, CRYPTO + "ModN") || pkg(f, CRYPTO + "Scalar")
                            || pkg(f, CRYPTO + "SecretScalar") || pkg(f, "java.math")),
                    new Rule("Keccak-256", f -> pkg(f, "org.bouncycastle.crypto.digests") || pkg(f, CRYPTO + "Keccak256")),
                    new Rule("SQLite (JDBC side)", f -> pkg(f, "org.sqlite") || pkg(f, "java.sql")),
                    new Rule("JCA: AES-GCM, HMAC, SHA-256, SecureRandom", f -> pkg(f, "com.sun.crypto") || pkg(f, "javax.crypto")
                            || pkg(f, "sun.security")),
                    new Rule("CBOR/JSON (Jackson)", f -> pkg(f, "com.fasterxml.jackson")),
                    new Rule("logging", f -> pkg(f, "java.util.logging") || pkg(f, "java.util.Formatter")),
                    new Rule(NETTY, f -> pkg(f, "io.netty")),
                    new Rule(HTTP_EDGE, f -> pkg(f, "dev.secretstore.http.server.")),
                    new Rule(HTTP_JDK, f -> pkg(f, "sun.net.httpserver.") || pkg(f, "com.sun.net.httpserver.")),
                    new Rule("load generator", f -> pkg(f, "dev.secretstore.bench")),
                    new Rule(SOCKETS, f -> pkg(f, "sun.nio") || pkg(f, "java.nio") || pkg(f, "java.net") || pkg(f, "sun.net"))));

    /** Classes of the primitive layer: a context is the innermost project frame outside these. */
    private static final Set<String> PRIMITIVE_LAYER = Set.of("Secp256k1", "SecretScalar", "PublicPoint", "PointSum", "ModN", "Scalar",
            "Keccak256", "H256", "Hex", "Address", "Ecdh", "threshold.CommitmentVector", "threshold.KeyCommitments", "threshold.Transcript",
            "threshold.Lagrange", "threshold.IdNumbers");

    private static String context(List<Frame> frames) {
        for (Frame f : frames) {
            String type = f.type();
            if (type == null) continue;
            if (!type.startsWith("dev.secretstore.") || type.startsWith("dev.secretstore.bench.")) continue;
            String simple = type.startsWith(CRYPTO) ? type.substring(CRYPTO.length()) : null;
            if (simple != null && PRIMITIVE_LAYER.contains(simple.replaceAll("\\$.*", ""))) continue;
            return shortName(type) + "." + f.method();
        }
        return "(no project frame: JDK or library threads)";
    }

    private static String shortName(String type) {
        String s = type.substring(type.lastIndexOf('.') + 1);
        return s.replace('$', '.');
    }

    /**
     * The category of a sample with these frames (leaf first) taken on thread {@code threadName}: the first tier
     * of {@link #TIERS} with a match. The HTTP API's server layer gets one category per implementation: its own
     * frames count as the layer anywhere (the handler pools run the API's code under the layer's dispatch frames,
     * so what no earlier rule claims stays the layer's, as the JDK server's was); Netty and socket frames count as
     * the layer on the HTTP API's threads ({@link CpuAccounting#isHttpServer}) and as Netty or sockets elsewhere (the
     * cluster transport). So do samples on those threads that no rule claims: JFR keeps only the top 64 frames, so a
     * deep stack of the API's code can lose the layer's dispatch frames at its bottom. Which layer runs a thread is
     * read from its frames ({@code sun.net.httpserver} or {@code io.netty}/{@code EdgeServer}), else from its name.
     */
    static String primitive(List<Frame> frames, String threadName) {
        String category = byTiers(frames);
        boolean httpThread = threadName != null && CpuAccounting.isHttpServer(threadName);
        if (httpThread && (category.equals(NETTY) || category.equals(SOCKETS) || category.startsWith("other"))) {
            if (frames.stream().anyMatch(f -> pkg(f, "sun.net.httpserver.") || pkg(f, "com.sun.net.httpserver."))) return HTTP_JDK;
            if (frames.stream().anyMatch(f -> pkg(f, "io.netty.") || pkg(f, "dev.secretstore.http.server."))) return HTTP_EDGE;
            return CpuAccounting.isJdkHttpServer(threadName) ? HTTP_JDK : HTTP_EDGE;
        }
        return category;
    }

    private static String byTiers(List<Frame> frames) {
        for (List<Rule> tier : TIERS) {
            for (Frame f : frames) {
                for (Rule r : tier) {
                    if (r.matches().test(f)) return r.category();
                }
            }
        }
        Frame leaf = frames.isEmpty() ? null : frames.get(0);
        if (leaf == null || leaf.type() == null) return "other";
        String t = leaf.type().replaceAll("(\\$\\$Lambda|\\$MH|[./+]0x).*", ""); // hidden classes
        int dot = t.lastIndexOf('.');
        return "other (" + (dot < 0 ? t : t.substring(0, dot)) + ")";
    }

    /** Reads a recording and attributes its samples taken between {@code from} and {@code to} (null: no bound). */
    public static Summary summarize(Path file, java.time.Instant from, java.time.Instant to) throws IOException {
        Map<String, Long> byPrimitive = new HashMap<>();
        Map<String, Long> byContext = new HashMap<>();
        Map<String, Long> byGroup = new HashMap<>();
        Map<String, Long> leaves = new HashMap<>();
        long samples = 0;
        long sqlite = 0;
        long http = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                String type = e.getEventType().getName();
                RecordedStackTrace st = e.getStackTrace();
                if (st == null) continue;
                if ((from != null && e.getStartTime().isBefore(from)) || (to != null && e.getStartTime().isAfter(to))) continue;
                List<Frame> frames = st.getFrames().stream().map(Frame::of).toList();
                if (type.equals("jdk.NativeMethodSample")) {
                    if (!frames.isEmpty() && pkg(frames.get(0), "org.sqlite")) sqlite++;
                    continue;
                }
                if (!type.equals("jdk.ExecutionSample")) continue;
                samples++;
                RecordedThread thread = e.getThread("sampledThread");
                String threadName = thread == null || thread.getJavaName() == null ? "" : thread.getJavaName();
                String category = primitive(frames, threadName);
                if (category.equals(HTTP_EDGE) || category.equals(HTTP_JDK)) http++;
                byPrimitive.merge(category, 1L, Long::sum);
                byContext.merge(context(frames), 1L, Long::sum);
                byGroup.merge(CpuAccounting.group(threadName), 1L, Long::sum);
                if (!frames.isEmpty() && frames.get(0).type() != null) {
                    Frame leaf = frames.get(0);
                    leaves.merge(shortName(leaf.type()) + "." + leaf.method(), 1L, Long::sum);
                }
            }
        }
        return new Summary(samples, sorted(byPrimitive, 100), sorted(byContext, 30), sorted(byGroup, 100), sorted(leaves, 20), sqlite, http);
    }

    static Map<String, Long> sorted(Map<String, Long> m, int limit) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
