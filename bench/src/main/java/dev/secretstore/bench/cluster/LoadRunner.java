package dev.secretstore.bench.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a {@link Workload} against the nodes' HTTP API from {@code concurrency} threads, each with one
 * keep-alive connection per node: a warm-up, then the measured window, with a progress line every second.
 *
 * <p>Closed loop by default (each thread sends its next request when the previous answer arrived). With a
 * target rate the load is open: request k is due at start + k/rate, whichever thread takes it, and its
 * latency counts from when it was due, so a server that falls behind shows the queueing delay instead of
 * hiding it (no coordinated omission). Requests that complete inside the window count: successes in
 * {@code ops} and the latency histogram, failures in {@code errors}; the CPU window is taken at the same
 * two instants.
 */
public final class LoadRunner {
    /**
     * How to drive. {@code rate} 0 means closed loop. The warm-up lasts at least {@code warmup} and then until
     * the JIT compilers have settled (less than {@value #SETTLED_JIT_MILLIS} ms of compilation in the last two
     * seconds), but no longer than {@code maxWarmup}. {@code fullChecks}: how many answers to decrypt and verify.
     */
    public record Config(int concurrency, double rate, Duration warmup, Duration maxWarmup, Duration duration, int fullChecks,
                         String label, int timeoutMillis) {}

    /** JIT compilation time over two seconds below which the warm-up may end. */
    static final long SETTLED_JIT_MILLIS = 400;

    /** What one run measured. */
    public record Result(LatencyHistogram latency, long ops, long errors, Map<String, Long> errorKinds, CpuAccounting.Window cpu,
                         double seconds, double warmupSeconds, long warmupOps, long warmupErrors, long fullyChecked, boolean exhausted,
                         double lateSeconds) {
        public double opsPerSecond() {
            return seconds > 0 ? ops / seconds : 0;
        }
    }

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    private final Config config;
    private final Workload workload;
    private final List<URI> nodes;
    private final PrintStream progress;
    private final boolean tty;

    private volatile int phase = WARMUP;
    private final LatencyHistogram measured = new LatencyHistogram();
    private final LatencyHistogram interval = new LatencyHistogram();
    private final LongAdder warmOps = new LongAdder();
    private final LongAdder warmErrors = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder intervalErrors = new LongAdder();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final AtomicLong tickets = new AtomicLong();
    private final AtomicLong fullChecks = new AtomicLong();
    private final AtomicLong fullyChecked = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean exhausted;
    private volatile long maxLateNanos;
    private long startNanos;
    private java.util.function.Consumer<Boolean> windowHook;

    public LoadRunner(Config config, Workload workload, List<URI> nodes, PrintStream progress) {
        this.config = config;
        this.workload = workload;
        this.nodes = List.copyOf(nodes);
        this.progress = progress;
        this.tty = System.console() != null;
    }

    /** Called with true just before the measured window opens and with false just after it closes (profiling). */
    public void onWindow(java.util.function.Consumer<Boolean> hook) {
        this.windowHook = hook;
    }

    public Result run() throws InterruptedException {
        startNanos = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        running.set(config.concurrency());
        for (int i = 0; i < config.concurrency(); i++) {
            Thread t = new Thread(this::work, "bench-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        tick("warm-up", startNanos, startNanos + config.warmup().toNanos(), startNanos + config.maxWarmup().toNanos());
        if (windowHook != null) windowHook.accept(true);
        CpuAccounting.Snapshot before = CpuAccounting.snapshot();
        phase = MEASURE;
        long measureStart = before.wallNanos();
        long measureEnd = measureStart + config.duration().toNanos();
        tick("measure", measureStart, measureEnd, measureEnd);
        phase = STOP;
        CpuAccounting.Snapshot after = CpuAccounting.snapshot();
        if (windowHook != null) windowHook.accept(false);
        if (!tty) progress.println();
        else progress.print("\r" + " ".repeat(110) + "\r");
        for (Thread t : workers) t.join(config.timeoutMillis() + 5_000L);
        Map<String, Long> kinds = new TreeMap<>();
        errorKinds.forEach((k, v) -> kinds.put(k, v.sum()));
        LatencyHistogram h = measured.copy();
        CpuAccounting.Window cpu = CpuAccounting.between(before, after);
        return new Result(h, h.count(), errors.sum(), kinds, cpu, cpu.wallNanos() / 1e9, (measureStart - startNanos) / 1e9,
                warmOps.sum(), warmErrors.sum(),
                fullyChecked.get(), exhausted, maxLateNanos / 1e9);
    }

    /**
     * Sleeps until {@code end}, or for a warm-up ({@code end < last}) until the JIT has settled after {@code end}
     * but at most until {@code last}; prints progress each second; returns early when every worker has stopped.
     */
    private void tick(String what, long from, long end, long last) throws InterruptedException {
        long nextPrint = System.nanoTime() + 1_000_000_000L;
        long lastPrint = System.nanoTime();
        long printed = 0;
        long[] jit = {jitMillis(), jitMillis(), jitMillis()}; // at the last three whole seconds
        while (running.get() > 0) {
            long now = System.nanoTime();
            if (now - last >= 0) break;
            if (now - end >= 0 && (end == last || jit[2] - jit[0] < SETTLED_JIT_MILLIS)) break;
            Thread.sleep(Math.max(1, Math.min(100, (Math.max(end, lastPrint + 1_000_000_000L) - now) / 1_000_000)));
            now = System.nanoTime();
            if (now - nextPrint >= 0) {
                jit[0] = jit[1];
                jit[1] = jit[2];
                jit[2] = jitMillis();
                LatencyHistogram last1 = interval.drain();
                long errs = intervalErrors.sumThenReset();
                double secs = (now - lastPrint) / 1e9;
                lastPrint = now;
                nextPrint = now + 1_000_000_000L;
                long done = phase == MEASURE ? measured.count() : warmOps.sum();
                String settling = end != last && now - end >= 0 ? "  (JIT still compiling, warm-up extended)" : "";
                String line = String.format("[%s] %s %.0f/%.0f s  %,d ops  now %.0f ops/s  p50 %.1f ms  p99 %.1f ms  errors %d  JIT %d ms/s%s",
                        config.label(), what, (now - from) / 1e9, (end - from) / 1e9, done, last1.count() / secs,
                        last1.percentile(50) / 1000.0, last1.percentile(99) / 1000.0, errs, jit[2] - jit[1], settling);
                if (tty) {
                    progress.print("\r" + line + "   ");
                    progress.flush();
                } else if (printed++ % 5 == 0) {
                    progress.println(line);
                }
            }
        }
    }

    private static long jitMillis() {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private void work() {
        List<HttpConnection> connections = new ArrayList<>();
        for (URI u : nodes) connections.add(new HttpConnection(u, config.timeoutMillis()));
        try {
            while (phase != STOP) {
                long due;
                if (config.rate() > 0) {
                    long ticket = tickets.getAndIncrement();
                    due = startNanos + (long) (ticket * 1e9 / config.rate());
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0 && phase != STOP) LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                    if (phase == STOP) break;
                    long late = System.nanoTime() - due;
                    if (phase == MEASURE && late > maxLateNanos) maxLateNanos = late;
                } else {
                    due = System.nanoTime();
                }
                Workload.Request r = workload.next();
                if (r == null) {
                    exhausted = true;
                    break;
                }
                String problem;
                try {
                    HttpConnection.Response resp = connections.get(r.node()).request(r.method(), r.path());
                    if (resp.status() == 200) {
                        boolean full = fullChecks.getAndIncrement() < config.fullChecks();
                        problem = workload.check(r, resp.body(), full);
                        if (full && problem == null) fullyChecked.incrementAndGet();
                    } else {
                        problem = "HTTP " + resp.status() + " " + Workload.abbreviate(resp.text());
                    }
                } catch (IOException | RuntimeException e) {
                    problem = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                long micros = (System.nanoTime() - due + 999) / 1000;
                int p = phase;
                interval.record(micros);
                if (problem != null) intervalErrors.increment();
                if (p == MEASURE) {
                    if (problem == null) {
                        measured.record(micros);
                    } else {
                        errors.increment();
                        errorKinds.computeIfAbsent(problem, k -> new LongAdder()).increment();
                    }
                } else if (p == WARMUP) {
                    warmOps.increment();
                    if (problem != null) {
                        warmErrors.increment();
                        errorKinds.computeIfAbsent("(warm-up) " + problem, k -> new LongAdder()).increment();
                    }
                }
            }
        } finally {
            connections.forEach(HttpConnection::close);
            running.decrementAndGet();
        }
    }
}
