package dev.secretstore.node.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The soak (issue #17): node processes of the command-line jar under mixed load for {@code soak.minutes}
 * (default 60), each node sampled every {@code soak.sampleSeconds} (default 60) for its resident memory
 * ({@code /proc/PID/status} VmRSS), heap after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info}'s
 * "used"), open file descriptors ({@code /proc/PID/fd}) and threads ({@code /proc/PID/status} Threads).
 * Fails on any request whose outcome is not the expected one, on a node that dies, and on any series that does
 * not level off ({@link GrowthRule}: heap ×1.10 + 4 MB, RSS ×1.10 + 64 MB, descriptors ×1.10 + 16, threads
 * ×1.10 + 8). Samples go to {@code cli/target/soak-*}/samples.csv beside the node logs.
 *
 * <p>Not part of {@code ./mvnw verify}: run by the {@code soak} profile (docs/testing.md, "Soak"). Linux only
 * ({@code /proc}, {@code jcmd} of the JDK running the test).
 *
 * <p>The load, {@code soak.rounds} rounds a second (default 5) from {@code soak.clients} (default 2) client threads,
 * each through the members in turn (a steady rate, because what a node keeps for a while after each request, such
 * as its memory of finished sessions, grows with the rate; the growth rule compares thirds of the run): a new
 * server key (t = 1 of 3), its document key stored, the document key retrieved as shadows and decrypted, a
 * Schnorr and an ECDSA signature with it (verified); and every round two requests the node must refuse: a
 * server key that does not exist (404) and a second store on a key that has one (400).
 *
 * <p>The load comes from one address and one requester as fast as the members answer, which on a quiet machine is
 * more than the per-source limits allow (SEC-23, SEC-35: {@code 429 "Too many requests"}). The soak measures what
 * a node keeps per request, not its admission control, so the cluster runs with those limits off ({@link #LIMITS_OFF}).
 */
class SoakIT {
    private static final SecureRandom RNG = new SecureRandom();
    private static final int NODES = 3;
    private static final int THRESHOLD = 1;
    private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB", Pattern.MULTILINE);
    private static final Pattern THREADS = Pattern.compile("^Threads:\\s+(\\d+)", Pattern.MULTILINE);
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    /** The per-requester, per-key and per-address limits turned off (docs/configuration.md: {@code 0} turns each off). */
    static final Map<String, String> LIMITS_OFF = Map.of(
            "requester_rate_limit", "0", "key_rate_limit", "0", "address_rate_limit", "0");

    private record Sample(long rssKb, long heapKb, long fds, long threads) {}

    private static H256 randomId() {
        byte[] b = new byte[32];
        RNG.nextBytes(b);
        return H256.fromBytes(b);
    }

    @Test
    void mixedLoadForAnHourLevelsOff() throws Exception {
        Duration length = Duration.ofSeconds(Math.round(Double.parseDouble(System.getProperty("soak.minutes", "60")) * 60));
        Duration every = Duration.ofSeconds(Long.parseLong(System.getProperty("soak.sampleSeconds", "60")));
        int clients = Integer.parseInt(System.getProperty("soak.clients", "2"));
        double roundsPerSecond = Double.parseDouble(System.getProperty("soak.rounds", "5"));
        long roundInterval = Math.round(1e9 / roundsPerSecond);
        Path dir = Files.createTempDirectory(Path.of("target"), "soak-").toAbsolutePath();
        System.out.println("soak: " + length.toMinutes() + " min, " + roundsPerSecond + " rounds/s, samples every " + every.toSeconds() + " s; configurations, data, logs and samples.csv in " + dir);

        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicLong keys = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        List<List<Sample>> series = new ArrayList<>();
        for (int m = 0; m < NODES; m++) series.add(new ArrayList<>());
        try (ProcessClusterUnderTest c = new ProcessClusterUnderTest(dir, NODES, LIMITS_OFF);
             PrintWriter csv = new PrintWriter(Files.newBufferedWriter(dir.resolve("samples.csv")))) {
            csv.println("elapsed_s,member,pid,rss_kb,heap_after_gc_kb,fds,threads,keys,requests");
            long started = System.nanoTime();
            long end = started + length.toNanos();
            ExecutorService load = Executors.newFixedThreadPool(clients);
            AtomicLong nextRound = new AtomicLong(started);
            for (int i = 0; i < clients; i++) {
                int first = i;
                load.submit(() -> {
                    int via = first % NODES;
                    while (System.nanoTime() < end && errors.isEmpty()) {
                        pace(nextRound.getAndAdd(roundInterval));
                        round(c, via, keys, requests, errors);
                        via = (via + 1) % NODES;
                    }
                });
            }
            long next = started;
            while (System.nanoTime() < end && errors.isEmpty()) {
                long now = System.nanoTime();
                if (now >= next) {
                    long elapsed = TimeUnit.NANOSECONDS.toSeconds(now - started);
                    for (int m = 0; m < NODES; m++) {
                        long pid = c.pid(m);
                        if (pid < 0) {
                            errors.add("member " + m + " is not running at " + elapsed + " s; its log is in " + dir);
                            break;
                        }
                        Sample s = sample(pid);
                        series.get(m).add(s);
                        csv.printf("%d,%d,%d,%d,%d,%d,%d,%d,%d%n", elapsed, m, pid, s.rssKb(), s.heapKb(), s.fds(), s.threads(), keys.get(), requests.get());
                    }
                    csv.flush();
                    System.out.printf("soak %s: %d s, %d keys, %d requests%n", Instant.now(), elapsed, keys.get(), requests.get());
                    next += every.toNanos();
                }
                Thread.sleep(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()))));
            }
            load.shutdown();
            if (!load.awaitTermination(c.sessionDeadline().toSeconds() * 6, TimeUnit.SECONDS)) {
                errors.add("the load did not stop within " + c.sessionDeadline().toSeconds() * 6 + " s");
                load.shutdownNow();
            }
        }
        assertThat(errors).as("requests with an unexpected outcome (logs in %s)", dir).isEmpty();

        List<String> growth = new ArrayList<>();
        for (int m = 0; m < NODES; m++) {
            List<Sample> s = series.get(m);
            check(growth, m, new GrowthRule("heap after GC (KB)", 1.10, 4096), s.stream().map(Sample::heapKb).toList());
            check(growth, m, new GrowthRule("RSS (KB)", 1.10, 65536), s.stream().map(Sample::rssKb).toList());
            check(growth, m, new GrowthRule("open file descriptors", 1.10, 16), s.stream().map(Sample::fds).toList());
            check(growth, m, new GrowthRule("threads", 1.10, 8), s.stream().map(Sample::threads).toList());
        }
        System.out.println("soak: " + keys.get() + " keys, " + requests.get() + " requests; samples in " + dir.resolve("samples.csv"));
        assertThat(growth).as("series that do not level off (samples in %s)", dir.resolve("samples.csv")).isEmpty();
    }

    /** Sleeps until {@code due} (a {@link System#nanoTime()}); a round that is late starts at once. */
    private static void pace(long due) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void check(List<String> growth, int member, GrowthRule rule, List<Long> samples) {
        rule.violation(samples).ifPresent(v -> growth.add("member " + member + ": " + v));
    }

    /** One round of the mixed load through {@code via}; an unexpected outcome is added to {@code errors}. */
    private static void round(ProcessClusterUnderTest c, int via, AtomicLong keys, AtomicLong requests, List<String> errors) {
        try {
            H256 id = randomId();
            PublicPoint y = expectOk(c.generateServerKey(via, id, THRESHOLD), "generation via " + via, requests, errors);
            if (y == null) return;
            keys.incrementAndGet();
            DocumentKey.Generated doc = DocumentKey.generate(y, RNG);
            if (!expect(c.storeDocumentKey(via, id, doc.encrypted()), 200, "store via " + via, requests, errors)) return;
            PublicPoint m = expectOk(c.retrieveDocumentKeyFromShadows(via, id), "shadow retrieval via " + via, requests, errors);
            if (m != null && !m.equals(doc.documentKey())) errors.add("shadow retrieval via " + via + " of " + id + " decrypted to another key");
            H256 message = randomId();
            SchnorrSignature schnorr = expectOk(c.signSchnorr(via, id, message), "Schnorr via " + via, requests, errors);
            if (schnorr != null && !Schnorr.verify(y, message, schnorr)) errors.add("Schnorr signature via " + via + " does not verify");
            RecoverableSignature ecdsa = expectOk(c.signEcdsa(via, id, message), "ECDSA via " + via, requests, errors);
            if (ecdsa != null && !Ecdsa.verify(y, ecdsa, message)) errors.add("ECDSA signature via " + via + " does not verify");
            // refused: a key that does not exist, a document key stored twice
            expect(c.retrieveServerKey(via, randomId()), 404, "retrieval of an unknown key via " + via, requests, errors);
            expect(c.storeDocumentKey(via, id, doc.encrypted()), 400, "second store via " + via, requests, errors);
        } catch (RuntimeException e) {
            errors.add("round via " + via + " threw " + e);
        }
    }

    private static <T> T expectOk(Outcome<T> outcome, String what, AtomicLong requests, List<String> errors) {
        return expect(outcome, 200, what, requests, errors) ? outcome.value() : null;
    }

    private static boolean expect(Outcome<?> outcome, int status, String what, AtomicLong requests, List<String> errors) {
        requests.incrementAndGet();
        if (outcome.status() == status) return true;
        errors.add(Instant.now() + " " + what + ": expected " + status + ", got " + outcome);
        return false;
    }

    private static Sample sample(long pid) throws IOException, InterruptedException {
        String status = Files.readString(Path.of("/proc", String.valueOf(pid), "status"));
        long fds;
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            fds = s.count();
        }
        return new Sample(group(RSS, status), heapAfterGc(pid), fds, group(THREADS, status));
    }

    /**
     * {@code GC.run} (a full collection), then the heap's "used" from {@code GC.heap_info}, in KB: both in one
     * {@code jcmd -f} attach, so what the node allocates under load between the two (seconds on a busy machine
     * when each is its own jcmd) does not count as live.
     */
    private static long heapAfterGc(long pid) throws IOException, InterruptedException {
        Path commands = Files.createTempFile("soak-jcmd", ".txt");
        try {
            Files.writeString(commands, "GC.run\nGC.heap_info\n");
            return group(HEAP_USED, run(JCMD.toString(), String.valueOf(pid), "-f", commands.toString()));
        } finally {
            Files.deleteIfExists(commands);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        return out;
    }

    private static long group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) throw new IllegalStateException("no " + p + " in " + text);
        return Long.parseLong(m.group(1));
    }
}
