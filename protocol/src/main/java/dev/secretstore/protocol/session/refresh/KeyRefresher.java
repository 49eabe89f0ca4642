package dev.secretstore.protocol.session.refresh;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.AvailabilityStatus;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.key.InventoryPage;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.key.VersionMetadata;
import dev.secretstore.protocol.session.Clock;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * Runs key refreshes ({@link KeyRefreshSession}) on this node, one key at a time and at most
 * {@link Availability#refreshBatch()} keys per maintenance tick, so a refresh never holds more than one session
 * slot and client requests are served in between (SEC-40). Called only on the cluster loop.
 *
 * <ul>
 *   <li><b>On demand</b> ({@link #refresh}): the listed keys, or every key whose latest version this node holds.
 *       The stage completes when every key was tried: normally if all were refreshed, otherwise with
 *       {@code TooEarlyForRequest} when every failure was temporary (repeat it) or {@code Internal} naming the
 *       counts and blamed nodes.</li>
 *   <li><b>On a schedule</b> ({@link #tick}, {@link Availability#refreshInterval()}; off when zero): every interval a
 *       sweep over the keys for which this node is the lowest-id connected holder of the latest version, so each
 *       key is refreshed by one node.</li>
 * </ul>
 * A key whose refresh named culprits is tried again at once without them (a member that stalls is found only
 * by the session's stall timeout, which ends the session), at most {@value #RETRIES} times; the job's later keys
 * leave them out from the start, so a silent member costs one stall per job rather than one per key.
 *
 * <p>A key whose refresh ended because a member (or this node) was not ready for it ({@link KeyRefreshSession#notReady()}:
 * typically a member that just came back and is repairing the key) is put aside and tried again
 * {@link #NOT_READY_GAP} later, after the job's other keys, so the member takes part once its repair is done and does not
 * need another one; a job waits so for at most {@link #NOT_READY_WAIT} in all, then such a key is refreshed without the
 * members that are still not ready (issue #17 defect 2).
 */
public final class KeyRefresher {
    private static final Logger LOG = Logger.getLogger(KeyRefresher.class.getName());
    static final int RETRIES = 2;
    /** How long one job waits in all for members that are not ready (a returning member sweeps within 5 s and repairs). */
    static final java.time.Duration NOT_READY_WAIT = java.time.Duration.ofSeconds(10);
    /** The least time between two tries of a key put aside for a member that was not ready. */
    static final java.time.Duration NOT_READY_GAP = java.time.Duration.ofSeconds(1);

    private final ClusterSessions sessions;
    private final ClusterView cluster;
    private final KeyStorage storage;
    private final Availability availability;
    private final AvailabilityStatus status;
    private final Clock clock;
    private final SecureRandom rng;
    private final Executor loop;
    private final Deque<Job> jobs = new ArrayDeque<>();
    private long nextSweep;
    private boolean running;
    private int startedThisTick;

    /** One request or sweep: the keys to try and what happened to them. */
    private final class Job {
        final boolean scheduled;
        final Deque<H256> keys = new ArrayDeque<>();
        final boolean paged;
        Optional<H256> cursor = Optional.empty();
        boolean pagesDone;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int refreshed;
        int failed;
        boolean permanentFailure;
        final Set<String> blamed = new TreeSet<>();
        /** Members a refresh of this job named: left out of the job's later keys, so a silent member costs one stall per job. */
        final Set<NodeId> suspects = new HashSet<>();
        /** Keys put aside because a member was not ready, tried again from {@link #asideDue} on. */
        final Deque<H256> aside = new ArrayDeque<>();
        long asideDue;
        /** Until when this job waits for members that are not ready; set by the first key put aside. */
        Long waitUntil;

        Job(boolean scheduled, Collection<H256> listed) {
            this.scheduled = scheduled;
            this.paged = listed.isEmpty();
            keys.addAll(new TreeSet<>(listed));
        }

        /** The next key, reading the next inventory page when the current one is used up; empty when none is left. */
        Optional<H256> next() {
            while (keys.isEmpty() && paged && !pagesDone) {
                InventoryPage page = storage.inventory(cursor, availability.refreshBatch()); // public data, never unseals
                for (KeyMetadata k : page.keys()) {
                    if (selects(k)) keys.add(k.keyId());
                }
                cursor = page.next();
                pagesDone = page.next().isEmpty();
            }
            return Optional.ofNullable(keys.poll());
        }

        private boolean selects(KeyMetadata k) {
            VersionMetadata latest = k.latestVersion();
            if (!latest.isHolder(cluster.self()) || latest.threshold() == 0) return false; // t = 0: nothing to re-randomise
            if (!scheduled) return true;
            for (NodeId holder : latest.idNumbers().keySet()) { // ascending: the first connected holder is the one
                if (holder.equals(cluster.self())) return true;
                if (cluster.isConnected(holder)) return false;
            }
            return false;
        }
    }

    public KeyRefresher(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, Availability availability,
                        AvailabilityStatus status, Clock clock, SecureRandom rng, Executor loop) {
        this.sessions = sessions;
        this.cluster = cluster;
        this.storage = storage;
        this.availability = availability;
        this.status = status;
        this.clock = clock;
        this.rng = rng;
        this.loop = loop;
        this.nextSweep = clock.nanoTime() + availability.refreshInterval().toNanos();
    }

    /**
     * Refreshes {@code keyIds} (empty: every key whose latest version this node holds); the caller checked the
     * administrator's signature ({@link RefreshAuthorization}).
     */
    public CompletionStage<Void> refresh(Collection<H256> keyIds) {
        Job job = new Job(false, keyIds);
        jobs.add(job);
        LOG.info(() -> "share refresh requested by the administrator: " + (keyIds.isEmpty() ? "every key held here" : keyIds.size() + " key(s)"));
        pump();
        return job.done;
    }

    /** Maintenance tick: starts a scheduled sweep when due, and lets a paused job go on with its next batch. */
    public void tick() {
        startedThisTick = 0;
        long now = clock.nanoTime();
        if (availability.refreshScheduled() && now - nextSweep >= 0 && jobs.stream().noneMatch(j -> j.scheduled)) {
            nextSweep = now + availability.refreshInterval().toNanos();
            jobs.add(new Job(true, List.of()));
            LOG.fine("scheduled share refresh sweep started");
        }
        pump();
    }

    /** True while a refresh job is queued or running. */
    public boolean busy() {
        return !jobs.isEmpty();
    }

    private void pump() {
        if (running) return;
        while (!jobs.isEmpty()) {
            Job job = jobs.peek();
            if (startedThisTick >= availability.refreshBatch()) return; // the rest of the batch waits for the next tick
            Optional<H256> next;
            try {
                next = job.next();
                if (next.isEmpty() && !job.aside.isEmpty()) {
                    if (clock.nanoTime() - job.asideDue < 0) return; // the keys put aside are tried again by a later tick
                    job.keys.addAll(job.aside);
                    job.aside.clear();
                    next = job.next();
                }
            } catch (SecretStoreException e) {
                jobs.poll();
                job.done.completeExceptionally(e);
                continue;
            }
            if (next.isEmpty()) {
                jobs.poll();
                complete(job);
                continue;
            }
            startedThisTick++;
            running = true;
            refreshKey(job, next.get(), new HashSet<>(job.suspects), 0);
            return;
        }
    }

    private void refreshKey(Job job, H256 keyId, Set<NodeId> exclude, int retry) {
        CompletionStage<KeyRefreshSession.Refreshed> result;
        Set<NodeId> notReady = new HashSet<>();
        if (sessions.isWriting(keyId)) { // e.g. this node repairs the key
            notReady.add(cluster.self());
            result = CompletableFuture.failedFuture(SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST));
        } else {
            try {
                byte[] id = new byte[32];
                rng.nextBytes(id);
                SessionKey key = new SessionKey(SessionType.KEY_REFRESH, H256.fromBytes(id), cluster.self());
                KeyRefreshSession session = sessions.startMaster(key, outbox -> KeyRefreshSession.startMaster(key, cluster, outbox, storage,
                        keyId, exclude, sessions::isWriting, rng));
                result = session.result().whenComplete((r, error) -> notReady.addAll(session.notReady()));
            } catch (SecretStoreException e) {
                if (e.kind() == Kind.EXCLUSIVE_SESSION_ACTIVE || (e.kind() == Kind.TOO_EARLY_FOR_REQUEST && retry == 0)) {
                    // a servers set change runs, or this node is at its session limit: try the key again next tick
                    job.keys.addFirst(keyId);
                    startedThisTick = availability.refreshBatch();
                    running = false;
                    return;
                }
                result = CompletableFuture.failedFuture(e);
            }
        }
        result.whenComplete((r, error) -> loop.execute(() -> {
            SecretStoreException e = error == null ? null : unwrap(error);
            if (e != null && e.kind() == Kind.TOO_EARLY_FOR_REQUEST && !notReady.isEmpty() && notReadyYet(job, keyId, exclude, notReady, e, retry)) {
                return;
            }
            if (e != null && !e.culprits().isEmpty() && retry < RETRIES) {
                Set<NodeId> more = new HashSet<>(exclude);
                e.culprits().forEach(c -> { if (!c.node().equals(cluster.self())) more.add(c.node()); });
                job.suspects.addAll(more);
                if (more.size() > exclude.size()) {
                    refreshKey(job, keyId, more, retry + 1);
                    return;
                }
            }
            record(job, keyId, r, e);
            running = false;
            pump();
        }));
    }

    /**
     * The refresh of {@code keyId} ended because {@code notReady} could not take part yet. While the job's wait lasts the
     * key is put aside for a later try; after it, the key is tried again at once without them (and without {@code e}'s
     * culprits). True when the key was handled so; false to record the failure.
     */
    private boolean notReadyYet(Job job, H256 keyId, Set<NodeId> exclude, Set<NodeId> notReady, SecretStoreException e, int retry) {
        long now = clock.nanoTime();
        if (job.waitUntil == null) {
            job.waitUntil = now + NOT_READY_WAIT.toNanos();
            LOG.info(() -> "share refresh: " + notReady.stream().map(NodeId::shortId).toList() + " not ready for key " + keyId
                    + " (repairing it?); keys like it are tried again every " + NOT_READY_GAP.toSeconds() + " s for up to "
                    + NOT_READY_WAIT.toSeconds() + " s, then without the members still not ready");
        }
        if (now - job.waitUntil < 0) {
            LOG.fine(() -> "share refresh of key " + keyId + ": " + notReady.stream().map(NodeId::shortId).toList()
                    + " not ready yet; trying it again later");
            e.culprits().forEach(c -> { if (!c.node().equals(cluster.self())) job.suspects.add(c.node()); });
            job.aside.add(keyId);
            job.asideDue = now + NOT_READY_GAP.toNanos();
            running = false;
            pump();
            return true;
        }
        Set<NodeId> more = new HashSet<>(exclude);
        notReady.forEach(n -> { if (!n.equals(cluster.self())) more.add(n); });
        e.culprits().forEach(c -> { if (!c.node().equals(cluster.self())) more.add(c.node()); });
        if (more.size() == exclude.size() || retry >= RETRIES) return false;
        LOG.info(() -> "share refresh of key " + keyId + ": " + notReady.stream().map(NodeId::shortId).toList()
                + " still not ready; refreshing it without them");
        refreshKey(job, keyId, more, retry + 1);
        return true;
    }

    private void record(Job job, H256 keyId, KeyRefreshSession.Refreshed r, SecretStoreException e) {
        if (e == null) {
            job.refreshed++;
            status.refreshed(1);
            r.excluded().stream().filter(c -> !c.lost()).forEach(c -> job.blamed.add(c.node().shortId()));
            r.excluded().forEach(c -> job.suspects.add(c.node()));
            return;
        }
        job.failed++;
        status.refreshFailed();
        if (!e.kind().retryable() && e.kind() != Kind.CONSENSUS_UNREACHABLE || e.culprits().stream().anyMatch(c -> !c.lost())) {
            job.permanentFailure = true;
        }
        e.culprits().stream().filter(c -> !c.lost()).map(Culprit::node).forEach(n -> job.blamed.add(n.shortId()));
        LOG.warning(() -> "share refresh of key " + keyId + " failed: " + e.kind() + (e.culprits().isEmpty() ? "" : " " + e.culprits()));
    }

    private void complete(Job job) {
        String summary = "share refresh refreshed " + job.refreshed + " key(s); " + job.failed + " key(s) kept their old version"
                + (job.blamed.isEmpty() ? "" : ", blamed nodes " + job.blamed);
        if (job.failed == 0) {
            LOG.info(() -> summary);
            job.done.complete(null);
        } else {
            LOG.warning(() -> summary);
            job.done.completeExceptionally(job.permanentFailure ? SecretStoreException.of(Kind.INTERNAL, summary)
                    : SecretStoreException.of(Kind.TOO_EARLY_FOR_REQUEST));
        }
    }

    private static SecretStoreException unwrap(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof SecretStoreException s ? s : SecretStoreException.of(Kind.INTERNAL, c.getClass().getSimpleName());
    }

    /** The keys a sweep or request would pick now (for tests). */
    List<H256> selected(boolean scheduled) {
        Job j = new Job(scheduled, List.of());
        List<H256> out = new ArrayList<>();
        for (Optional<H256> k = j.next(); k.isPresent(); k = j.next()) out.add(k.get());
        return out;
    }
}
