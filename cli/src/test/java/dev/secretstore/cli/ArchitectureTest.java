package dev.secretstore.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module graph of docs/architecture.md ("Modules") and design.md's layer rules, checked on the
 * compiled main classes of every module on this module's class path (cli depends on all of them;
 * bench is outside the graph, it may use anything).
 *
 * <ul>
 *   <li>A module's classes use classes of our own only from the modules it may depend on
 *       ({@link #ALLOWED}); the poms say the same, this keeps the imports honest.
 *   <li>The pure layers (crypto and protocol) touch no sockets, files, SQL, threads or system
 *       clocks: the node adapters inject those.
 * </ul>
 *
 * <p>Each rule is also run against deliberate violations (test classes under
 * {@code dev.secretstore.protocol.archfixture} and friends, never part of the scanned main
 * classes) so that a rule that can no longer fail is noticed.
 */
class ArchitectureTest {
    /** Module → its root package. */
    static final Map<String, String> MODULES = new LinkedHashMap<>();
    /** Module → the modules of ours it may use (besides itself). */
    static final Map<String, List<String>> ALLOWED = new LinkedHashMap<>();

    static {
        module("crypto");
        module("http");
        module("keystore", "crypto");
        module("protocol", "crypto");
        module("rpc", "crypto", "keystore", "http");
        module("client", "crypto", "keystore");
        module("node", "protocol", "crypto", "http", "keystore");
        module("cli", "node", "protocol", "crypto", "http", "keystore", "rpc", "client");
    }

    private static void module(String name, String... mayUse) {
        MODULES.put(name, "dev.secretstore." + name + "..");
        ALLOWED.put(name, List.of(mayUse));
    }

    /** What the pure layers (crypto, protocol) must not use. */
    static final String[] PURE_LAYERS = {"dev.secretstore.crypto..", "dev.secretstore.protocol.."};

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // in a full build other modules' test classes arrive as *-tests.jar, which DO_NOT_INCLUDE_TESTS misses
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.secretstore");
    }

    static List<String> modules() {
        return new ArrayList<>(MODULES.keySet());
    }

    /** The classes of {@code module} use of our own modules only those it may depend on. */
    static ArchRule dependencies(String module) {
        List<String> allowed = new ArrayList<>();
        allowed.add(MODULES.get(module));
        for (String m : ALLOWED.get(module)) allowed.add(MODULES.get(m));
        return classes().that().resideInAPackage(MODULES.get(module))
                .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.secretstore..")
                        .or(resideInAnyPackage(allowed.toArray(String[]::new))))
                .because(module + " may use only " + (ALLOWED.get(module).isEmpty() ? "no module of ours" : ALLOWED.get(module))
                        + " (docs/architecture.md, Modules)");
    }

    static final ArchRule NO_SOCKETS = noClasses().that().resideInAnyPackage(PURE_LAYERS)
            .should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.channels..", "javax.net..",
                    "com.sun.net.httpserver..", "io.netty..")
            .because("crypto and protocol are pure: the transport and the HTTP API are node adapters");

    static final ArchRule NO_FILES = noClasses().that().resideInAnyPackage(PURE_LAYERS)
            .should().dependOnClassesThat().resideInAnyPackage("java.nio.file..")
            .orShould().dependOnClassesThat().belongToAnyOf(java.io.File.class, java.io.FileInputStream.class,
                    java.io.FileOutputStream.class, java.io.FileReader.class, java.io.FileWriter.class,
                    java.io.RandomAccessFile.class, java.io.FileDescriptor.class)
            .because("crypto and protocol are pure: storage is a port the node implements");

    static final ArchRule NO_SQL = noClasses().that().resideInAnyPackage(PURE_LAYERS)
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.sqlite..")
            .because("crypto and protocol are pure: storage is a port the node implements");

    static final ArchRule NO_THREADS = noClasses().that().resideInAnyPackage(PURE_LAYERS)
            .should().dependOnClassesThat().belongToAnyOf(Thread.class, ThreadGroup.class, java.util.concurrent.ThreadFactory.class,
                    java.util.concurrent.Executors.class, java.util.concurrent.ExecutorService.class,
                    java.util.concurrent.ScheduledExecutorService.class, java.util.concurrent.ThreadPoolExecutor.class,
                    java.util.concurrent.ScheduledThreadPoolExecutor.class, java.util.concurrent.ForkJoinPool.class,
                    java.util.Timer.class)
            .because("crypto and protocol own no threads: the node injects an Executor and a Clock");

    /**
     * The system clock is read in two places, {@code protocol.session.Clock.SYSTEM} and {@code protocol.auth.WallClock.SYSTEM} (the defaults the
     * node injects); everything else gets a {@code Clock}, so tests run on a fake one.
     */
    static final ArchRule NO_SYSTEM_CLOCK = noClasses().that().resideInAnyPackage(PURE_LAYERS)
            .and().doNotHaveFullyQualifiedName("dev.secretstore.protocol.session.Clock")
            .and().doNotHaveFullyQualifiedName("dev.secretstore.protocol.auth.WallClock")
            .should().callMethod(System.class, "nanoTime")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(java.time.Clock.class, "systemUTC")
            .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
            .because("crypto and protocol read time only through an injected Clock");

    /** SEC-34: one HTTP server layer, with its deadlines and caps, for every listener; none on the JDK server. */
    static final ArchRule ONE_HTTP_SERVER = noClasses().should().dependOnClassesThat().resideInAPackage("com.sun.net.httpserver..")
            .because("every HTTP listener runs on dev.secretstore.http.server.EdgeServer (deadlines, caps, TLS; SEC-34)");

    @Test
    void everyListenerRunsOnTheEdgeServer() {
        ONE_HTTP_SERVER.check(main);
        JavaClasses fixture = new ClassFileImporter().importClasses(dev.secretstore.node.archfixture.ServesWithTheJdkHttpServer.class);
        assertThatThrownBy(() -> ONE_HTTP_SERVER.check(fixture)).hasMessageContaining("ServesWithTheJdkHttpServer");
    }

    static List<Named<ArchRule>> layerRules() {
        return List.of(Named.of("no sockets", NO_SOCKETS), Named.of("no files", NO_FILES), Named.of("no SQL", NO_SQL),
                Named.of("no threads", NO_THREADS), Named.of("no system clock", NO_SYSTEM_CLOCK));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    void moduleUsesOnlyTheModulesItMayDependOn(String module) {
        dependencies(module).check(main);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerRules")
    void pureLayersTouchNoSocketsFilesSqlThreadsOrClocks(ArchRule rule) {
        rule.check(main);
    }

    @Test
    void everyModuleIsScanned() {
        for (String m : MODULES.keySet()) {
            String pkg = "dev.secretstore." + m;
            org.assertj.core.api.Assertions.assertThat(main.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)))
                    .as("classes of module " + m + " are on the class path").isTrue();
        }
    }

    /** Each rule fails on a class that breaks it (the fixtures are test classes, outside {@link #main}). */
    @Test
    void theRulesCatchViolations() {
        JavaClasses fixtures = new ClassFileImporter().importClasses(Arrays.asList(
                dev.secretstore.protocol.archfixture.OpensASocket.class,
                dev.secretstore.protocol.archfixture.ReadsAFile.class,
                dev.secretstore.protocol.archfixture.UsesSql.class,
                dev.secretstore.protocol.archfixture.StartsAThread.class,
                dev.secretstore.protocol.archfixture.ReadsTheSystemClock.class,
                dev.secretstore.protocol.archfixture.UsesTheNode.class,
                dev.secretstore.client.archfixture.UsesTheRpcService.class,
                dev.secretstore.node.archfixture.UsesTheDevCluster.class));
        List<String> culprits = List.of("OpensASocket", "ReadsAFile", "UsesSql", "StartsAThread", "ReadsTheSystemClock");
        for (int i = 0; i < culprits.size(); i++) {
            Named<ArchRule> rule = layerRules().get(i);
            assertThatThrownBy(() -> rule.getPayload().check(fixtures)).as(rule.getName())
                    .isInstanceOf(AssertionError.class).hasMessageContaining(culprits.get(i));
        }
        assertThatThrownBy(() -> dependencies("protocol").check(fixtures)).hasMessageContaining("UsesTheNode");
        assertThatThrownBy(() -> dependencies("client").check(fixtures)).hasMessageContaining("UsesTheRpcService");
        assertThatThrownBy(() -> dependencies("node").check(fixtures)).hasMessageContaining("UsesTheDevCluster");
    }
}
