package dev.secretstore.cli.faults;

import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.RecoverableSignature;
import dev.secretstore.crypto.threshold.DocumentKey;
import dev.secretstore.crypto.threshold.Schnorr;
import dev.secretstore.crypto.threshold.SchnorrSignature;
import dev.secretstore.node.runtime.NodeSettings;
import dev.secretstore.node.scenario.Outcome;
import dev.secretstore.node.scenario.ProcessClusterUnderTest;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One seeded run of the fault harness: three node processes of the command-line jar ({@code t = 1}), a
 * {@link FaultProxy} on every member link ({@link MemberLinks}), small tmpfs data directories where the machine
 * allows mounting ({@link DiskFaults}), the {@link History} of every request and fault, and what the client was
 * told (the model {@link Checker} checks against). Every choice a schedule makes (members, moments, operations)
 * comes from {@link #random}, seeded, so a seed replays the same schedule; the moments at which processes
 * answer are the machine's, so outcomes can differ between replays, but a defect a seed found is usually found
 * again by it.
 *
 * <p>Requests and their deadlines: every request of the HTTP API has the documented answer deadline (the
 * master's session stall timeout, 60 s, docs/architecture.md, plus 5 s of margin); while a schedule holds a
 * fault that the nodes must notice by themselves (a silent partition, a disk fault) it is
 * {@link #FAULT_NOTICED}: three times {@code peer_deadline_ms} (6 s, docs/configuration.md).
 */
final class FaultRun implements AutoCloseable {
    static final int N = 3;
    static final int T = 1;
    /** The documented longest wait of a request: the master's stall timeout plus a margin. */
    static final Duration ANSWER = NodeSettings.SESSION_TIMEOUT.plusSeconds(5);
    /** A request during a fault that the nodes notice on their own: 3 × the 6 s peer deadline (SilentPeerIT's bound). */
    static final Duration FAULT_NOTICED = Duration.ofSeconds(18);
    /** A request sent with every member connected and no fault on: it must not wait a session stall (60 s); half of one. */
    static final Duration NO_STALL = NodeSettings.SESSION_TIMEOUT.dividedBy(2);
    /** How long the cluster may take to settle after healing: resolve prepared rows, repair, finish what was cut. */
    static final Duration SETTLE = Duration.ofSeconds(90);
    /** Answers a client retries (http-api.md §6.2 marks them retryable), plus no answer and a lost connection. */
    private static final Set<String> RETRYABLE = java.util.Arrays.stream(Kind.values()).filter(k -> k.retryable() && !k.hasDetail())
            .map(k -> SecretStoreException.of(k).displayText()).collect(Collectors.toUnmodifiableSet());
    static final String SERVER_KEY_NOT_FOUND = SecretStoreException.of(Kind.SERVER_KEY_IS_NOT_FOUND).displayText();
    static final String DOCUMENT_KEY_NOT_FOUND = SecretStoreException.of(Kind.DOCUMENT_KEY_IS_NOT_FOUND).displayText();

    final long seed;
    final Random random;
    final ProcessClusterUnderTest cluster;
    final MemberLinks links;
    final DiskFaults disk;
    final History history = new History();
    private final SecureRandom keys = new SecureRandom();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    /** Generations: the Y of each acknowledged one; every attempted id is in {@link #attempted}. */
    final Map<H256, PublicPoint> generated = new ConcurrentHashMap<>();
    final Set<H256> attempted = ConcurrentHashMap.newKeySet();
    /** Stores: the document key M of each acknowledged one, and of each attempted one. */
    final Map<H256, PublicPoint> stored = new ConcurrentHashMap<>();
    final Map<H256, PublicPoint> storeAttempted = new ConcurrentHashMap<>();
    /** The deadline of requests sent now. */
    private volatile Duration deadline = ANSWER;
    /** Whether a 200 must be readable at once through every other live member (off while links are faulted). */
    private volatile boolean readYourWrites = true;
    /** The member whose data directory is faulted now, or -1 (set by {@link Schedule#DISK_FAULT}). */
    private volatile int diskFaulted = -1;

    FaultRun(long seed) throws Exception {
        this.seed = seed;
        this.random = new Random(seed);
        Path dir = Files.createTempDirectory(Path.of("target"), "faults-" + seed + "-").toAbsolutePath();
        DiskFaults[] diskHolder = new DiskFaults[1];
        MemberLinks[] linksHolder = new MemberLinks[1];
        try {
            this.cluster = new ProcessClusterUnderTest(dir, N, ext(), configured -> {
                linksHolder[0] = MemberLinks.install(configured, N);
                diskHolder[0] = new DiskFaults(configured);
                for (int i = 0; i < N; i++) diskHolder[0].prepare(i);
            });
        } catch (Exception | Error e) {
            if (linksHolder[0] != null) linksHolder[0].close();
            if (diskHolder[0] != null) diskHolder[0].close();
            throw e;
        }
        this.links = linksHolder[0];
        this.disk = diskHolder[0];
        history.start();
        history.note("seed " + seed + ", " + N + " members, t = " + T + ", options " + ext() + ", files in " + dir + ", mounts "
                + (DiskFaults.MOUNTS ? "available" : "refused"));
    }

    /**
     * The {@code [secretstore_ext]} options of every member: repair every 2 s, and whatever {@code faults.ext} adds
     * ({@code name=value,...}, TOML values as written), e.g. {@code -Dfaults.ext=peer_deadline_ms=30000} to see the
     * harness catch a 30 s blind spot on a silent partition.
     */
    static Map<String, String> ext() {
        Map<String, String> ext = new java.util.TreeMap<>(Map.of("share_repair_interval", "2"));
        for (String option : System.getProperty("faults.ext", "").split(",")) {
            if (option.isBlank()) continue;
            String[] kv = option.split("=", 2);
            ext.put(kv[0].trim(), kv[1].trim());
        }
        return ext;
    }

    // ---- the model's bookkeeping ----

    void violation(String what) {
        violations.add(what);
        history.note("VIOLATION " + what);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    static boolean retryable(Outcome<?> o) {
        return o.status() == Outcome.NO_ANSWER || o.status() == Outcome.CONNECTION_LOST || (o.status() != 200 && RETRYABLE.contains(o.error()));
    }

    /** Requests sent inside {@code body} get {@code bound} as their deadline; read-your-writes is off if asked. */
    void underFault(Duration bound, boolean linksFaulted, Runnable body) {
        deadline = bound;
        readYourWrites = !linksFaulted;
        try {
            body.run();
        } finally {
            deadline = ANSWER;
            readYourWrites = true;
        }
    }

    /** Runs {@code body} while {@code member}'s disk is faulted: that member may refuse any request (see {@link #failsClosed}). */
    void withDiskFault(int member, Runnable body) {
        diskFaulted = member;
        try {
            body.run();
        } finally {
            diskFaulted = -1;
        }
    }

    /**
     * A member that cannot write its audit line answers {@code 500 "Database error: …"} instead of a result (SEC-29,
     * SEC-38: fail closed); that is not a lost write.
     */
    private boolean failsClosed(int member, Outcome<?> o) {
        return member == diskFaulted && o.status() == 500 && o.error() != null && o.error().startsWith("Database error");
    }

    H256 newId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return H256.fromBytes(b);
    }

    int anyMember() {
        return random.nextInt(N);
    }

    int anyMemberBut(int... not) {
        List<Integer> left = IntStream.range(0, N).boxed().filter(m -> IntStream.of(not).noneMatch(x -> x == m)).toList();
        return left.get(random.nextInt(left.size()));
    }

    int configIndex(int member) {
        return cluster.configIndex(member);
    }

    // ---- the workload: each request logged, its answer checked against the model ----

    /** Endpoint 1; on a 200 the key must be readable at once through every other live member (a 200 only after members commit). */
    H256 generate(int via) {
        return generate(via, newId());
    }

    /** {@link #generate(int)} of a given id (for concurrent requests, whose ids are drawn first, in order). */
    H256 generate(int via, H256 id) {
        attempted.add(id);
        Outcome<PublicPoint> o = history.request("generate", id, via, deadline, () -> cluster.generateServerKey(via, id, T));
        if (o.ok()) {
            generated.put(id, o.value());
            if (readYourWrites) readsBack(id, via, o.value());
        }
        return id;
    }

    private void readsBack(H256 id, int via, PublicPoint y) {
        for (int m = 0; m < N; m++) {
            if (m == via || !cluster.alive(m)) continue;
            int member = m;
            Outcome<PublicPoint> r = history.request("read-your-write", id, member, deadline, () -> cluster.retrieveServerKey(member, id));
            if (!cluster.alive(member) || failsClosed(member, r)) continue; // killed while we asked, or its disk refuses
            if (!r.ok() || !r.value().equals(y)) {
                violation("key " + History.shortId(id) + " acknowledged by member " + via + " but member " + member + " answered " + r.answer()
                        + " right after the 200");
            }
        }
    }

    /** An acknowledged key without a document key, or a fresh one generated for the purpose (null if that failed). */
    H256 keyWithoutDocument(int via) {
        for (H256 id : generated.keySet()) if (!storeAttempted.containsKey(id)) return id;
        H256 id = generate(via);
        return generated.containsKey(id) ? id : null;
    }

    /** Endpoint 2 of a fresh document key for an acknowledged server key. */
    void store(int via, H256 id) {
        DocumentKey.Generated m = DocumentKey.generate(generated.get(id), keys);
        storeAttempted.put(id, m.documentKey());
        Outcome<Void> o = history.request("store", id, via, deadline, () -> cluster.storeDocumentKey(via, id, m.encrypted()));
        if (o.ok()) {
            stored.put(id, m.documentKey());
            if (readYourWrites) {
                for (int r = 0; r < N; r++) {
                    if (r == via || !cluster.alive(r)) continue;
                    int member = r;
                    Outcome<PublicPoint> back = history.request("read-your-store", id, member, deadline,
                            () -> cluster.retrieveDocumentKeyFromShadows(member, id));
                    if (!cluster.alive(member) || failsClosed(member, back)) continue;
                    if ((back.ok() && !back.value().equals(m.documentKey())) || (!back.ok() && DOCUMENT_KEY_NOT_FOUND.equals(back.error()))) {
                        violation("document key " + History.shortId(id) + " acknowledged by member " + via + " but member " + member + " answered "
                                + back.answer() + " right after the 200");
                    }
                }
            }
        }
    }

    /** A stored key (acknowledged), storing one first if none is; null if that failed. */
    H256 storedKey(int via) {
        if (!stored.isEmpty()) {
            List<H256> ids = new ArrayList<>(new TreeSet<>(stored.keySet()));
            return ids.get(random.nextInt(ids.size()));
        }
        H256 id = keyWithoutDocument(via);
        if (id == null) return null;
        store(via, id);
        return stored.containsKey(id) ? id : null;
    }

    /** Endpoint 6: a 200 must carry the stored M. */
    Outcome<PublicPoint> retrieve(int via, H256 id) {
        Outcome<PublicPoint> o = history.request("shadow-retrieve", id, via, deadline, () -> cluster.retrieveDocumentKeyFromShadows(via, id));
        if (o.ok() && !o.value().equals(stored.get(id))) violation("member " + via + " returned a wrong document key for " + History.shortId(id));
        return o;
    }

    /** Endpoint 7: a 200 must verify under Y. */
    Outcome<SchnorrSignature> schnorr(int via, H256 id) {
        H256 message = newId();
        Outcome<SchnorrSignature> o = history.request("schnorr", id, via, deadline, () -> cluster.signSchnorr(via, id, message));
        if (o.ok() && !Schnorr.verify(generated.get(id), message, o.value())) {
            violation("member " + via + " returned a Schnorr signature that does not verify for " + History.shortId(id));
        }
        return o;
    }

    /** Endpoint 8: a 200 must verify under Y. */
    Outcome<RecoverableSignature> ecdsa(int via, H256 id) {
        H256 message = newId();
        Outcome<RecoverableSignature> o = history.request("ecdsa", id, via, deadline, () -> cluster.signEcdsa(via, id, message));
        if (o.ok() && !Ecdsa.verify(generated.get(id), o.value(), message)) {
            violation("member " + via + " returned an ECDSA signature that does not verify for " + History.shortId(id));
        }
        return o;
    }

    /** Endpoint 9 from the full set to {@code newSet}. */
    Outcome<Void> setChange(int via, SortedSet<Integer> newSet) {
        SortedSet<Integer> all = new TreeSet<>(IntStream.range(0, N).boxed().toList());
        return history.request("set-change->" + newSet, null, via, deadline, () -> cluster.changeServersSet(via, all, newSet));
    }

    /** The share refresh extension, every key. */
    Outcome<Void> refresh(int via) {
        return history.request("refresh-all", null, via, deadline, () -> cluster.refreshShares(via, List.of()));
    }

    /** Repeats {@code request} while its answer is retryable, within {@link #SETTLE}, as a client would after a fault. */
    <T> Outcome<T> retried(Supplier<Outcome<T>> request) {
        return retried(SETTLE, request);
    }

    /** {@link #retried(Supplier)} within {@code bound}. */
    <T> Outcome<T> retried(Duration bound, Supplier<Outcome<T>> request) {
        long end = System.nanoTime() + bound.toNanos();
        Outcome<T> o = request.get();
        while (retryable(o) && System.nanoTime() - end < 0) {
            sleep(500);
            o = request.get();
        }
        return o;
    }

    // ---- the nemesis ----

    /** How long {@code op} takes without a fault (it runs once, as workload too), in ms. */
    long cleanMillis(Runnable op) {
        long start = System.nanoTime();
        op.run();
        return Math.max(1, (System.nanoTime() - start) / 1_000_000);
    }

    /** kill -9 of {@code victim} a random moment into {@code op} (uniform over 0..1.2 × {@code cleanMs}); returns when both are done. */
    void killDuring(int victim, long cleanMs, Runnable op) {
        long delay = (long) (random.nextDouble() * 1.2 * cleanMs);
        CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> kill(victim, "at +" + delay + " ms into the next request"),
                CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        op.run();
        kill.join();
    }

    void kill(int member, String why) {
        history.nemesis("kill -9 member " + member + " " + why);
        cluster.kill(member);
    }

    /** Restarts every killed member and waits until every link is up again. */
    void restartAll() {
        history.nemesis("restart killed members");
        cluster.heal();
        cluster.awaitConnected();
        history.nemesis("every member connected");
    }

    /** Every fault off: disks healed, links passing, killed members restarted, every member connected. */
    void heal() {
        disk.heal();
        links.healAll();
        history.nemesis("heal: disks and links");
        restartAll();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static SortedSet<Integer> allBut(int member) {
        return IntStream.range(0, N).filter(m -> m != member).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    static SortedSet<Integer> all() {
        return IntStream.range(0, N).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    Path dir() {
        return cluster.dir();
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
            try {
                links.close();
            } finally {
                disk.close();
            }
        }
    }
}
