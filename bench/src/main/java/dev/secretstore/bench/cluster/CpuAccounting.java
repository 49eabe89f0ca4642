package dev.secretstore.bench.cluster;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this process over a window: the whole process ({@code getProcessCpuTime}) and, per thread
 * group named by thread name, the Java threads' CPU time. What no live Java thread accounts for is the
 * JVM's own threads (GC, JIT compilers) plus threads that ended during the window.
 */
public final class CpuAccounting {
    /** Thread groups, matched on the thread name in this order. */
    public static final String LOAD = "load generator";
    public static final String LOOP = "cluster loops (sessions, crypto, SQLite)";
    public static final String WORK = "cluster workers (offloaded crypto, decoding)";
    public static final String TRANSPORT = "transport (Noise, Netty)";
    public static final String HTTP = "HTTP server (parse, recover, respond)";
    public static final String OTHER = "other Java threads";
    public static final String VM = "JVM (GC, JIT) and ended threads";

    /**
     * The HTTP API's threads under either server: the Netty {@code EdgeServer} names its handler pool and its
     * event loop after the listener ({@code http-api-<pool>-<n>}, {@code http-api-io-<pool>-<n>}, Netty's
     * {@code DefaultThreadFactory}) and the API names its own pools {@code http-api-…} too (such as
     * {@code http-api-finish}, answers completed off the cluster's threads); the JDK's {@code com.sun.net.httpserver}
     * runs {@code HTTP-Dispatcher} (selector, parsing) and {@code idle-timeout-task}, with the handlers on the API's
     * own pool {@code http-api}. The cluster transport's Netty threads ({@code secretstore-transport-…}) are not HTTP.
     */
    private static final Pattern HTTP_API = Pattern.compile("http-api(-.+)?");

    static String group(String threadName) {
        if (threadName.startsWith("bench-worker")) return LOAD;
        if (threadName.startsWith("cluster-loop-")) return LOOP;
        if (threadName.startsWith("cluster-work-")) return WORK;
        if (threadName.startsWith("secretstore-transport-")) return TRANSPORT;
        if (isHttpServer(threadName)) return HTTP;
        return OTHER;
    }

    /** True for a thread of the HTTP API's server, the Netty layer's or the JDK's. */
    static boolean isHttpServer(String threadName) {
        return HTTP_API.matcher(threadName).matches() || isJdkHttpServer(threadName);
    }

    /** True for a thread of the HTTP API under the JDK's server (the API's pool had the bare listener name then). */
    static boolean isJdkHttpServer(String threadName) {
        return threadName.equals("http-api") || threadName.startsWith("HTTP-Dispatcher") || threadName.equals("idle-timeout-task");
    }

    /** A reading at one instant. */
    public record Snapshot(long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names, long gcMillis, long gcCount,
                           long jitMillis, long wallNanos) {}

    public static Snapshot snapshot() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = threads.getThreadCpuTime(ids[i]);
            if (t >= 0 && infos[i] != null) {
                cpu.put(ids[i], t);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        long gcMs = 0;
        long gcN = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMs += Math.max(0, gc.getCollectionTime());
            gcN += Math.max(0, gc.getCollectionCount());
        }
        var jit = ManagementFactory.getCompilationMXBean();
        long jitMs = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
        return new Snapshot(processCpuNanos(), cpu, names, gcMs, gcN, jitMs, System.nanoTime());
    }

    public static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
        return -1;
    }

    /** CPU between two snapshots. */
    public record Window(long processNanos, Map<String, Long> byGroup, long gcMillis, long gcCount, long jitMillis, long wallNanos) {
        public long loadGeneratorNanos() {
            return byGroup.getOrDefault(LOAD, 0L);
        }

        /** Everything but the load generator: the cluster's share of the process. */
        public long clusterNanos() {
            return processNanos - loadGeneratorNanos();
        }
    }

    public static Window between(Snapshot a, Snapshot b) {
        Map<String, Long> groups = new LinkedHashMap<>();
        for (String g : new String[] {LOOP, HTTP, TRANSPORT, OTHER, LOAD}) groups.put(g, 0L);
        long threadsTotal = 0;
        for (Map.Entry<Long, Long> e : b.threadNanos().entrySet()) {
            long before = a.threadNanos().getOrDefault(e.getKey(), 0L);
            long d = Math.max(0, e.getValue() - before);
            threadsTotal += d;
            groups.merge(group(b.names().get(e.getKey())), d, Long::sum);
        }
        long process = b.processNanos() - a.processNanos();
        groups.put(VM, Math.max(0, process - threadsTotal));
        return new Window(process, groups, b.gcMillis() - a.gcMillis(), b.gcCount() - a.gcCount(), b.jitMillis() - a.jitMillis(),
                b.wallNanos() - a.wallNanos());
    }
}
