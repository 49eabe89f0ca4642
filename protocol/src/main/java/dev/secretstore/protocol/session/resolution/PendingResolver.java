package dev.secretstore.protocol.session.resolution;

import dev.secretstore.crypto.H256;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.Clock;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.SessionKey;
import dev.secretstore.protocol.session.SessionType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Decides when to resolve prepared writes (SEC-25). Rows that were pending when the node started
 * belong to sessions that died with the process, so they are resolved as soon as every member is
 * reachable. Rows that become pending while the node runs belong to live sessions; they are resolved
 * only once they are older than {@code minAge}, which must exceed every session's stall limit, so no
 * session can still decide them. Each key is retried at most every {@code retryInterval}.
 * Called from the cluster loop.
 */
public final class PendingResolver {
    private static final Logger LOG = Logger.getLogger(PendingResolver.class.getName());

    private final ClusterSessions sessions;
    private final ClusterView cluster;
    private final KeyStorage storage;
    private final Clock clock;
    private final SecureRandom random;
    private final long minAgeNanos;
    private final long retryNanos;
    private final Set<H256> fromBeforeStart;
    private final Map<H256, Long> firstSeen = new HashMap<>();
    private final Map<H256, Long> lastTry = new HashMap<>();
    private final Set<H256> running = new HashSet<>();

    public PendingResolver(ClusterSessions sessions, ClusterView cluster, KeyStorage storage, Clock clock, SecureRandom random,
                           Duration minAge, Duration retryInterval) {
        this.sessions = sessions;
        this.cluster = cluster;
        this.storage = storage;
        this.clock = clock;
        this.random = random;
        this.minAgeNanos = minAge.toNanos();
        this.retryNanos = retryInterval.toNanos();
        this.fromBeforeStart = new HashSet<>(storage.pendingKeyIds());
        if (!fromBeforeStart.isEmpty()) {
            LOG.info(() -> fromBeforeStart.size() + " prepared write(s) from before this start will be resolved with the other members");
        }
    }

    /** One maintenance step; never throws. */
    public void tick() {
        try {
            Set<H256> pending = storage.pendingKeyIds();
            firstSeen.keySet().retainAll(pending);
            lastTry.keySet().retainAll(pending);
            fromBeforeStart.retainAll(pending);
            long now = clock.nanoTime();
            for (H256 keyId : pending) {
                long seen = firstSeen.computeIfAbsent(keyId, k -> now);
                boolean due = fromBeforeStart.contains(keyId) || Math.max(0, now - seen) >= minAgeNanos;
                Long last = lastTry.get(keyId);
                boolean rested = last == null || Math.max(0, now - last) >= retryNanos;
                if (due && rested && !running.contains(keyId) && cluster.connected().containsAll(others())) {
                    start(keyId, now);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pending-write resolution failed", e);
        }
    }

    private Set<?> others() {
        Set<Object> out = new HashSet<>(cluster.members());
        out.remove(cluster.self());
        return out;
    }

    private void start(H256 keyId, long now) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        SessionKey key = new SessionKey(SessionType.PENDING_RESOLUTION, H256.fromBytes(id), cluster.self());
        lastTry.put(keyId, now);
        running.add(keyId);
        PendingResolutionSession session = sessions.startMaster(key, outbox ->
                PendingResolutionSession.startMaster(key, cluster, outbox, storage, keyId));
        session.result().whenComplete((outcome, error) -> running.remove(keyId));
    }
}
