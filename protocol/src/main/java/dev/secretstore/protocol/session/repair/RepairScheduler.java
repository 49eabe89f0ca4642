package dev.secretstore.protocol.session.repair;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.AvailabilityStatus;
import dev.secretstore.protocol.Culprit;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.key.KeyMetadata;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.Clock;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the keys this member should hold and does not, and repairs them (SEC-40). Every
 * {@link Availability#repairInterval()} a sweep reads every connected peer's inventory in pages
 * ({@link InventoryPageSession}: keys whose latest version names this member) and compares it with this
 * member's metadata; a key counts as missing here when {@code t+1} peers (at least two) report the same latest version this
 * member lacks, or the document key it lacks. Missing keys are repaired by {@link ShareRepairSession}s, at most
 * {@link Availability#repairConcurrency()} at a time, never over a prepared row (the commit's recovery path
 * decides those) or a key a running session writes. Nothing is persisted: a restarted member sweeps again.
 * Called on the cluster loop ({@code loop} runs the continuations of the sessions it starts); {@link #tick()} never throws.
 */
public final class RepairScheduler {
    private static final Logger LOG = Logger.getLogger(RepairScheduler.class.getName());
    static final int PAGE = 256;
    /** The least time between two sweeps when a peer (re)connected (a flapping peer costs at most one sweep per gap). */
    static final java.time.Duration EARLY_GAP = java.time.Duration.ofSeconds(5);
    /** The most missing keys one sweep remembers (memory bound); the rest are found by the next sweep. */
    static final int MAX_CANDIDATES = 100_000;

    private final ClusterSessions sessions;
    private final ClusterView cluster;
    private final KeyStorage storage;
    private final Clock clock;
    private final SecureRandom random;
    private final Availability availability;
    private final AvailabilityStatus status;
    private final Executor loop;
    private final int pageSize;

    private Long lastSweepEnd;
    /** The peers connected when the last sweep started; a peer not among them makes the next sweep due early. */
    private Set<NodeId> sweptWith = Set.of();
    private Sweep sweep;
    private final Deque<H256> queue = new ArrayDeque<>();
    private final Set<H256> queued = new HashSet<>();
    private final Set<H256> running = new HashSet<>();
    /** Nodes an earlier repair of a key blamed; the next repair of it does not ask them. Cleared on success. */
    private final Map<H256, Set<NodeId>> exclusions = new HashMap<>();

    public RepairScheduler(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, Clock clock, SecureRandom random,
                           Availability availability, AvailabilityStatus status, Executor loop) {
        this(sessions, cluster, storage, clock, random, availability, status, loop, PAGE);
    }

    /** As above, reading inventories in pages of {@code pageSize} scanned keys (tests use small pages). */
    RepairScheduler(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, Clock clock, SecureRandom random,
                    Availability availability, AvailabilityStatus status, Executor loop, int pageSize) {
        this.pageSize = pageSize;
        this.sessions = sessions;
        this.cluster = cluster;
        this.storage = storage;
        this.clock = clock;
        this.random = random;
        this.availability = availability;
        this.status = status;
        this.loop = loop;
    }

    /** One maintenance step: starts a sweep when one is due, and queued repairs while below the concurrency limit. */
    public void tick() {
        try {
            long now = clock.nanoTime();
            if (sweep == null && sweepDue(now)) {
                sweptWith = Set.copyOf(cluster.connected());
                sweep = new Sweep();
                sweep.start();
            }
            startRepairs();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "share repair maintenance failed", e);
        }
    }

    /**
     * A sweep is due every {@link Availability#repairInterval()}, and early, {@link #EARLY_GAP} after the last one
     * ended, when a peer connected that the last sweep did not read: a member that just came back (or whose
     * peers just came back) finds what it missed within seconds instead of a whole interval.
     */
    private boolean sweepDue(long now) {
        if (lastSweepEnd == null) return true;
        long idle = Math.max(0, now - lastSweepEnd);
        if (idle >= availability.repairInterval().toNanos()) return true;
        return idle >= Math.min(EARLY_GAP.toNanos(), availability.repairInterval().toNanos()) && !sweptWith.containsAll(cluster.connected());
    }

    /** Keys queued or being repaired (for tests and diagnostics). */
    public Set<H256> pendingRepairs() {
        Set<H256> out = new HashSet<>(queued);
        out.addAll(running);
        return out;
    }

    private void startRepairs() {
        while (running.size() < availability.repairConcurrency() && !queue.isEmpty()) {
            H256 keyId = queue.poll();
            queued.remove(keyId);
            if (storage.pendingKeyIds().contains(keyId) || sessions.isWriting(keyId)) continue; // found again by the next sweep
            SessionKey key = newKey();
            Set<NodeId> excluded = exclusions.getOrDefault(keyId, Set.of());
            ShareRepairSession session;
            try {
                session = sessions.startMaster(key, outbox -> ShareRepairSession.startMaster(key, cluster, outbox, storage, random,
                        keyId, excluded));
            } catch (SecretStoreException refused) { // e.g. an exclusive session runs: the next sweep queues it again
                LOG.fine(() -> "repair of " + keyId + " not started: " + refused.getMessage());
                continue;
            }
            running.add(keyId);
            // continued as a step of its own on the loop, never inside the handler that ended the session
            session.result().whenComplete((outcome, error) -> loop.execute(() -> done(keyId, outcome, error)));
        }
    }

    private void done(H256 keyId, ShareRepairSession.Outcome outcome, Throwable error) {
        running.remove(keyId);
        try {
            account(keyId, outcome, error);
        } finally {
            startRepairs(); // the freed slot goes to the next queued key at once
        }
    }

    private void account(H256 keyId, ShareRepairSession.Outcome outcome, Throwable error) {
        if (error == null) {
            exclusions.remove(keyId);
            if (outcome != ShareRepairSession.Outcome.NOTHING_MISSING) status.repaired();
            return;
        }
        status.repairFailed();
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Collection<Culprit> blamed = cause instanceof SecretStoreException e ? e.culprits() : Set.of();
        if (blamed.isEmpty()) {
            exclusions.remove(keyId); // fail without blame: ask everyone again next time
        } else {
            Set<NodeId> set = exclusions.computeIfAbsent(keyId, k -> new TreeSet<>());
            blamed.forEach(c -> set.add(c.node()));
        }
        LOG.info(() -> "repair of key " + keyId + " failed: " + cause.getMessage() + (blamed.isEmpty() ? "" : ", blamed " + blamed));
    }

    private SessionKey newKey() {
        byte[] id = new byte[32];
        random.nextBytes(id);
        return new SessionKey(SessionType.SHARE_REPAIR, H256.fromBytes(id), cluster.self());
    }

    /** What the peers of one sweep report about one key this member lacks something of. */
    private static final class Missing {
        /** (latest version id, t) → peers reporting it. */
        final Map<Map.Entry<H256, Integer>, Set<NodeId>> versions = new HashMap<>();
        /** t → peers reporting the document key this member lacks. */
        final Map<Integer, Set<NodeId>> documentKey = new HashMap<>();

        boolean confirmed() {
            return versions.entrySet().stream().anyMatch(e -> e.getValue().size() >= KeyAgreement.required(e.getKey().getValue()))
                    || documentKey.entrySet().stream().anyMatch(e -> e.getValue().size() >= KeyAgreement.required(e.getKey()));
        }
    }

    /** One pass over every connected peer's inventory, each peer read page by page. */
    private final class Sweep {
        private final Set<NodeId> reading = new HashSet<>();
        private final Map<H256, Missing> missing = new HashMap<>();

        void start() {
            for (NodeId peer : cluster.connected()) {
                if (!cluster.members().contains(peer)) continue;
                reading.add(peer);
            }
            for (NodeId peer : Set.copyOf(reading)) request(peer, Optional.empty());
            if (reading.isEmpty()) end();
        }

        private void request(NodeId peer, Optional<H256> after) {
            SessionKey key = newKey();
            InventoryPageSession page;
            try {
                page = sessions.startMaster(key, outbox -> InventoryPageSession.startMaster(key, cluster.self(), peer, outbox, after, pageSize));
            } catch (SecretStoreException refused) {
                peerDone(peer);
                return;
            }
            page.result().whenComplete((reply, error) -> loop.execute(() -> {
                if (sweep != this) return;
                if (error != null) {
                    peerDone(peer);
                    return;
                }
                try {
                    record(peer, reply);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "repair sweep: inventory page of " + peer.shortId() + " not usable", e);
                    peerDone(peer);
                    return;
                }
                if (reply.next().isEmpty()) peerDone(peer);
                else request(peer, reply.next().stream().findFirst());
            }));
        }

        private void record(NodeId peer, RepairMessage.InventoryReply reply) {
            for (RepairMessage.InventoryEntry e : reply.entries()) {
                if (e.threshold() < 0) continue;
                Optional<KeyMetadata> mine = storage.metadata(e.keyId()); // never unseals
                boolean lacksVersion = mine.isEmpty() || mine.get().version(e.latestVersion()).isEmpty();
                boolean lacksDocument = e.documentKey() && mine.flatMap(KeyMetadata::documentKey).isEmpty();
                if (!lacksVersion && !lacksDocument) continue;
                Missing m = missing.get(e.keyId());
                if (m == null) {
                    if (missing.size() >= MAX_CANDIDATES) continue;
                    m = new Missing();
                    missing.put(e.keyId(), m);
                }
                if (lacksVersion) m.versions.computeIfAbsent(Map.entry(e.latestVersion(), e.threshold()), k -> new HashSet<>()).add(peer);
                if (lacksDocument) m.documentKey.computeIfAbsent(e.threshold(), k -> new HashSet<>()).add(peer);
            }
        }

        private void peerDone(NodeId peer) {
            if (reading.remove(peer) && reading.isEmpty()) end();
        }

        private void end() {
            Set<H256> confirmed = new LinkedHashSet<>();
            missing.forEach((keyId, m) -> {
                if (m.confirmed()) confirmed.add(keyId);
            });
            for (H256 keyId : new TreeSet<>(confirmed)) {
                if (!running.contains(keyId) && queued.add(keyId)) queue.add(keyId);
            }
            status.missingHere(confirmed.size());
            status.sweepCompleted();
            if (!confirmed.isEmpty()) LOG.info(() -> "repair sweep: " + confirmed.size() + " key(s) missing here, repairing");
            lastSweepEnd = clock.nanoTime();
            sweep = null;
            startRepairs();
        }
    }
}
